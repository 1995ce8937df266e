import assert from "node:assert/strict";
import { test } from "node:test";
import { blockedWhy, emptyBlocks, isBlocked, recordClose } from "./blocks.ts";
import { carryDefaults, carryInstanceSchema } from "./config.ts";
import { evaluate, roundTripCostBps, sizeUsd, thresholdBps, type VenueQuote } from "./entry.ts";
import { decideExit, type ExitInput, stopLines } from "./exits.ts";

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
  openTotalUsd: 0,
  openBaseUsd: 0,
  freeMarginUsd: [5_000, 5_000] as const,
  leverage: 3,
};

test("config: defaults of STRATEGIES.md, and bad values rejected with their paths", () => {
  assert.equal(c.min_funding_bps, 40);
  assert.equal(c.hold_max_hours, 24);
  assert.equal(c.mtm_stop_bps, 300);
  assert.equal(c.max_carry_total_alloc_pct, 0.5);
  const r = carryInstanceSchema.safeParse({
    kind: "carry",
    hold_min_hours: 30,
    min_funding_bps: -1,
    liquidation_close_pct: 0.3,
    stop_loss_tiers: [{ min_yield_bps: 50, stop_bps: 100, trail_bps: 50 }],
    pairs: { blocked_patterns: ["(("] },
    unknown_key: 1,
  });
  assert.equal(r.success, false);
  const paths = r.error!.issues.map((i) => i.path.join("."));
  for (const p of ["min_funding_bps", "pairs.blocked_patterns.0", ""])
    assert.ok(paths.includes(p), `${p} in ${JSON.stringify(paths)}`);
  const r2 = carryInstanceSchema.safeParse({ kind: "carry", hold_min_hours: 30, liquidation_close_pct: 0.3 });
  const p2 = r2.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  assert.ok(
    p2.some((x) => x.startsWith("hold_min_hours: must be at most hold_max_hours")),
    p2.join("; "),
  );
  assert.ok(p2.some((x) => x.startsWith("liquidation_close_pct: must be below liquidation_warn_pct")));
});

test("entry: short the higher rate, net = yield x hold_min_hours - cost, every fee once", () => {
  // 0.1 %/h vs 0.02 %/h: y_h = 8e-4 -> 64 bps per 8 h
  const op = evaluate(c, "BTC", quote("a", 0.001), quote("b", 0.0002), sizing, NOW);
  assert.equal(op.short.venue, "a");
  assert.equal(op.long.venue, "b");
  assert.ok(Math.abs(op.yield8hBps - 64) < 1e-9);
  // 4 taker fees (2 in, 2 out) + buffer + 2 x slippage of both legs (0.5 bps each at the touch)
  const cost = roundTripCostBps(c, op.long, op.short, op.sizeUsd);
  assert.ok(Math.abs(cost - (4 * 4.5 + 2 + 2 * (0.5 + 0.5))) < 0.01, String(cost));
  assert.ok(Math.abs(op.netBps - (8 * 8 - cost)) < 1e-9);
  assert.ok(Math.abs(op.breakevenHours - cost / 8) < 1e-9);
  assert.deepEqual(op.rejections, [], "42 bps net >= min_funding_bps 40, break-even 2.75 h <= 6 h");
  // the pair threshold overrides min_funding_bps (either order of the venues)
  const strict = carryDefaults({ pair_threshold_bps: { "b-a": 45 } });
  assert.deepEqual(evaluate(strict, "BTC", quote("a", 0.001), quote("b", 0.0002), sizing, NOW).rejections, [
    "below_threshold",
  ]);
  // maker entry lowers the cost by the maker/taker difference of both entry legs
  const maker = carryDefaults({ maker_entry: true });
  assert.ok(
    Math.abs(
      roundTripCostBps(c, op.long, op.short, op.sizeUsd) -
        roundTripCostBps(maker, op.long, op.short, op.sizeUsd) -
        6,
    ) < 1e-9,
  );
});

