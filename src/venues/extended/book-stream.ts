import type { Instrument } from "../../core/instrument.ts";
import type { BookLevel, BookUpdate } from "../../core/market.ts";
import type { L2Book } from "../../data/book.ts";
import { scanBookFrame } from "./book-scan.ts";
import { type BookFrame, BookFrameSchema, parseAs } from "./parse.ts";

/**
 * One `/orderbooks/{m}` socket's book: a SNAPSHOT replaces it, a DELTA's `q` is the change of
 * a level's size (python_sdk orderbook.py `update_orderbook`), so its absolute size is the
 * book's current one plus the change (0 removes the level); a level that also carries `c` gives
 * the new absolute size directly (ccxt pro/extended.js reads `c` first). `seq` must grow by one per frame on
 * a connection; a gap means a lost delta, answered by "gap" (the caller reconnects for a fresh
 * snapshot).
 */
export class BookStream {
  readonly book: L2Book;
  readonly inst: Instrument;
  readonly venueId: string;
  #seq: number | undefined;

  constructor(book: L2Book, inst: Instrument, venueId: string) {
    this.book = book;
    this.inst = inst;
    this.venueId = venueId;
  }

  /** the connection dropped: the next frame must be a SNAPSHOT */
  reset(): void {
    this.#seq = undefined;
  }

  /**
   * One frame's text: the applied update, or "gap" when a delta does not follow its predecessor.
   * Book frames carry no 64-bit ids (prices, sizes and ms times only), so plain JSON.parse reads
   * them exactly; parseJson's id quoting is for account and REST answers. The usual frame is
   * read by book-scan.ts straight from the text (the same BookFrame, no JSON.parse or zod).
   */
  onText(text: string): BookUpdate | "gap" {
    // the usual frame through the direct reader (book-scan.ts); anything else JSON + zod
    const f =
      scanBookFrame(text) ?? parseAs(BookFrameSchema, JSON.parse(text), `orderbooks/${this.inst.symbol}`);
    return this.onFrame(f);
  }

  onFrame(f: BookFrame): BookUpdate | "gap" {
    if (f.type === "DELTA" && (this.#seq === undefined || f.seq !== this.#seq + 1)) {
      this.#seq = undefined;
      return "gap";
    }
    this.#seq = f.seq;
    const snapshot = f.type === "SNAPSHOT";
    const levels = (side: "bid" | "ask", rows: readonly { p: string; q: string }[]): BookLevel[] =>
      rows.map((l) => {
        const price = Number(l.p);
        const size = snapshot
          ? Number(l.q)
          : this.book.sizeAt(side, this.book.priceToTicks(price)) + Number(l.q);
        return { price, size: Math.max(0, Number(size.toFixed(12))) };
      });
    const update: BookUpdate = {
      type: "book",
      venue: this.venueId,
      symbol: this.inst.symbol,
      ts: f.ts,
      snapshot,
      bids: levels("bid", f.data.b),
      asks: levels("ask", f.data.a),
    };
    this.book.apply(update);
    return update;
  }
}
