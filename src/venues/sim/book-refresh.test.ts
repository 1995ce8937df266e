import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { catalogInstruments } from "./catalog.ts";
import { SimVenue } from "./sim-venue.ts";

const T0 = Date.UTC(2026, 0, 5);

function venue(bookRefreshMs?: number) {
  const clock = new SimClock(T0);
  const v = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock, bookRefreshMs });
  const book = (bid: number, ask: number) =>
    v.feed({
      type: "book",
      venue: "simA",
      symbol: "BTC",
      ts: clock.now(),
      snapshot: true,
      bids: [{ price: bid, size: 1 }],
      asks: [{ price: ask, size: 2 }],
    });
  return { clock, v, book };
}

test("bookRefreshMs: a book's time is the last refresh tick after its last change; levels and version are the book's", async () => {
  const { clock, v, book } = venue(5_000);
  const view = v.book("BTC");
  assert.equal(view.lastUpdateTs, 0, "a book that never had data is not refreshed");
  await clock.advance(1_000);
  book(60_000, 60_001);
  const changed = view.version;
  assert.equal(view.lastUpdateTs, T0 + 1_000);
  await clock.advance(3_000);
  assert.equal(view.lastUpdateTs, T0 + 1_000, "before the next tick: the change's time");
  await clock.advance(8_500);
  assert.equal(view.lastUpdateTs, T0 + 10_000, "the last tick at or before now");
  assert.equal(view.version, changed, "a refresh is not a change");
  assert.equal(view.bestBidTicks(), v.instrument("BTC").roundPrice(60_000, "buy", "nearest"));
  book(60_002, 60_003);
  assert.notEqual(view.version, changed, "a new book is a change");
  assert.equal(view.lastUpdateTs, T0 + 12_500);
  const asks: number[] = [];
  view.walk("ask", (_t, size) => asks.push(size) > 0);
  assert.deepEqual(asks, [2]);
  assert.equal(view, v.book("BTC"), "one handle per book");
});

test("without bookRefreshMs a book's time is its last change, and a bad value is refused by name", async () => {
  const { clock, v, book } = venue();
  book(60_000, 60_001);
  await clock.advance(60_000);
  assert.equal(v.book("BTC").lastUpdateTs, T0);
  assert.throws(
    () => new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock, bookRefreshMs: 0 }),
    /bookRefreshMs 0 must be a finite number > 0/,
  );
});
