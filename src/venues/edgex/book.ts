import type { Instrument } from "../../core/instrument.ts";
import type { BookLevel, BookUpdate } from "../../core/market.ts";
import { L2Book } from "../../data/book.ts";
import { DepthListSchema, type EdgexDepth, parseAs } from "./parse.ts";

/**
 * A local EdgeX book of one contract from the `depth.<id>.15` stream: a Snapshot replaces it, a
 * Changed message applies its levels (absolute sizes, "0" removes) when its startVersion follows
 * the last endVersion. Before the first snapshot, or after a gap, the book reloads from REST
 * getDepth (whose endVersion is the stream's) and keeps the Changed messages that follow it.
 */
export class EdgexBook {
  readonly book: L2Book;
  readonly #inst: Instrument;
  readonly #venueId: string;
  readonly #load: () => Promise<unknown>;
  readonly #emit: (u: BookUpdate) => void;
  #version: number | undefined;
  #loading: Promise<void> | undefined;
  #pending: EdgexDepth[] = [];
  gaps = 0;

  constructor(
    inst: Instrument,
    venueId: string,
    load: () => Promise<unknown>,
    emit: (u: BookUpdate) => void,
  ) {
    this.#inst = inst;
    this.#venueId = venueId;
    this.book = new L2Book(inst);
    this.#load = load;
    this.#emit = emit;
  }

  /** Forget the version (after a reconnect); the next message or a REST load starts it again. */
  reset(): void {
    this.#version = undefined;
  }

  resync(): Promise<void> {
    this.#version = undefined;
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #reload(): Promise<void> {
    const [d] = parseAs(DepthListSchema, await this.#load(), `getDepth of ${this.#inst.symbol}`);
    this.#apply(d, true);
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) this.onMessage(p, false);
  }

  /** One depth item of a stream message; `snapshot` when the message's dataType is Snapshot. */
  onMessage(d: EdgexDepth, snapshot: boolean): void {
    if (snapshot) {
      this.#apply(d, true);
      return;
    }
    const start = Number(d.startVersion ?? Number.NaN);
    if (this.#version === undefined) {
      this.#pending.push(d);
      if (this.#loading === undefined) void this.resync().catch(() => undefined);
      return;
    }
    if (Number(d.endVersion ?? start) <= this.#version) return;
    if (start !== this.#version + 1) {
      this.gaps++;
      this.#pending = [d];
      void this.resync().catch(() => undefined);
      return;
    }
    this.#apply(d, false);
  }

  #apply(d: EdgexDepth, snapshot: boolean): void {
    const v = Number(d.endVersion ?? Number.NaN);
    this.#version = Number.isFinite(v) ? v : this.#version;
    const update: BookUpdate = {
      type: "book",
      venue: this.#venueId,
      symbol: this.#inst.symbol,
      ts: Date.now(),
      snapshot,
      bids: levels(d.bids),
      asks: levels(d.asks),
    };
    this.book.apply(update);
    this.#emit(update);
  }
}

function levels(rows: readonly { price: string; size: string }[]): BookLevel[] {
  return rows.map((r) => ({ price: Number(r.price), size: Number(r.size) }));
}
