import assert from "node:assert/strict";
import { test } from "node:test";
import { scalpDefaults, scalpInstanceSchema } from "./config.ts";
import {
  computeEdge,
  edgeAt,
  emptyEdge,
  entrySlipBps,
  exitFeesBps,
  firstRejection,
  type GateInput,
  MidHistory,
  notionalUsd,
  passesDecay,
  quantityOn,
  type Touch,
} from "./entry.ts";
import {
  decideExit,
  type ExitInput,
  entryEdgeBps,
  liquidationDistance,
  netBps,
  type ScalpLeg,
} from "./exits.ts";

const c = scalpDefaults({ enabled: true });
const touch = (bid: number, ask: number, o: Partial<Touch> = {}): Touch => ({
  bid,
  ask,
  bidSize: 100,
  askSize: 100,
  ts: 1000,
  takerFee: 0.00045,
  ...o,
});
const gate = (o: Partial<GateInput> = {}): GateInput => ({
  now: 1000,
  lastEntryAt: Number.NEGATIVE_INFINITY,
  rangeBps: 0,
  momentumBpsPerS: 0,
  confirms: 1,
  held: false,
  cooldownUntil: 0,
  badUntil: 0,
  notionalUsd: 50,
  ...o,
});

test("config: every default of STRATEGIES.md 2.2; crossed bounds, wrong signs and unknown keys refused with their paths", () => {
  assert.equal(c.spread_entry_bps, 40);
  assert.equal(c.slippage_bps_buffer, 2);
  assert.equal(c.max_edge_bps, 150);
  assert.equal(c.max_volatility_bps, 50);
  assert.equal(c.required_confirms, 1);
  assert.equal(c.max_bbo_age_ms, 500);
  assert.equal(c.max_spread_pct, 0.01);
  assert.equal(c.estimated_exit_fees_bps, 7);
  assert.equal(c.min_depth_multiple, 6.6);
  assert.equal(c.edge_decay_ratio, 0.8);
  assert.equal(c.min_trade_gap_s, 0.5);
  assert.equal(c.symbol_cooldown_s, 10);
  assert.equal(c.alloc_frac_per_trade, 0.05);
  assert.equal(c.max_scalp_total_alloc_pct, 0.2);
  assert.equal(c.notional_per_trade_min, 12);
  assert.equal(c.notional_per_trade_max, 200);
  assert.equal(c.max_total_notional_usd, 5000);
  assert.equal(c.min_slippage_bps, 5);
  assert.equal(c.ioc_emulation_ms, 500);
  assert.equal(c.stop_loss_bps, 50);
  assert.equal(c.take_profit_pct, 0.15);
  assert.equal(c.min_profit_bps, 25);
  assert.equal(c.trailing_arm_bps, 10);
  assert.equal(c.trailing_giveback_pct, 0.25);
  assert.equal(c.bad_symbol_s, 1800);
  assert.equal(c.max_hold_hours, 0.167);
  assert.equal(c.exit_slippage_bps, 2);
  assert.equal(c.flatten_timeout_s, 15);
  assert.equal(c.max_slippage_bps, 50);
  assert.equal(c.liquidation_close_pct, 0.15);
  assert.equal(c.sanity_max_wait_s, 45);
  assert.equal(c.sanity_rel_tol, 0.5);
  assert.equal(scalpDefaults().enabled, false, "off unless asked (STRATEGIES.md: enabled false)");
  const bad = scalpInstanceSchema.safeParse({
    kind: "scalp",
    spread_entry_bps: 200,
    notional_per_trade_min: 300,
    stop_loss_bps: -5,
    take_profit_pct: 1.5,
    spred_entry_bps: 3,
    pairs: { blocked_patterns: ["(["] },
  });
  assert.equal(bad.success, false);
  const msgs = bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const has = (re: RegExp) =>
    assert.ok(
      msgs.some((m) => re.test(m)),
      `${re} in\n${msgs.join("\n")}`,
    );
  has(/^stop_loss_bps: /);
  has(/^take_profit_pct: /);
  has(/spred_entry_bps/);
  has(/^pairs\.blocked_patterns\.0: regular expression/);
});

