import assert from "node:assert/strict";
import { test } from "node:test";
import { carryDefaults } from "./config.ts";
import { edgeAtFillsBps, evaluate, mid, stressWhy, type VenueQuote } from "./entry.ts";
import {
  decideScaleUp,
  keepYieldFloorBps,
  optimisationTarget,
  type ScaleablePosition,
  scaleDownWhy,
} from "./scale.ts";

const c = carryDefaults();
const NOW = Date.UTC(2026, 0, 1, 12);
const HOUR = 3_600_000;

function quote(venue: string, ratePerHour: number, o: Partial<VenueQuote> = {}): VenueQuote {
  const levels = (p: number, d: number) =>
    Array.from({ length: 10 }, (_, i) => ({ price: p + d * i, size: 10 }));
  return {
    venue,
    symbol: "BTC",
    ratePerHour,
    rateTs: NOW - 60_000,
    bids: levels(99_995, -1),
    asks: levels(100_005, 1),
    bboTs: NOW - 100,
    makerFeeBps: 1.5,
    takerFeeBps: 4.5,
    ...o,
  };
}
const sizing = {
  equityUsd: 10_000,
  peakEquityUsd: 10_000,
  openTotalUsd: 300,
  openBaseUsd: 300,
  freeMarginUsd: [5_000, 5_000] as const,
  leverage: 3,
};
/** 152 bps per 8 h: net well above max(50, thr/2) */
const op = evaluate(c, "BTC", quote("A", 0.002), quote("B", 0.0001), sizing, NOW);
const held: ScaleablePosition = {
  openedAt: NOW - 2 * HOUR,
  entryYieldBps: 152,
  sizeUsd: 300,
  initialSizeUsd: 300,
  scaleUps: 0,
  slices: [],
  lastScaleAt: 0,
  lastMtmUsd: 1,
};
const x = {
  now: NOW,
  equityUsd: 10_000,
  openTotalUsd: 300,
  openBaseUsd: 300,
  othersScaledUp: 0,
  freeMarginUsd: [5_000, 5_000] as readonly [number, number],
  leverage: 3,
};
const why = (p: Partial<ScaleablePosition>, k: Partial<typeof c> = {}, more: Partial<typeof x> = {}) => {
  const d = decideScaleUp({ ...c, ...k }, { ...held, ...p }, op, { ...x, ...more });
  return d.ok ? `ok ${d.sliceUsd.toFixed(2)}` : d.why;
};

test("scale-up: every condition of STRATEGIES.md, and the slice within every cap", () => {
  assert.equal(op.rejections.length, 0);
  // E x max_carry_total_alloc_pct x scale_up_slice_pct = 10000 x 0.5 x 0.1 = 500, capped by
  // max_position_usd 500 - 300 held
  assert.equal(why({}), "ok 200.00");
  assert.equal(why({}, { max_position_usd: 5_000 }), "ok 500.00");
  assert.equal(why({}, { max_position_usd: 5_000, scale_up_slice_pct: 0.05 }), "ok 250.00");
  // 2.85 x the entry size caps the total
  assert.equal(why({ initialSizeUsd: 120, sizeUsd: 300 }, { max_position_usd: 5_000 }), "ok 42.00");
  assert.equal(why({ initialSizeUsd: 100, sizeUsd: 300 }), "max_multiple");
  assert.equal(why({ openedAt: NOW - 0.5 * HOUR }), "too_young");
  assert.equal(why({ lastMtmUsd: 0 }), "first_needs_profit");
  assert.equal(why({ lastMtmUsd: -1, slices: [{}] }), "mtm_too_low", "-1 $ on 300 is -33 bps");
  assert.equal(why({ lastMtmUsd: -0.5, slices: [{}] }), "ok 200.00", "-17 bps is allowed after the first");
  assert.equal(why({ lastScaleAt: NOW - 200_000 }), "cooldown");
  assert.equal(why({ lastScaleAt: NOW - 200_000 }, { scale_up_cooldown_s: 100 }), "ok 200.00");
  assert.equal(why({ scaleUps: 2 }), "max_scale_ups");
  assert.equal(why({ scaleUps: 2 }, { max_scale_ups: 3 }), "ok 200.00");
  assert.equal(why({}, {}, { othersScaledUp: 2 }), "max_pairs_with_scaleup");
  assert.equal(why({}, { max_pairs_with_scaleup: 3 }, { othersScaledUp: 2 }), "ok 200.00");
  assert.equal(why({ slices: [{}] }, {}, { othersScaledUp: 2 }), "ok 200.00", "already counted");
  assert.equal(why({ entryYieldBps: 200 }), "yield_decayed", "152 < 0.85 x 200");
  assert.equal(why({}, {}, { freeMarginUsd: [2, 5_000] }), "slice_too_small");
  const thin = evaluate(c, "BTC", quote("A", 0.0008), quote("B", 0.0001), sizing, NOW);
  assert.equal(decideScaleUp(c, held, thin, x).ok, false);
  const stale = evaluate(c, "BTC", quote("A", 0.002, { rateTs: 0 }), quote("B", 0.0001), sizing, NOW);
  assert.deepEqual(decideScaleUp(c, held, stale, x), { ok: false, why: "gates" });
});

