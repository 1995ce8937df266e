import type { Instrument } from "../../core/instrument.ts";
import type { BookLevel, BookUpdate } from "../../core/market.ts";
import { L2Book } from "../../data/book.ts";
import { readDepthEvent } from "./depth-read.ts";
import { ScannedDepth } from "./depth-scan.ts";
import { DepthSchema, parseAs } from "./parse.ts";

/**
 * A local Backpack book: the REST snapshot (`/api/v1/depth`, `lastUpdateId`) plus the `depth.<s>`
 * stream's diffs (absolute sizes, "0" removes a level). The docs' rule ("Streams", "Depth"):
 * buffer the stream, take the snapshot, drop diffs with `u <= lastUpdateId`, then each diff's `U`
 * must be the previous `u + 1`; a gap means a lost message, so the book is rebuilt from a new
 * snapshot. Diffs arriving while a snapshot is on its way are buffered, not lost.
 */
export class BookSync {
  readonly book: L2Book;
  readonly inst: Instrument;
  readonly venueId: string;
  readonly #snapshot: () => Promise<unknown>;
  readonly #emit: (u: BookUpdate) => void;
  #lastU: number | undefined;
  #buffer: { U: number; u: number; update: BookUpdate }[] = [];
  #loading: Promise<void> | undefined;
  /** resyncs after a gap (a health figure) */
  gaps = 0;

  constructor(
    inst: Instrument,
    venueId: string,
    snapshot: () => Promise<unknown>,
    emit: (u: BookUpdate) => void,
  ) {
    this.inst = inst;
    this.venueId = venueId;
    this.book = new L2Book(inst);
    this.#snapshot = snapshot;
    this.#emit = emit;
  }

  /** Forget the sequence (after a reconnect) and load a fresh snapshot. */
  resync(): Promise<void> {
    this.#lastU = undefined;
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const snap = parseAs(DepthSchema, await this.#snapshot(), `depth snapshot of ${this.inst.symbol}`);
    const update: BookUpdate = {
      type: "book",
      venue: this.venueId,
      symbol: this.inst.symbol,
      ts: snap.timestamp ?? Date.now(),
      snapshot: true,
      bids: levels(snap.bids),
      asks: levels(snap.asks),
    };
    this.book.apply(update);
    this.#lastU = snap.lastUpdateId;
    this.#emit(update);
    const buffered = this.#buffer;
    this.#buffer = [];
    for (const b of buffered) this.#applyDiff(b.U, b.u, b.update);
  }

  /** One `depth` stream message's data: JSON's, or the direct reader's diff (depth-scan.ts). */
  onDepth(data: unknown): void {
    const d =
      data instanceof ScannedDepth ? data : readDepthEvent(data, `depth event of ${this.inst.symbol}`);
    const update: BookUpdate = {
      type: "book",
      venue: this.venueId,
      symbol: this.inst.symbol,
      ts: Math.floor(d.E / 1000),
      snapshot: false,
      bids: d.bids,
      asks: d.asks,
    };
    if (this.#lastU === undefined) {
      this.#buffer.push({ U: d.U, u: d.u, update });
      if (this.#loading === undefined) void this.resync().catch(() => undefined);
      return;
    }
    this.#applyDiff(d.U, d.u, update);
  }

  #applyDiff(U: number, u: number, update: BookUpdate): void {
    if (this.#lastU === undefined) {
      this.#buffer.push({ U, u, update });
      return;
    }
    if (u <= this.#lastU) return; // already in the snapshot
    if (U > this.#lastU + 1) {
      this.gaps++;
      this.#buffer = [{ U, u, update }];
      void this.resync().catch(() => undefined);
      return;
    }
    this.#lastU = u;
    this.book.apply(update);
    this.#emit(update);
  }
}

function levels(rows: readonly (readonly [string, string])[]): BookLevel[] {
  return rows.map(([p, q]) => ({ price: Number(p), size: Number(q) }));
}