test("config: rules between keys name both", () => {
  const bad = scalpInstanceSchema.safeParse({
    kind: "scalp",
    spread_entry_bps: 200,
    notional_per_trade_min: 300,
  });
  const msgs = bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  assert.ok(msgs.includes("spread_entry_bps: must be at most max_edge_bps (150)"), msgs.join("\n"));
  assert.ok(
    msgs.includes("notional_per_trade_min: must be at most notional_per_trade_max (200)"),
    msgs.join("\n"),
  );
});

test("edge: both directions net of each venue's taker fee, minus the buffer", () => {
  // a: 100.00/100.01, b: 100.60/100.61; buy a sell b: (100.6 x (1-4.5e-4) - 100.01 x (1+4e-4)) / mid
  const a = touch(100, 100.01, { takerFee: 0.0004 });
  const b = touch(100.6, 100.61);
  const e = computeEdge(a, b, 2, emptyEdge());
  const mid = (100 + 100.01 + 100.6 + 100.61) / 4;
  const e1 = ((100.6 * (1 - 0.00045) - 100.01 * 1.0004) / mid) * 1e4;
  assert.ok(Math.abs(e.e1 - e1) < 1e-9);
  assert.equal(e.dir, 1);
  assert.ok(Math.abs(e.edge - (e1 - 2)) < 1e-9);
  assert.ok(e.e2 < -60, "the other direction loses the spread and the fees");
  const r = computeEdge(b, a, 2, emptyEdge());
  assert.equal(r.dir, -1, "mirror: sell the first, buy the second");
  assert.ok(Math.abs(r.edge - e.edge) < 1e-9);
  assert.ok(Number.isNaN(computeEdge(touch(Number.NaN, 100), b, 2, emptyEdge()).edge));
});

test("gates in order, each with its own reason", () => {
  const a = touch(100, 100.01);
  const b = touch(100.6, 100.61);
  const e = computeEdge(a, b, 2, emptyEdge()); // ~ 49 bps
  assert.equal(firstRejection(c, a, b, e, gate()), null);
  assert.equal(firstRejection(c, touch(Number.NaN, 100), b, e, gate()), "no_book");
  assert.equal(firstRejection(c, a, b, e, gate({ lastEntryAt: 700 })), "trade_gap");
  assert.equal(firstRejection(c, a, b, e, gate({ rangeBps: 60 })), "volatility");
  // a range over 25 bps lifts the floor to 60
  assert.equal(firstRejection(c, a, b, e, gate({ rangeBps: 30 })), "below_entry");
  assert.equal(
    firstRejection(c, a, touch(100.2, 100.21), computeEdge(a, touch(100.2, 100.21), 2, emptyEdge()), gate()),
    "below_entry",
  );
  const far = touch(102.5, 102.51);
  assert.equal(firstRejection(c, a, far, computeEdge(a, far, 2, emptyEdge()), gate()), "suspicious_edge");
  assert.equal(firstRejection({ ...c, required_confirms: 3 }, a, b, e, gate({ confirms: 2 })), "unconfirmed");
  assert.equal(firstRejection(c, { ...a, ts: 400 }, b, e, gate()), "stale_bbo");
  assert.equal(firstRejection(c, a, b, e, gate({ held: true })), "held_symbol");
  assert.equal(firstRejection(c, a, b, e, gate({ badUntil: 2000 })), "bad_symbol");
  assert.equal(firstRejection(c, a, b, e, gate({ cooldownUntil: 2000 })), "cooldown");
  assert.equal(firstRejection(c, a, b, e, gate({ momentumBpsPerS: 150 })), "momentum");
  const wideA = touch(99, 100.01);
  const wideE = computeEdge(wideA, b, 2, emptyEdge());
  assert.equal(firstRejection({ ...c, max_edge_bps: 200 }, wideA, b, wideE, gate()), "wide_spread");
  // 30 bps spread on a: 1.1 x (1.5 x 31 + 9) = 61 > ~49 edge
  const costly = touch(99.7, 100.01);
  assert.equal(firstRejection(c, costly, b, computeEdge(costly, b, 2, emptyEdge()), gate()), "spread_cost");
  assert.equal(firstRejection(c, a, b, e, gate({ notionalUsd: 0 })), "no_allocation");
  // depth: 6.6 x 50 = $330 needed on the ask of a; 3 units x $100 = $300
  assert.equal(firstRejection(c, { ...a, askSize: 3 }, b, e, gate()), "insufficient_depth");
  assert.equal(firstRejection(c, a, { ...b, bidSize: 3 }, e, gate()), "insufficient_depth");
  assert.equal(firstRejection(c, a, b, e, gate()), null, "and the other sides do not count");
  assert.equal(firstRejection(c, { ...a, bidSize: 0 }, { ...b, askSize: 0 }, e, gate()), null);
});

