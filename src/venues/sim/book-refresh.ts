import type { Clock } from "../../core/clock.ts";
import type { BookView } from "../../core/market.ts";

/**
 * The book as a reader sees it on a venue that re-sends every book on a timer, changed or not
 * (SimVenueOptions.bookRefreshMs): the same levels, and a time that is the later of the last
 * change and the last tick of the timer (multiples of `everyMs` since the epoch). A book that
 * never had data is not refreshed. Nothing is sent and nothing runs on the clock: the time is
 * computed when read, so a backtest whose market moves every minute pays nothing for it.
 */
export function refreshedBook(book: BookView, clock: Clock, everyMs: number): BookView {
  return new RefreshedBook(book, clock, everyMs);
}

/**
 * One class for every refreshed book (not an object literal with getters, which V8 gives a
 * shape of its own per book): the strategy's reads of every book go through the same shape.
 */
class RefreshedBook implements BookView {
  readonly #book: BookView;
  readonly #clock: Clock;
  readonly #everyMs: number;

  constructor(book: BookView, clock: Clock, everyMs: number) {
    this.#book = book;
    this.#clock = clock;
    this.#everyMs = everyMs;
  }

  bestBidTicks(): number | undefined {
    return this.#book.bestBidTicks();
  }

  bestAskTicks(): number | undefined {
    return this.#book.bestAskTicks();
  }

  sizeAt(side: "bid" | "ask", ticks: number): number {
    return this.#book.sizeAt(side, ticks);
  }

  walk(side: "bid" | "ask", visit: (ticks: number, size: number) => boolean): void {
    this.#book.walk(side, visit);
  }

  get lastUpdateTs(): number {
    const ts = this.#book.lastUpdateTs;
    if (ts === 0) return 0;
    const now = this.#clock.now();
    return Math.max(ts, now - (now % this.#everyMs));
  }

  get version(): number | undefined {
    return this.#book.version;
  }
}
