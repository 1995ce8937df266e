import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { syntheticInstrument } from "../../data/synthetic-instruments.ts";
import { MarketCache } from "../../engine/market.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import type { PairLeg } from "../pairs/discover.ts";
import { carryDefaults } from "./config.ts";
import { edgeAtFillsBps, evaluate, quoteDepthUsd } from "./entry.ts";
import { LISTING_READS, listingReads, quoteFromReads, quoteOf, universe } from "./market.ts";

/** Two sim venues listing BTC and ETH, behind the engine's market cache (what carry reads). */
/** The ETH perpetual of simB as a pair leg. */
function ethOnSimB(): { symbol: string; leg: PairLeg } {
  const symbol = syntheticInstrument("simB", "ETH").symbol;
  return {
    symbol,
    leg: { venue: "simB", symbol, base: "ETH", multiplier: 1, volume24hUsd: 5e6, unitMid: Number.NaN },
  };
}

/** The same view without the listing handle: every figure by its own call. */
function withoutListingHandle<T extends object>(view: T): T {
  return new Proxy(view, { get: (t, k) => (k === "listing" ? undefined : Reflect.get(t, k, t)) });
}

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
  return { clock, venues, cache: new MarketCache(venues), book };
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
  // the cache has listing handles: its instrument lists and books are its own for its life, so
  // unchanged versions are the same list (the very object), and a changed one is looked at again
  assert.equal(universe(cache, ["simA", "simB"], c.pairs, c.min_volume_24h_usd), u1);
  assert.equal(cache.instruments("simA"), cache.instruments("simA"), "one instrument list per venue");
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

test("quoteOf at a depth: levels past what any decision reads are not read, and every decision is the same as on 20 levels", () => {
  const m = market();
  const { clock, cache } = m;
  const venues = ["simA", "simB"];
  // 20 levels a side of about $200 each on BTC (0.002 BTC at ~100k), touch 1 apart
  const deep = (venue: string, bid: number, touchSize: number) =>
    m.venues.get(venue)!.feed({
      type: "book",
      venue,
      symbol: syntheticInstrument(venue, "BTC").symbol,
      ts: clock.now(),
      snapshot: true,
      bids: Array.from({ length: 20 }, (_, k) => ({ price: bid - 2 * k, size: k === 0 ? touchSize : 0.002 })),
      asks: Array.from({ length: 20 }, (_, k) => ({
        price: bid + 1 + 2 * k,
        size: k === 0 ? touchSize : 0.002,
      })),
    });
  for (const v of venues) deep(v, 100_000, 0.002);
  const leg = (venue: string): PairLeg => ({
    venue,
    symbol: syntheticInstrument(venue, "BTC").symbol,
    base: "BTC",
    multiplier: 1,
    volume24hUsd: undefined,
    unitMid: Number.NaN,
  });
  for (const max of [500, 1_000, 3_000]) {
    const c = { ...carryDefaults(), max_position_usd: max, min_depth_usd: 100 };
    const depth = quoteDepthUsd(c);
    const [a, b] = venues.map((v) => quoteOf(cache, leg(v), depth));
    const [fa, fb] = venues.map((v) => quoteOf(cache, leg(v)));
    assert.equal(fa.bids.length, 20);
    // at least the depth gate's five levels, then only as far as max_position_usd with its margin
    const want = Math.max(5, Math.ceil(depth / 200));
    assert.equal(a.bids.length, want, `max_position_usd ${max}`);
    assert.equal(a.asks.length, want);
    assert.deepEqual(a.bids, fa.bids.slice(0, want));
    // different rates so one venue pays the other; sizes up to max_position_usd walk the levels
    const ra = { ...a, ratePerHour: 0.001 };
    const fra = { ...fa, ratePerHour: 0.001 };
    for (const equityUsd of [100, 2_000, 50_000]) {
      const sizing = {
        equityUsd,
        peakEquityUsd: equityUsd,
        openTotalUsd: 0,
        openBaseUsd: 0,
        freeMarginUsd: [1e9, 1e9] as const,
        leverage: 3,
      };
      const cut = evaluate(c, "BTC", ra, b, sizing, clock.now());
      const full = evaluate(c, "BTC", fra, fb, sizing, clock.now());
      assert.ok(cut.sizeUsd > 0);
      assert.deepEqual(
        { ...cut, long: undefined, short: undefined },
        { ...full, long: undefined, short: undefined },
        `max_position_usd ${max}, equity ${equityUsd}: the same opportunity`,
      );
      assert.equal(
        edgeAtFillsBps(c, cut, {
          longPrice: 100_003,
          shortPrice: 100_000,
          feesUsd: 0.2,
          sizeUsd: cut.sizeUsd,
        }),
        edgeAtFillsBps(c, full, {
          longPrice: 100_003,
          shortPrice: 100_000,
          feesUsd: 0.2,
          sizeUsd: full.sizeUsd,
        }),
      );
    }
  }
  // only the touch changed: the levels behind it are the objects read before
  const c = carryDefaults();
  const before = quoteOf(cache, leg("simA"), quoteDepthUsd(c));
  deep("simA", 100_000, 0.003);
  const after = quoteOf(cache, leg("simA"), quoteDepthUsd(c));
  assert.notEqual(after.bids, before.bids);
  assert.deepEqual(after.bids[0], { price: 100_000, size: 0.003 });
  for (let k = 1; k < before.bids.length; k++) assert.equal(after.bids[k], before.bids[k], `level ${k}`);
});