test("exit fee floor: the real taker sum wins over estimated_exit_fees_bps", () => {
  assert.equal(exitFeesBps(c, touch(1, 2, { takerFee: 0.0002 }), touch(1, 2, { takerFee: 0.0002 })), 7);
  assert.ok(
    Math.abs(exitFeesBps(c, touch(1, 2, { takerFee: 0.00045 }), touch(1, 2, { takerFee: 0.0004 })) - 8.5) <
      1e-9,
  );
});

test("gate 10: edge at the VWAPs must keep edge_decay_ratio of spread_entry_bps", () => {
  const mid = 100.3;
  const vw = edgeAt(100.05, 0.00045, 100.5, 0.00045, mid, 2);
  assert.ok(vw > 32 && vw < 40, String(vw));
  assert.equal(passesDecay(c, vw), vw >= 32);
  assert.equal(passesDecay(c, 31.9), false);
  assert.equal(passesDecay(c, 32), true);
});

test("sizing: min equity x alloc, every cap, and nothing below the minimum", () => {
  const s = (a: number, b: number, open = 0) =>
    notionalUsd(c, { equityA: a, equityB: b, openNotionalUsd: open });
  assert.equal(s(1000, 2000), 50);
  assert.equal(s(10_000, 10_000), 200, "notional_per_trade_max");
  assert.equal(s(1000, 1000, 390), 0, "0.2 x 2000 - 390 = 10 < 12: nothing");
  assert.equal(s(1000, 1000, 360), 40);
  assert.equal(
    notionalUsd({ ...c, max_total_notional_usd: 300 }, { equityA: 1e5, equityB: 1e5, openNotionalUsd: 250 }),
    50,
  );
  assert.equal(s(200, 1000), 0, "10 < notional_per_trade_min 12");
  assert.equal(quantityOn(50, 60_000, 0.00001, 0.001), 0, "0.00083 BTC rounds to 0 on a 0.001 grid");
  assert.ok(Math.abs(quantityOn(200, 60_000, 0.00001, 0.001) - 0.003) < 1e-12);
  assert.equal(entrySlipBps(c, 1, 40), 5, "min_slippage_bps");
  assert.equal(entrySlipBps(c, 10, 40), 12, "1.2 x spread");
  assert.equal(entrySlipBps(c, 30, 40), 16, "0.4 x edge");
});