test("pair threshold: kept per settings object and venue pair, the answer of the settings asked", () => {
  const a = carryDefaults({ pair_threshold_bps: { "x-y": 45 } });
  const b = carryDefaults({ pair_threshold_bps: { "y-x": 55, "x-z": 60 } });
  for (let round = 0; round < 2; round++) {
    // asked again, the same answers; each settings object its own, either order of the venues
    assert.equal(thresholdBps(a, "x", "y"), 45);
    assert.equal(thresholdBps(a, "y", "x"), 45);
    assert.equal(thresholdBps(b, "x", "y"), 55);
    assert.equal(thresholdBps(b, "z", "x"), 60);
    assert.equal(thresholdBps(a, "x", "z"), a.min_funding_bps);
    assert.equal(thresholdBps(b, "y", "z"), b.min_funding_bps);
    // a thin market pays the premium whatever the pair
    assert.equal(thresholdBps(b, "x", "z", b.min_volume_premium_usd - 1), b.premium_funding_bps);
  }
});

test("entry gates: stale rate, stale BBO, thin depth, wide spread, break-even", () => {
  const rej = (a: Partial<VenueQuote>, cfg = c) =>
    evaluate(cfg, "BTC", quote("a", 0.001, a), quote("b", 0.0002), sizing, NOW).rejections;
  assert.deepEqual(rej({ rateTs: NOW - 16 * 60_000 }), ["stale_rate"]);
  assert.deepEqual(rej({ bboTs: NOW - 6000 }), ["stale_bbo"]);
  assert.ok(rej({ bids: [{ price: 99_995, size: 0.0001 }] }).includes("thin_depth"));
  assert.ok(rej({ asks: [{ price: 102_000, size: 10 }] }).includes("wide_spread"));
  assert.ok(rej({}, carryDefaults({ max_breakeven_hours: 2 })).includes("breakeven_too_long"));
});

test("sizing: slice of the cap, yield clamp, max_position_usd, per-base and total caps, drawdown", () => {
  const big = carryDefaults({ max_position_usd: 1e9 });
  // E x 0.5 x 0.1 x clamp(64/100) = 10000 x 0.05 x 0.64
  assert.ok(Math.abs(sizeUsd(big, 64, sizing) - 320) < 1e-9);
  assert.ok(Math.abs(sizeUsd(big, 400, sizing) - 750) < 1e-9, "clamped at 1.5");
  assert.equal(sizeUsd(carryDefaults({ max_position_usd: 100 }), 64, sizing), 100);
  assert.ok(Math.abs(sizeUsd(big, 64, { ...sizing, openTotalUsd: 4_900 }) - 100) < 1e-9, "total cap");
  assert.ok(
    Math.abs(sizeUsd(big, 64, { ...sizing, peakEquityUsd: 10_600 }) - 160) < 1e-9,
    "5 % drawdown halves",
  );
  assert.equal(
    sizeUsd(big, 64, { ...sizing, freeMarginUsd: [50, 5_000] }),
    150,
    "margin of the thinner venue",
  );
});

const base: ExitInput = {
  now: NOW,
  openedAt: NOW - 2 * HOUR,
  entryYieldBps: 64,
  cy: 64,
  mtmUsd: 0,
  sizeUsd: 500,
  fundingUsd: 0,
  peakBps: 0,
  liqDistances: [0.3, 0.3],
  bboAgesMs: [100, 100],
  missingBboChecks: 0,
  deferredSince: null,
  spikeProtectUntil: 0,
};
const reason = (o: Partial<ExitInput>, cfg = c) => {
  const d = decideExit(cfg, { ...base, ...o });
  return d.kind === "close" ? d.reason : d.kind;
};