test("quoteOf through the cache's listing handle: the quote the per-figure calls give, as the streams change it", () => {
  const { clock, venues, cache, book } = market();
  const { symbol, leg } = ethOnSimB();
  // the same view without the handle: every figure by its own call
  const calls = withoutListingHandle(cache);
  const feedFunding = (ratePerHour: number) =>
    venues.get("simB")!.feed({ type: "funding", venue: "simB", symbol, ts: clock.now(), ratePerHour });
  assert.ok(cache.listing("simB", symbol) !== undefined && cache.listing("simB", "NOPE") === undefined);
  assert.deepEqual(quoteOf(cache, leg), quoteOf(calls, leg));
  feedFunding(2e-4);
  venues.get("simB")!.predictFunding(symbol, 3e-4);
  book("simB", "ETH", 3_600, 4);
  const q = quoteOf(cache, leg);
  assert.equal(q.ratePerHour, 2e-4);
  assert.equal(q.rateTs, clock.now());
  assert.equal(q.predictedRatePerHour, 3e-4);
  assert.deepEqual(q.bids[0], { price: 3_600, size: 4 });
  assert.deepEqual(q, quoteOf(calls, leg));
  venues.get("simB")!.predictFunding(symbol, undefined);
  assert.equal("predictedRatePerHour" in quoteOf(cache, leg), false, "a withdrawn forecast is gone");
});

test("listingReads and quoteFromReads: the quote quoteOf gives, through the handle or the per-figure calls; the reads change when a quote would", async () => {
  const { clock, venues, cache, book } = market();
  const { symbol, leg } = ethOnSimB();
  const calls = withoutListingHandle(cache);
  const depth = quoteDepthUsd(carryDefaults());
  const read = (view: typeof cache) => {
    const out: unknown[] = [];
    listingReads(view, leg, out);
    assert.equal(out.length, LISTING_READS);
    return out;
  };
  const check = (what: string) => {
    for (const view of [cache, calls]) {
      assert.deepEqual(quoteFromReads(read(view), 0, depth), quoteOf(view, leg, depth), what);
      assert.deepEqual(quoteFromReads(read(view), 0, Number.POSITIVE_INFINITY), quoteOf(view, leg), what);
    }
  };
  check("first books");
  const r1 = read(cache);
  await clock.advance(1_000);
  const r2 = read(cache);
  // the same book at the same version: the same values but the book's time
  assert.deepEqual(r2.slice(0, 7), r1.slice(0, 7));
  assert.equal(quoteFromReads(r2, 0, depth).bids, quoteFromReads(r1, 0, depth).bids, "the same level arrays");
  venues.get("simB")!.feed({ type: "funding", venue: "simB", symbol, ts: clock.now(), ratePerHour: 2e-4 });
  venues.get("simB")!.predictFunding(symbol, 3e-4);
  book("simB", "ETH", 3_600, 4);
  const r3 = read(cache);
  assert.notEqual(r3[2], r2[2], "a new book version");
  assert.equal(r3[4], 2e-4);
  assert.equal(r3[5], 3e-4);
  assert.equal(r3[6], clock.now());
  check("new rate, forecast and book");
  venues.get("simB")!.predictFunding(symbol, undefined);
  check("forecast withdrawn");
});
