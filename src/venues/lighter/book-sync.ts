import type { Instrument } from "../../core/instrument.ts";
import type { BookLevel, BookUpdate } from "../../core/market.ts";
import { L2Book } from "../../data/book.ts";
import { BookMessageSchema, parseAs } from "./parse.ts";

/**
 * A local Lighter book from the `order_book/<id>` channel: the `subscribed/order_book` message is
 * the whole book, each `update/order_book` the changed levels (absolute sizes, "0" removes).
 * Continuity: when the book carries `nonce` / `begin_nonce`, an update continues the chain when
 * its `begin_nonce` is the previous `nonce` (the rule community Lighter collectors use; the
 * official docs I could read do not state one); otherwise its `offset` must be the previous + 1.
 * An offset at or below the last is a repeat and is dropped; a break means a lost message: the
 * book is marked out of sync and `resync` (resubscribe, for a fresh snapshot) is asked for once;
 * updates until that snapshot are dropped.
 */
export class BookSync {
  readonly book: L2Book;
  readonly inst: Instrument;
  readonly venueId: string;
  readonly #emit: (u: BookUpdate) => void;
  readonly #resync: () => void;
  #offset: number | undefined;
  #nonce: number | undefined;
  #asked = false;
  /** resyncs after a gap (a health figure) */
  gaps = 0;

  constructor(inst: Instrument, venueId: string, emit: (u: BookUpdate) => void, resync: () => void) {
    this.inst = inst;
    this.venueId = venueId;
    this.book = new L2Book(inst);
    this.#emit = emit;
    this.#resync = resync;
  }

  get inSync(): boolean {
    return this.#offset !== undefined;
  }

  /** After a reconnect: wait for the snapshot the new subscription sends. */
  reset(): void {
    this.#offset = undefined;
    this.#asked = false;
  }

  #askResync(): undefined {
    this.#offset = undefined;
    if (this.#asked) return;
    this.#asked = true;
    this.#resync();
  }

  onMessage(raw: unknown, now: number): undefined {
    const m = parseAs(BookMessageSchema, raw, `order book of ${this.inst.symbol}`);
    const snapshot = m.type === "subscribed/order_book";
    if (!snapshot) {
      // an update with no snapshot to apply it to (a resubscription's snapshot was lost): ask again
      if (this.#offset === undefined) return this.#askResync();
      if (m.offset <= this.#offset) return;
      const begin = m.order_book.begin_nonce;
      const broken =
        begin !== undefined && this.#nonce !== undefined
          ? begin !== this.#nonce
          : m.offset > this.#offset + 1;
      if (broken) {
        this.gaps++;
        return this.#askResync();
      }
    }
    this.#offset = m.offset;
    this.#nonce = m.order_book.nonce;
    this.#asked = false;
    const update: BookUpdate = {
      type: "book",
      venue: this.venueId,
      symbol: this.inst.symbol,
      ts: m.timestamp ?? now,
      snapshot,
      bids: levels(m.order_book.bids),
      asks: levels(m.order_book.asks),
    };
    this.book.apply(update);
    this.#emit(update);
  }
}

function levels(rows: readonly { price: string; size: string }[]): BookLevel[] {
  return rows.map((r) => ({ price: Number(r.price), size: Number(r.size) }));
}
