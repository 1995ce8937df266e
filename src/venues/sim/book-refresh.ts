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
  return {
    bestBidTicks: () => book.bestBidTicks(),
    bestAskTicks: () => book.bestAskTicks(),
    sizeAt: (side, ticks) => book.sizeAt(side, ticks),
    walk: (side, visit) => book.walk(side, visit),
    get lastUpdateTs() {
      const ts = book.lastUpdateTs;
      if (ts === 0) return 0;
      const now = clock.now();
      return Math.max(ts, now - (now % everyMs));
    },
    get version() {
      return book.version;
    },
  };
}