test("mid history: 5 s range and momentum (at least 5 samples over more than 0.1 s)", () => {
  const h = new MidHistory(64);
  h.push(0, 100);
  h.push(1000, 100.3);
  assert.ok(Math.abs(h.rangeBps(1000) - 30) < 1e-9);
  assert.equal(h.momentumBpsPerS(1000), 0, "two samples are no trend");
  for (let t = 3000; t <= 4000; t += 200) h.push(t, 100.3 + (t - 1000) / 1e4);
  assert.ok(Math.abs(h.momentumBpsPerS(4000) - ((0.1 / 100.5) * 1e4) / 1) < 1e-6, "over the last second");
  h.push(9500, 100);
  assert.equal(h.rangeBps(9500), 0, "older samples left the window");
  const burst = new MidHistory(64);
  for (let i = 0; i < 10; i++) burst.push(100 + i * 20, 100 + i);
  assert.ok(burst.samples >= 5);
  assert.ok(burst.momentumBpsPerS(300) > 100, "a fast move is momentum");
  const fast = new MidHistory(64);
  for (let i = 0; i < 10; i++) fast.push(i, 100 + i);
  assert.equal(fast.samples, 1, "samples 10 ms apart replace each other");
  assert.equal(fast.momentumBpsPerS(9), 0);
});

const long: ScalpLeg = { venue: "a", symbol: "X", multiplier: 1, qty: 1, entryPrice: 100, takerFee: 0.0005 };
const short: ScalpLeg = {
  venue: "b",
  symbol: "X",
  multiplier: 1,
  qty: 1,
  entryPrice: 100.5,
  takerFee: 0.0005,
};

test("net_bps: leg PnL at executable exit prices, minus fees paid and projected exit fees", () => {
  // converged: long sells at 100.3, short buys back at 100.3: +0.5 pnl, fees 0.1005 paid, exit 0.1003
  const n = netBps(long, short, 0.1005, 100.3, 100.3);
  assert.ok(Math.abs(n - ((0.5 - 0.1005 - 0.1003) / 100) * 1e4) < 1e-9, String(n));
  assert.ok(Math.abs(entryEdgeBps(long, short, 0.1005) - ((0.5 - 0.1005) / 100.25) * 1e4) < 1e-9);
});

test("exits: first match wins, each with its reason", () => {
  const x = (o: Partial<ExitInput>): ExitInput => ({
    now: 60_000,
    openedAt: 0,
    netBps: 0,
    peakBps: 0,
    entryEdgeBps: 40,
    liqDistance: Number.POSITIVE_INFINITY,
    bboAgeMs: 10,
    ...o,
  });
  const r = (o: Partial<ExitInput>) => {
    const d = decideExit(c, x(o));
    return d.kind === "close" ? d.reason : d.kind;
  };
  assert.equal(r({}), "hold");
  assert.equal(r({ liqDistance: 0.1, netBps: -100 }), "liquidation_guard");
  assert.equal(r({ netBps: -51 }), "stop_loss");
  assert.equal(r({ netBps: -50 }), "hold");
  assert.equal(r({ netBps: 25, peakBps: 25 }), "take_profit");
  assert.equal(r({ netBps: 24, peakBps: 24 }), "hold", "below min_profit_bps");
  assert.equal(r({ netBps: 30, peakBps: 30, entryEdgeBps: 300 }), "hold", "below 15 % of a 300 bps entry");
  assert.equal(r({ netBps: 15, peakBps: 20 }), "trailing_stop");
  assert.equal(r({ netBps: 16, peakBps: 20 }), "hold");
  assert.equal(r({ netBps: 5, peakBps: 9 }), "hold", "not armed below trailing_arm_bps");
  assert.equal(r({ now: 0.167 * 3_600_000 }), "time_limit");
  assert.equal(r({ bboAgeMs: 600, netBps: -100 }), "defer", "no decision on an old book");
  assert.equal(r({ bboAgeMs: 31_000 }), "stale_data");
  assert.equal(r({ bboAgeMs: 600, now: 0.167 * 3_600_000 }), "time_limit", "time needs no book");
});

test("liquidation distance from the venue's price, never assumed", () => {
  assert.ok(Math.abs(liquidationDistance("long", 100, 70) - 0.3) < 1e-12);
  assert.ok(Math.abs(liquidationDistance("short", 100, 110) - 0.1) < 1e-12);
  assert.equal(liquidationDistance("long", 100, null), Number.POSITIVE_INFINITY);
});
