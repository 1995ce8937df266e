/**
 * The emulator's `v1.book.d` feeds, per connection and selector, as the venue describes them
 * (api-docs.grvt.io market_data_streams "Orderbook Delta", schemas/ws_subscribe_result): on
 * subscribe a full snapshot with sequence_number 0, and the subscribe answer's
 * `first_sequence_number` names the first delta; then, after each book change, one delta with
 * the changed levels only (a removed level has size "0"; none when the event changed nothing),
 * its sequence one more than the last.
 * `loseNext` drops delta frames after their sequence number is taken, as a lost message would.
 */

interface Level {
  readonly price: string;
  readonly size: string;
}
export interface BookJson {
  readonly event_time: string;
  readonly instrument: string;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

interface Feed {
  seq: bigint;
  bids: Map<string, string>;
  asks: Map<string, string>;
}

const sideMap = (levels: readonly Level[]) => new Map(levels.map((l) => [l.price, l.size]));

/** changed or new levels at their size, then removed levels at "0" */
function diff(was: Map<string, string>, now: Map<string, string>): Level[] {
  const out: Level[] = [];
  for (const [price, size] of now) if (was.get(price) !== size) out.push({ price, size });
  for (const price of was.keys()) if (!now.has(price)) out.push({ price, size: "0" });
  return out;
}

export class EmuBookDeltas {
  /** selector → feed, one map per connection */
  readonly #feeds = new WeakMap<object, Map<string, Feed>>();
  /** where each new feed's sequence starts: it differs between feeds, as the venue's does */
  #base = 17n;
  /** delta frames still to lose */
  loseNext = 0;
  /** delta frames lost so far */
  lost = 0;

  /** A new subscription: its snapshot frame and the first delta's sequence number. */
  subscribe(conn: object, selector: string, book: BookJson): { frame: string; first: bigint } {
    let feeds = this.#feeds.get(conn);
    if (feeds === undefined) {
      feeds = new Map();
      this.#feeds.set(conn, feeds);
    }
    this.#base += 11n;
    feeds.set(selector, { seq: this.#base, bids: sideMap(book.bids), asks: sideMap(book.asks) });
    const frame = JSON.stringify({
      stream: "v1.book.d",
      selector,
      sequence_number: "0",
      feed: book,
      prev_sequence_number: "0",
    });
    return { frame, first: this.#base + 1n };
  }

  has(conn: object, selector: string): boolean {
    return this.#feeds.get(conn)?.has(selector) ?? false;
  }

  unsubscribe(conn: object, selector: string): void {
    this.#feeds.get(conn)?.delete(selector);
  }

  /**
   * The delta frame bringing `conn`'s feed to `book` (undefined when it was lost). Every book
   * event publishes one, empty when no level changed (a setBook to the same levels): the feed's
   * heartbeat, as the snapshot feed sends a full book for it.
   */
  update(conn: object, selector: string, book: BookJson): string | undefined {
    const feed = this.#feeds.get(conn)?.get(selector);
    if (feed === undefined) return undefined;
    const bids = sideMap(book.bids);
    const asks = sideMap(book.asks);
    const db = diff(feed.bids, bids);
    const da = diff(feed.asks, asks);
    feed.bids = bids;
    feed.asks = asks;
    const prev = feed.seq;
    feed.seq = prev + 1n;
    if (this.loseNext > 0) {
      this.loseNext--;
      this.lost++;
      return undefined;
    }
    return JSON.stringify({
      stream: "v1.book.d",
      selector,
      sequence_number: String(feed.seq),
      feed: { event_time: book.event_time, instrument: book.instrument, bids: db, asks: da },
      prev_sequence_number: String(prev),
    });
  }
}
