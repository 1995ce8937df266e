import type { BookUpdate } from "../../core/market.ts";
import type { L2Book } from "../../data/book.ts";
import { type GrvtBook, msOfNanos } from "./parse.ts";

/**
 * One instrument's `v1.book.d` feed: a full snapshot, then deltas (changed levels only, absolute
 * sizes, "0" removes a level). The venue's sequence rules (api-docs.grvt.io
 * schemas/ws_subscribe_result, "WSSubscribeResult"): every snapshot has sequence_number 0, every
 * delta 1 or more; the subscribe answer names the first delta's sequence number
 * (`first_sequence_number`); deltas then rise by exactly 1; a duplicate may come (network retry)
 * and is ignored; a drop or a jump of more than 1 means a lost message. After a gap the book is
 * rebuilt from a new snapshot: `resync` re-subscribes the selector, and deltas are dropped until
 * that snapshot arrives.
 */
export class GrvtBookDeltas {
  readonly book: L2Book;
  readonly venueId: string;
  readonly symbol: string;
  readonly #resync: () => void;
  /** the last applied sequence (0: the snapshot); undefined: waiting for a snapshot */
  #last: bigint | undefined;
  /** the first delta's sequence from the subscribe answer, when it named one */
  #first: bigint | undefined;
  /** gaps seen (each one a resync) */
  gaps = 0;
  /** deltas applied to the book */
  applied = 0;

  constructor(book: L2Book, venueId: string, resync: () => void) {
    this.book = book;
    this.venueId = venueId;
    this.symbol = book.instrument.spec.symbol;
    this.#resync = resync;
  }

  /** The subscribe answer's `first_sequence_number` for this feed. */
  expectFirst(seq: bigint): void {
    this.#first = seq > 0n ? seq : undefined;
  }

  /** Forget the sequence (the socket went down): the next snapshot starts again. */
  reset(): void {
    this.#last = undefined;
    this.#first = undefined;
  }

  get synced(): boolean {
    return this.#last !== undefined;
  }

  /** One frame: the update it applied to the book, or undefined when it was dropped. */
  onFrame(seq: bigint, b: GrvtBook): BookUpdate | undefined {
    if (seq === 0n) {
      const update = this.#update(b, true);
      this.book.apply(update);
      this.#last = 0n;
      return update;
    }
    const last = this.#last;
    if (last === undefined) return undefined; // a resync's snapshot is on its way
    const expected = last === 0n ? this.#first : last + 1n;
    if (expected !== undefined && seq < expected) return undefined; // a duplicate
    if (expected !== undefined && seq > expected) {
      this.gaps++;
      this.reset();
      this.#resync();
      return undefined;
    }
    this.#last = seq;
    this.#first = undefined;
    const update = this.#update(b, false);
    this.book.apply(update);
    this.applied++;
    return update;
  }

  #update(b: GrvtBook, snapshot: boolean): BookUpdate {
    const lv = (l: { price: string; size: string }) => ({ price: Number(l.price), size: Number(l.size) });
    return {
      type: "book",
      venue: this.venueId,
      symbol: this.symbol,
      ts: msOfNanos(b.event_time),
      snapshot,
      bids: b.bids.map(lv),
      asks: b.asks.map(lv),
    };
  }
}