test("exits: each rule in STRATEGIES.md order, first match wins", () => {
  assert.equal(reason({}), "hold");
  assert.equal(reason({ missingBboChecks: 6 }), "stale_data");
  assert.equal(
    reason({ bboAgesMs: [100, 5000], liqDistances: [0.01, 0.3] }),
    "defer",
    "stale BBO defers even the guard",
  );
  assert.equal(
    reason({ bboAgesMs: [100, 5000], deferredSince: NOW - 301_000, liqDistances: [0.01, 0.3] }),
    "liquidation_guard",
    "forced after deferred_exit_max_s",
  );
  assert.equal(reason({ liqDistances: [0.3, 0.14] }), "liquidation_guard");
  assert.equal(reason({ openedAt: NOW - 24 * HOUR }), "time_limit");
  assert.equal(reason({ cy: 40, mtmUsd: 0.5 }), "low_yield");
  assert.equal(reason({ cy: 40, mtmUsd: 0.5, openedAt: NOW - 20 * 60_000 }), "hold", "low yield waits 0.5 h");
  // tier for anchor 64: stop 200 (past the 1 h multiplier window); -10.5 bps is fine, -201 is not
  assert.equal(reason({ mtmUsd: -10.05 }), "stop_loss", "-201 bps on $500");
  assert.equal(reason({ mtmUsd: -5 }), "hold");
  assert.equal(reason({ peakBps: 120, mtmUsd: 0.5 }), "trailing_stop", "peak 120 - trail 100 = 20 > 10 bps");
  assert.equal(reason({ mtmUsd: 3.3 }), "take_profit", "66 bps >= entry yield 64");
  assert.equal(reason({ entryYieldBps: 120, cy: 120, mtmUsd: 10 }), "take_profit", "2 % of size");
  assert.equal(reason({ cy: -6, mtmUsd: -0.5 }), "reversal");
  assert.equal(
    reason({ cy: 0.5, mtmUsd: 0.5, openedAt: NOW - 9 * HOUR }),
    "low_yield",
    "profitable: low_yield comes first",
  );
  assert.equal(reason({ cy: 0.5, mtmUsd: -1, openedAt: NOW - 9 * HOUR }), "reversal");
});

test("stop line: multiplier window, cushion, time bonus, spike buffer, hard floor", () => {
  const at = (o: Partial<ExitInput>) => stopLines(c, { ...base, ...o }).base;
  assert.equal(at({}), -200);
  assert.equal(at({ openedAt: NOW - 0.5 * HOUR }), -300, "64 x 5 widening, floored at mtm_stop_bps");
  assert.equal(at({ fundingUsd: 2.5 }), -225, "half of 50 bps collected");
  assert.equal(at({ openedAt: NOW - 6 * HOUR }), -220, "2 h past the start x 10");
  assert.equal(at({ spikeProtectUntil: NOW + 1 }), -300);
  assert.equal(stopLines(carryDefaults({ mtm_stop_bps: 150 }), base).base, -150);
});

test("blocks: reversals within the window block a base; a loss blocks it; forced exits cool down", () => {
  const s = emptyBlocks();
  recordClose(s, c, {
    base: "BTC",
    direction: "a>b",
    reason: "reversal",
    realisedUsd: -1,
    forced: false,
    now: NOW,
  });
  assert.equal(blockedWhy(s, "BTC", "a>b", NOW), undefined);
  recordClose(s, c, {
    base: "BTC",
    direction: "a>b",
    reason: "reversal",
    realisedUsd: -1,
    forced: false,
    now: NOW + HOUR,
  });
  assert.match(blockedWhy(s, "BTC", "a>b", NOW + HOUR) ?? "", /2 reversals/);
  assert.equal(blockedWhy(s, "BTC", "a>b", NOW + 50 * HOUR), undefined);
  recordClose(s, c, {
    base: "ETH",
    direction: "a>b",
    reason: "stop_loss",
    realisedUsd: -60,
    forced: true,
    now: NOW,
  });
  assert.match(blockedWhy(s, "ETH", "b>a", NOW + HOUR) ?? "", /realised loss/);
  recordClose(s, c, {
    base: "SOL",
    direction: "a>b",
    reason: "stop_loss",
    realisedUsd: -1,
    forced: true,
    now: NOW,
  });
  assert.match(blockedWhy(s, "SOL", "a>b", NOW + 60_000) ?? "", /cooling down/);
  assert.equal(blockedWhy(s, "SOL", "b>a", NOW + 60_000), undefined, "the other direction is free");
  // the scan's yes/no form answers as blockedWhy does, for every base, direction and time here
  s.cooldowns.DOGE = NOW + HOUR; // a base-wide cooldown (an entry that failed)
  let blocked = 0;
  for (const base of ["BTC", "ETH", "SOL", "DOGE", "XRP"])
    for (const dir of ["a>b", "b>a"])
      for (const t of [NOW - 1, NOW, NOW + 60_000, NOW + HOUR, NOW + 50 * HOUR]) {
        const why = blockedWhy(s, base, dir, t);
        assert.equal(isBlocked(s, base, t, `${base}:${dir}`), why !== undefined, `${base} ${dir} ${t}`);
        if (why !== undefined) blocked++;
      }
  assert.ok(blocked >= 8, `blocked in ${blocked} cases`);
});
