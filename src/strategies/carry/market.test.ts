import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { syntheticInstrument } from "../../data/synthetic-instruments.ts";
import { MarketCache } from "../../engine/market.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import type { PairLeg } from "../pairs/discover.ts";
import { carryDefaults } from "./config.ts";
import { quoteOf, universe } from "./market.ts";

/** Two sim venues listing BTC and ETH, behind the engine's market cache (what carry reads). */
function market() {
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const venues = new Map(
    ["simA", "simB"].map((id) => [
      id,
      new SimVenue({ id, clock, instruments: ["BTC", "ETH"].map((b) => syntheticInstrument(id, b)) }),
    ]),
  );
  const book = (venue: string, base: string, bid: number, size: number) =>
    venues.get(venue)!.feed({
      type: "book",
      venue,
      symbol: syntheticInstrument(venue, base).symbol,
      ts: clock.now(),
      snapshot: true,
      bids: [
        { price: bid, size },
        { price: bid - 1, size: 2 * size },
      ],
      asks: [{ price: bid + 1, size }],
    });
  for (const v of ["simA", "simB"]) {
    book(v, "BTC", 100_000, 1);
    book(v, "ETH", 3_500, 10);
  }
  return { clock, cache: new MarketCache(venues), book };
}

test("quoteOf: a book read again only when it changed; a changed book gives the new levels", async () => {
  const { clock, cache, book } = market();
  const leg: PairLeg = {
    venue: "simA",
    symbol: syntheticInstrument("simA", "BTC").symbol,
    base: "BTC",
    multiplier: 1,
    volume24hUsd: undefined,
    unitMid: Number.NaN,
  };
  const q1 = quoteOf(cache, leg);
  await clock.advance(1_000);
  const q2 = quoteOf(cache, leg);
  assert.equal(q2.bids, q1.bids, "unchanged book: the levels already read");
  assert.deepEqual(q1.bids, [
    { price: 100_000, size: 1 },
    { price: 99_999, size: 2 },
  ]);
  book("simA", "BTC", 100_010, 3);
  const q3 = quoteOf(cache, leg);
  assert.notEqual(q3.bids, q1.bids);
  assert.deepEqual(q3.bids[0], { price: 100_010, size: 3 });
  assert.deepEqual(q3.asks, [{ price: 100_011, size: 3 }]);
  assert.equal(q3.bboTs, clock.now(), "the time is read every time");
  const half = quoteOf(cache, { ...leg, multiplier: 0.5 });
  assert.deepEqual(half.bids[0], { price: 200_020, size: 1.5 }, "another multiplier is another read");
});

test("universe: the same listings give the same pairs; a moved mid is seen", () => {
  const { cache, book } = market();
  const c = carryDefaults();
  const u1 = universe(cache, ["simA", "simB"], c.pairs, c.min_volume_24h_usd);
  assert.deepEqual(
    u1.map((p) => p.base),
    ["BTC", "ETH"],
  );
  assert.deepEqual(universe(cache, ["simA", "simB"], c.pairs, c.min_volume_24h_usd), u1);
  // a mid 20 % away on one venue of two: both legs are suspect, the base drops (mid_divergence)
  book("simB", "ETH", 4_200, 10);
  const u2 = universe(cache, ["simA", "simB"], c.pairs, c.min_volume_24h_usd);
  assert.deepEqual(
    u2.map((p) => p.base),
    ["BTC"],
  );
  book("simB", "ETH", 3_500, 10);
  const u3 = universe(cache, ["simA", "simB"], c.pairs, c.min_volume_24h_usd);
  assert.equal(u3.find((p) => p.base === "ETH")?.legs[1].unitMid, 3_500.5);
});
