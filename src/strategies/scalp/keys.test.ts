import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { type ScalpConfig, scalpDefaults, scalpInstanceSchema } from "./config.ts";
import {
  computeEdge,
  emptyEdge,
  entrySlipBps,
  firstRejection,
  type GateInput,
  notionalUsd,
  passesDecay,
  type Touch,
} from "./entry.ts";
import { decideExit, type ExitInput } from "./exits.ts";

/**
 * One check per scalp key a pure decision reads (STRATEGIES.md 2.2): the outcome with the default
 * differs from the outcome with the key changed (issue 15: "a test per key group shows behaviour
 * changes when the key changes"). Keys the running strategy reads itself (cooldowns, leverage,
 * the pair universe, close pricing) change what happens on the simulated clock in
 * src/app/scalp-keys.test.ts; the last test here checks that every key of the schema is in one
 * of the two.
 */

const c = scalpDefaults({ enabled: true });
const NOW = 100_000;

/** a: 100.00/100.01, b: 100.60/100.61, taker 4.5 bps each: an edge of about 49 bps */
const touch = (bid: number, ask: number, o: Partial<Touch> = {}): Touch => ({
  bid,
  ask,
  bidSize: 100,
  askSize: 100,
  ts: NOW - 100,
  takerFee: 0.00045,
  ...o,
});
const gate = (o: Partial<GateInput> = {}): GateInput => ({
  now: NOW,
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
/** the first failing entry gate (gates 1-9) on the dislocated touches, or "pass" */
const entry = (
  k: ScalpConfig,
  g: Partial<GateInput> = {},
  a: Partial<Touch> = {},
  b: Partial<Touch> = {},
) => {
  const ta = touch(100, 100.01, a);
  const tb = touch(100.6, 100.61, b);
  const e = computeEdge(ta, tb, k.slippage_bps_buffer, emptyEdge());
  return firstRejection(k, ta, tb, e, gate(g)) ?? "pass";
};
const sized = (k: ScalpConfig, equityA: number, equityB: number, openNotionalUsd = 0) =>
  notionalUsd(k, { equityA, equityB, openNotionalUsd });
const exit = (k: ScalpConfig, o: Partial<ExitInput>) => {
  const d = decideExit(k, {
    now: NOW,
    openedAt: NOW - 60_000,
    netBps: 0,
    peakBps: 0,
    entryEdgeBps: 40,
    liqDistance: Number.POSITIVE_INFINITY,
    bboAgeMs: 100,
    ...o,
  });
  return d.kind === "close" ? d.reason : d.kind;
};

/** the key, the change, what is observed, and the observation with the default and with the change */
type Case = readonly [
  key: string,
  changed: Partial<ScalpConfig>,
  observe: (k: ScalpConfig) => unknown,
  withDefault: unknown,
  withChange: unknown,
];

const CASES: readonly Case[] = [
  // edge and entry gates
  ["spread_entry_bps", { spread_entry_bps: 55 }, (k) => entry(k), "pass", "below_entry"],
  ["slippage_bps_buffer", { slippage_bps_buffer: 12 }, (k) => entry(k), "pass", "below_entry"],
  ["max_edge_bps", { max_edge_bps: 45 }, (k) => entry(k), "pass", "suspicious_edge"],
  ["max_volatility_bps", { max_volatility_bps: 15 }, (k) => entry(k, { rangeBps: 20 }), "pass", "volatility"],
  ["required_confirms", { required_confirms: 2 }, (k) => entry(k, { confirms: 1 }), "pass", "unconfirmed"],
  [
    "max_bbo_age_ms (entry)",
    { max_bbo_age_ms: 200 },
    (k) => entry(k, {}, { ts: NOW - 300 }),
    "pass",
    "stale_bbo",
  ],
  ["max_spread_pct", { max_spread_pct: 0.00005 }, (k) => entry(k), "pass", "wide_spread"],
  // 1.1 x (1.5 x (1 + 1) + 45) = 52.8 > the 49 bps edge; the default floor (9, the taker sum) passes
  ["estimated_exit_fees_bps", { estimated_exit_fees_bps: 45 }, (k) => entry(k), "pass", "spread_cost"],
  // $10,000 at each touch: 6.6 x $50 passes, 250 x $50 does not
  ["min_depth_multiple", { min_depth_multiple: 250 }, (k) => entry(k), "pass", "insufficient_depth"],
  // 35 bps at the VWAPs keeps 0.8 x 40 = 32, not 0.9 x 40 = 36
  ["edge_decay_ratio", { edge_decay_ratio: 0.9 }, (k) => passesDecay(k, 35), true, false],
  [
    "min_trade_gap_s",
    { min_trade_gap_s: 2 },
    (k) => entry(k, { lastEntryAt: NOW - 1000 }),
    "pass",
    "trade_gap",
  ],
  // sizing, USD (0: nothing entered, no_allocation)
  ["alloc_frac_per_trade", { alloc_frac_per_trade: 0.1 }, (k) => sized(k, 1000, 2000), 50, 100],
  // 0.20 x 2000 - 360 open = 40; 0.25 x 2000 - 360 = 140, so alloc_frac_per_trade's 50
  [
    "max_scalp_total_alloc_pct",
    { max_scalp_total_alloc_pct: 0.25 },
    (k) => sized(k, 1000, 1000, 360),
    40,
    50,
  ],
  ["notional_per_trade_min", { notional_per_trade_min: 5 }, (k) => sized(k, 200, 1000), 0, 10],
  ["notional_per_trade_max", { notional_per_trade_max: 300 }, (k) => sized(k, 10_000, 10_000), 200, 300],
  ["max_total_notional_usd", { max_total_notional_usd: 300 }, (k) => sized(k, 1e5, 1e5, 250), 200, 50],
  // pricing: slip = max(min_slippage_bps, min(1.2 x 1 bps spread, 0.4 x 40 bps edge))
  ["min_slippage_bps", { min_slippage_bps: 8 }, (k) => entrySlipBps(k, 1, 40), 5, 8],
  // exits
  [
    "max_bbo_age_ms (exit)",
    { max_bbo_age_ms: 200 },
    (k) => exit(k, { netBps: -100, bboAgeMs: 300 }),
    "stop_loss",
    "defer",
  ],
  ["stale_close_s", { stale_close_s: 10 }, (k) => exit(k, { bboAgeMs: 20_000 }), "defer", "stale_data"],
  [
    "liquidation_close_pct",
    { liquidation_close_pct: 0.25 },
    (k) => exit(k, { liqDistance: 0.2 }),
    "hold",
    "liquidation_guard",
  ],
  [
    "stop_loss_bps",
    { stop_loss_bps: 80 },
    (k) => exit(k, { netBps: -60, peakBps: -60 }),
    "stop_loss",
    "hold",
  ],
  // 30 bps is below 0.15 x a 300 bps entry edge, not below 0.10 x it
  [
    "take_profit_pct",
    { take_profit_pct: 0.1 },
    (k) => exit(k, { netBps: 30, peakBps: 30, entryEdgeBps: 300 }),
    "hold",
    "take_profit",
  ],
  [
    "min_profit_bps",
    { min_profit_bps: 15 },
    (k) => exit(k, { netBps: 20, peakBps: 20 }),
    "hold",
    "take_profit",
  ],
  [
    "trailing_arm_bps",
    { trailing_arm_bps: 8 },
    (k) => exit(k, { netBps: 5, peakBps: 9 }),
    "hold",
    "trailing_stop",
  ],
  // 4 of a 20 bps peak given back: under a quarter, not under a fifth
  [
    "trailing_giveback_pct",
    { trailing_giveback_pct: 0.2 },
    (k) => exit(k, { netBps: 16, peakBps: 20 }),
    "hold",
    "trailing_stop",
  ],
  ["max_hold_hours", { max_hold_hours: 0.01 }, (k) => exit(k, {}), "hold", "time_limit"],
];

test("every key a pure scalp decision reads changes the decision when it changes", () => {
  const wrong: string[] = [];
  for (const [key, changed, observe, withDefault, withChange] of CASES) {
    assert.notDeepEqual(withDefault, withChange, `${key}: the case must tell the two apart`);
    const got = [observe(c), observe({ ...c, ...changed })];
    if (JSON.stringify(got) !== JSON.stringify([withDefault, withChange]))
      wrong.push(`${key}: ${JSON.stringify(got)}, expected ${JSON.stringify([withDefault, withChange])}`);
  }
  assert.deepEqual(wrong, []);
});

/**
 * Keys the running strategy or the run around it reads: each has a test on the simulated clock
 * (or the recorded backtest) whose title names it.
 */
const ELSEWHERE: Readonly<Record<string, string>> = {
  enabled: "src/app/scalp-keys.test.ts",
  dry_run: "src/app/scalp-keys.test.ts",
  wallets: "src/app/scalp-keys.test.ts",
  venues: "src/app/scalp-keys.test.ts",
  seed: "src/app/scalp-keys.test.ts",
  max_exposure_usd: "src/app/scalp-keys.test.ts",
  symbol_cooldown_s: "src/app/scalp-keys.test.ts",
  bad_symbol_s: "src/app/scalp-keys.test.ts",
  exit_slippage_bps: "src/app/scalp-keys.test.ts",
  flatten_timeout_s: "src/app/scalp-keys.test.ts",
  max_slippage_bps: "src/app/scalp-keys.test.ts",
  sanity_max_wait_s: "src/app/scalp-keys.test.ts",
  sanity_rel_tol: "src/app/scalp-keys.test.ts",
  pairs_refresh_s: "src/app/scalp-keys.test.ts",
  pairs: "src/app/scalp-keys.test.ts",
  leverage: "src/app/scalp-keys.test.ts",
  paper_equity_usd: "src/app/scalp-backtest.test.ts",
  ioc_emulation_ms: "src/app/scalp-ioc.test.ts",
};
const NOT_YET = new Set(["kind"]);

test("every scalp key is covered: by a case above or by a test elsewhere whose title names it", () => {
  const here = new Set(CASES.map(([key]) => key.split(" ")[0]));
  const titles = new Map<string, string>();
  const titlesOf = (file: string) => {
    let t = titles.get(file);
    if (t === undefined) {
      const text = readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8");
      t = [...text.matchAll(/\btest\(\s*"([^"]*)"/g)].map((m) => m[1]).join("\n");
      titles.set(file, t);
    }
    return t;
  };
  const uncovered: string[] = [];
  for (const key of Object.keys(scalpInstanceSchema.shape)) {
    if (NOT_YET.has(key) || here.has(key)) continue;
    const file = ELSEWHERE[key];
    if (file === undefined || !new RegExp(`\\b${key}\\b`).test(titlesOf(file))) uncovered.push(key);
  }
  assert.deepEqual(uncovered, []);
});

test("docs/strategies/scalp.md lists every scalp key with its default, its description and its seed 002 origin", () => {
  const doc = readFileSync(new URL("../../../docs/strategies/scalp.md", import.meta.url), "utf8");
  const d = scalpDefaults();
  const missing: string[] = [];
  for (const [key, schema] of Object.entries(scalpInstanceSchema.shape)) {
    if (key === "kind") continue;
    const row = doc.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
    const v = (d as Record<string, unknown>)[key];
    const cells = row?.split(" | ") ?? [];
    if (row === undefined) missing.push(`${key} (no row)`);
    else if (typeof v !== "object" && cells[1] !== String(v)) missing.push(`${key} (default ${String(v)})`);
    else if (!row.includes(String(schema.description))) missing.push(`${key} (description)`);
    else if (!(cells.length === 4 && cells[3].replace(/\s*\|\s*$/, "").trim().length > 0))
      missing.push(`${key} (seed origin)`);
  }
  assert.deepEqual(missing, []);
});