test("keep-yield floor and scale-down", () => {
  assert.equal(keepYieldFloorBps(120), 102);
  assert.equal(keepYieldFloorBps(80), 72);
  assert.equal(keepYieldFloorBps(60), 60);
  const p = { entryYieldBps: 152, sizeUsd: 500, slices: [{}] };
  const ctx = { cy: 140, equityUsd: 10_000, openTotalUsd: 500 };
  assert.equal(scaleDownWhy(c, p, ctx), undefined);
  assert.equal(
    scaleDownWhy(c, { ...p, slices: [] }, { ...ctx, cy: 10 }),
    undefined,
    "no slice, nothing to give back",
  );
  assert.match(String(scaleDownWhy(c, p, { ...ctx, cy: 120 })), /< 129\.2/);
  assert.match(String(scaleDownWhy(c, p, { ...ctx, equityUsd: 900 })), /total cap/);
  assert.match(String(scaleDownWhy({ ...c, max_position_usd: 400 }, p, ctx)), /max_position_usd/);
});

test("optimisation: the worst forward value, beaten by the buffer, and only in profit", () => {
  const cand = evaluate(c, "ETH", quote("A", 0.004), quote("B", 0.0001), sizing, NOW);
  const heldList = [
    { groupId: "g1", base: "BTC", cy: 200, lastMtmUsd: 3, sizeUsd: 300 },
    { groupId: "g2", base: "SOL", cy: 100, lastMtmUsd: 3, sizeUsd: 300 },
  ];
  assert.equal(optimisationTarget(c, heldList, cand)?.groupId, "g2");
  assert.equal(optimisationTarget({ ...c, optimization_buffer_bps: cand.netBps }, heldList, cand), undefined);
  // g2's MTM is 100 bps: below a 150 floor
  assert.equal(optimisationTarget({ ...c, rebalance_min_profit_bps: 150 }, heldList, cand), undefined);
  assert.equal(optimisationTarget(c, [{ ...heldList[1], base: "ETH" }], cand), undefined, "not its own base");
});

test("predicted funding decides direction and yield where a venue publishes it", () => {
  const a = quote("A", 0.001);
  const b = quote("B", 0.0001, { predictedRatePerHour: 0.0015 });
  const o = evaluate(c, "BTC", a, b, sizing, NOW);
  assert.equal(o.short.venue, "B", "the forecast makes B the higher rate");
  assert.ok(Math.abs(o.yield8hBps - 40) < 1e-9);
  const none = evaluate(c, "BTC", a, quote("B", 0.0001), sizing, NOW);
  assert.equal(none.short.venue, "A");
  assert.ok(Math.abs(none.yield8hBps - 72) < 1e-9);
});

test("edge at the fills: planned fills keep the net; extra slippage and fees come off it", () => {
  const size = op.sizeUsd;
  const planned = edgeAtFillsBps(c, op, {
    longPrice: 100_005,
    shortPrice: 99_995,
    feesUsd: (size * 9) / 10_000,
    sizeUsd: size,
  });
  assert.ok(Math.abs(planned - op.netBps) < 0.01, `${planned} vs ${op.netBps}`);
  const m = mid(op.long);
  const worse = edgeAtFillsBps(c, op, {
    longPrice: 100_005 + m * 0.001, // 10 bps more on the long
    shortPrice: 99_995,
    feesUsd: (size * 11) / 10_000, // 2 bps more fees
    sizeUsd: size,
  });
  assert.ok(Math.abs(planned - worse - 12) < 0.01, String(planned - worse));
});

test("stress: a wide held spread, or fewer than half of three entries in an hour hedged", () => {
  assert.equal(stressWhy([10, 20], [], NOW), undefined);
  assert.match(String(stressWhy([10, 60], [], NOW)), /60\.0 bps > 50/);
  const e = (hedged: boolean, agoMin = 10) => ({ ts: NOW - agoMin * 60_000, hedged });
  assert.equal(stressWhy([], [e(false), e(false)], NOW), undefined, "fewer than three entries");
  assert.match(String(stressWhy([], [e(false), e(false), e(true)], NOW)), /1 of 3/);
  assert.equal(stressWhy([], [e(false), e(true), e(true)], NOW), undefined);
  assert.equal(stressWhy([], [e(false, 70), e(false, 70), e(true)], NOW), undefined, "older than an hour");
});
