import type { Instrument } from "../../core/instrument.ts";
import type { BookLevel, BookUpdate } from "../../core/market.ts";
import { L2Book } from "../../data/book.ts";
import { DepthSnapshotSchema, type DepthUpdate, parseAs, readDepthUpdate } from "./parse.ts";

/**
 * A local Aster (Binance USDⓈ-M) book, by Binance's "How to manage a local order book correctly":
 * buffer the `<s>@depth` stream, load the REST snapshot (`lastUpdateId`), drop every update with
 * `u < lastUpdateId`, apply the first one with `U <= lastUpdateId <= u`, and from then on each
 * update's `pu` must equal the previous update's `u`. A broken chain (or a first update that
 * starts past the snapshot) means a lost message: the book is rebuilt from a new snapshot, and
 * what arrives meanwhile is buffered, not lost. Sizes are absolute; "0" removes a level.
 */
export class DepthSync {
  readonly book: L2Book;
  readonly inst: Instrument;
  readonly venueId: string;
  readonly #snapshot: () => Promise<unknown>;
  readonly #emit: (u: BookUpdate) => void;
  /** the `u` of the last update applied (or the snapshot's id before the first one) */
  #last: number | undefined;
  #first = true;
  #buffer: DepthUpdate[] = [];
  #loading: Promise<void> | undefined;
  /** resyncs after a broken chain */
  gaps = 0;
  /** updates dropped as older than the snapshot */
  stale = 0;
  applied = 0;

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

  get synced(): boolean {
    return this.#last !== undefined;
  }

  /** Forget the sequence (after a reconnect or a gap) and load a fresh snapshot. */
  resync(): Promise<void> {
    this.#last = undefined;
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    this.applySnapshot(await this.#snapshot());
  }

  /** Start the book from a REST depth answer, then apply what was buffered meanwhile. */
  applySnapshot(raw: unknown): void {
    const snap = parseAs(DepthSnapshotSchema, raw, `depth snapshot of ${this.inst.symbol}`);
    const update: BookUpdate = {
      type: "book",
      venue: this.venueId,
      symbol: this.inst.symbol,
      ts: snap.E ?? Date.now(),
      snapshot: true,
      bids: levels(snap.bids),
      asks: levels(snap.asks),
    };
    this.book.apply(update);
    this.#last = snap.lastUpdateId;
    this.#first = true;
    this.#emit(update);
    const buffered = this.#buffer;
    this.#buffer = [];
    for (const d of buffered) this.#apply(d);
  }

  /** One `depthUpdate` message's data (a payload that does not parse throws AsterPayloadError). */
  onDepth(data: unknown): void {
    this.#apply(readDepthUpdate(data, `depthUpdate of ${this.inst.symbol}`));
  }

  #apply(d: DepthUpdate): void {
    const last = this.#last;
    if (last === undefined) {
      this.#buffer.push(d);
      if (this.#loading === undefined) void this.resync().catch(() => undefined);
      return;
    }
    if (this.#first) {
      if (d.u < last) {
        this.stale++;
        return;
      }
      if (d.U > last) {
        this.#gap(d);
        return;
      }
    } else if (d.pu !== last) {
      this.#gap(d);
      return;
    }
    this.#first = false;
    this.#last = d.u;
    this.applied++;
    const update: BookUpdate = {
      type: "book",
      venue: this.venueId,
      symbol: this.inst.symbol,
      ts: d.E,
      snapshot: false,
      bids: d.b,
      asks: d.a,
    };
    this.book.apply(update);
    this.#emit(update);
  }

  #gap(d: DepthUpdate): void {
    this.gaps++;
    this.#buffer = [d];
    void this.resync().catch(() => undefined);
  }
}

function levels(rows: readonly (readonly [string, string])[]): BookLevel[] {
  return rows.map(([p, q]) => ({ price: Number(p), size: Number(q) }));
}
