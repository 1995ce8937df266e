/**
 * A live run's book streams, live before any strategy decides: the engine subscribes the books
 * when the node starts and the farm opens at once, so on a live venue (whose socket needs a
 * round trip before its first snapshot) the first opens met a book stream still connecting and
 * were refused as stale, and the farm rested those wallets for their whole cooldown. The run holds
 * one subscription to every listed book from the start (the engine's own ones join it) and waits,
 * bounded, until each has answered; the holds are released when the venues close.
 */
import type { Clock } from "../core/clock.ts";
import type { Venue } from "../core/venue.ts";

const BOOK = "book:";

/** The book streams not yet live (ready and not stale), as "venue book:SYMBOL". */
export function booksNotLive(venues: ReadonlyMap<string, Venue>): string[] {
  const out: string[] = [];
  for (const [id, v] of venues)
    for (const s of v.streams())
      if (s.stream.startsWith(BOOK) && (!s.ready || s.stale)) out.push(`${id} ${s.stream}`);
  return out;
}

/**
 * Subscribe every listed instrument's book and wait until all are live or `timeoutMs` passed.
 * Returns the release of the subscriptions and the streams still not live (empty when all are).
 */
export async function holdBooksLive(
  venues: ReadonlyMap<string, Venue>,
  clock: Clock,
  timeoutMs: number,
): Promise<{ release: () => void; notLive: string[] }> {
  const holds: (() => void)[] = [];
  for (const v of venues.values())
    for (const inst of v.instruments()) holds.push(v.subscribe({ symbol: inst.symbol, channel: "book" }));
  const release = () => {
    for (const h of holds.splice(0)) h();
  };
  const end = clock.now() + timeoutMs;
  let notLive = booksNotLive(venues);
  while (notLive.length > 0 && clock.now() < end) {
    await clock.sleep(50);
    notLive = booksNotLive(venues);
  }
  return { release, notLive };
}
