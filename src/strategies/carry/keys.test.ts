import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { blockedWhy, emptyBlocks, recordClose } from "./blocks.ts";
import { type CarryConfig, carryDefaults, carryObject } from "./config.ts";
import { evaluate, sizeUsd, type VenueQuote } from "./entry.ts";
import { decideExit, type ExitInput, spikeProtectUntil, stopLines } from "./exits.ts";

/**
 * One check per key of STRATEGIES.md 1.2 that a pure decision reads: the outcome with the default
 * differs from the outcome with the key changed (issue 15: "a test per key group shows behaviour
 * changes when the key changes"). Keys read by the loops and the intents are in
 * src/app/carry-scale.test.ts and carry-scenarios.test.ts.
 */

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
  freeMarginUsd: [5_000, 5_000] as readonly [number, number],
  leverage: 3,
};
/** 64 bps per 8 h on venues a/b: net 42, break-even 2.75 h */
const entry = (cfg: CarryConfig, a: Partial<VenueQuote> = {}, b: Partial<VenueQuote> = {}) => {
  const op = evaluate(cfg, "BTC", quote("a", 0.001, a), quote("b", 0.0002, b), sizing, NOW);
  return `${op.rejections.join(",") || "pass"} net ${op.netBps.toFixed(2)} size ${op.sizeUsd.toFixed(2)}${op.sanityAlert ? " sanity" : ""}`;
};
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
const exit = (cfg: CarryConfig, o: Partial<ExitInput>) => {
  const d = decideExit(cfg, { ...base, ...o });
  return d.kind === "close" ? d.reason : d.kind === "hold" ? `hold ${d.warnings.length}` : d.kind;
};
const line = (cfg: CarryConfig, o: Partial<ExitInput>) => {
  const l = stopLines(cfg, { ...base, ...o });
  return `${l.base.toFixed(2)} ${l.trailing.toFixed(2)}`;
};
const blocks = (
  cfg: CarryConfig,
  closes: { reason: string; usd: number; forced: boolean; at: number }[],
  at: number,
) => {
  const s = emptyBlocks();
  for (const x of closes)
    recordClose(s, cfg, {
      base: "BTC",
      direction: "a>b",
      reason: x.reason,
      realisedUsd: x.usd,
      forced: x.forced,
      now: x.at,
    });
  return blockedWhy(s, "BTC", "a>b", at) ?? "free";
};

type Case = readonly [
  key: keyof CarryConfig | string,
  changed: Partial<CarryConfig>,
  observe: (cfg: CarryConfig) => unknown,
];

const CASES: readonly Case[] = [
  // thresholds and universe
  ["min_funding_bps", { min_funding_bps: 45 }, (k) => entry(k)],
  ["pair_threshold_bps", { pair_threshold_bps: { "a-b": 45 } }, (k) => entry(k)],
  ["premium_funding_bps", { premium_funding_bps: 41 }, (k) => entry(k, { volume24hUsd: 100_000 })],
  [
    "min_volume_premium_usd",
    { min_volume_premium_usd: 50_000, min_volume_24h_usd: 50_000 },
    (k) => entry(k, { volume24hUsd: 100_000 }),
  ],
  ["max_breakeven_hours", { max_breakeven_hours: 2 }, (k) => entry(k)],
  ["max_rate_age_minutes", { max_rate_age_minutes: 0.5 }, (k) => entry(k)],
  // entry gates
  ["slippage_bps_buffer", { slippage_bps_buffer: 5 }, (k) => entry(k)],
  ["max_bbo_age_ms", { max_bbo_age_ms: 50 }, (k) => entry(k)],
  ["min_depth_usd", { min_depth_usd: 1e7 }, (k) => entry(k)],
  ["max_spread_pct", { max_spread_pct: 0.00005 }, (k) => entry(k)],
  ["sanity_alert_bps", { sanity_alert_bps: 60 }, (k) => entry(k)],
  ["maker_entry", { maker_entry: true }, (k) => entry(k)],
  ["hold_min_hours (horizon)", { hold_min_hours: 10 }, (k) => entry(k)],
  // sizing
  [
    "max_carry_total_alloc_pct",
    { max_carry_total_alloc_pct: 0.4, max_symbol_alloc_pct: 0.3 },
    (k) => entry(k),
  ],
  ["carry_alloc_pct", { carry_alloc_pct: 0.05 }, (k) => entry(k)],
  ["max_symbol_alloc_pct", { max_symbol_alloc_pct: 0.01 }, (k) => sizeUsd(k, 64, sizing)],
  [
    "yield_tier1_bps",
    { yield_tier1_bps: 60 },
    (k) =>
      sizeUsd({ ...k, max_position_usd: 1e9, carry_alloc_pct: 1 }, 64, { ...sizing, openBaseUsd: 2_900 }),
  ],
  ["max_position_usd", { max_position_usd: 100 }, (k) => entry(k)],
  [
    "leverage (margin cap)",
    {},
    (k) => sizeUsd(k, 64, { ...sizing, freeMarginUsd: [50, 5_000], leverage: k.leverage }),
  ],
  // exits: stale data and liquidation
  ["stale_exit_checks", { stale_exit_checks: 3 }, (k) => exit(k, { missingBboChecks: 3 })],
  ["exit_max_bbo_age_ms", { exit_max_bbo_age_ms: 50 }, (k) => exit(k, {})],
  [
    "deferred_exit_max_s",
    { deferred_exit_max_s: 10 },
    (k) => exit(k, { bboAgesMs: [100, 5000], deferredSince: NOW - 20_000, liqDistances: [0.01, 0.3] }),
  ],
  [
    "liquidation_close_pct",
    { liquidation_close_pct: 0.25, liquidation_warn_pct: 0.35 },
    (k) => exit(k, { liqDistances: [0.3, 0.22] }),
  ],
  ["liquidation_warn_pct", { liquidation_warn_pct: 0.4 }, (k) => exit(k, { liqDistances: [0.3, 0.3] })],
  ["hold_max_hours", { hold_max_hours: 1.5 }, (k) => exit(k, {})],
  ["low_yield_exit_bps", { low_yield_exit_bps: 70 }, (k) => exit(k, { mtmUsd: 0.5 })],
  // exits: stop and trail
  ["mtm_grace_minutes", { mtm_grace_minutes: 180 }, (k) => exit(k, { mtmUsd: -10.05 })],
  [
    "stop_loss_tiers",
    { stop_loss_tiers: [{ min_yield_bps: 0, stop_bps: 250, trail_bps: 75 }] },
    (k) => line(k, {}),
  ],
  ["mtm_stop_bps", { mtm_stop_bps: 150 }, (k) => line(k, {})],
  ["mtm_yield_multiplier", { mtm_yield_multiplier: 1 }, (k) => line(k, { openedAt: NOW - 0.5 * HOUR })],
  ["mtm_multiplier_window_hours", { mtm_multiplier_window_hours: 3 }, (k) => line(k, {})],
  ["cushion_ratio", { cushion_ratio: 0.2 }, (k) => line(k, { fundingUsd: 2.5 })],
  ["cushion_cap_bps", { cushion_cap_bps: 10 }, (k) => line(k, { fundingUsd: 2.5 })],
  ["time_bonus_start_hours", { time_bonus_start_hours: 1 }, (k) => line(k, {})],
  ["time_bonus_bps_per_hour", { time_bonus_bps_per_hour: 20 }, (k) => line(k, { openedAt: NOW - 6 * HOUR })],
  ["time_bonus_cap_bps", { time_bonus_cap_bps: 5 }, (k) => line(k, { openedAt: NOW - 6 * HOUR })],
  ["spike_buffer_bps", { spike_buffer_bps: 20 }, (k) => line(k, { spikeProtectUntil: NOW + 1 })],
  [
    "spike_drop_bps",
    { spike_drop_bps: 100 },
    (k) => spikeProtectUntil(k, [{ ts: NOW - 30_000, bps: 20 }], NOW, -40),
  ],
  [
    "spike_window_s",
    { spike_window_s: 10 },
    (k) => spikeProtectUntil(k, [{ ts: NOW - 30_000, bps: 20 }], NOW, -40),
  ],
  [
    "spike_protect_s",
    { spike_protect_s: 60 },
    (k) => spikeProtectUntil(k, [{ ts: NOW - 30_000, bps: 20 }], NOW, -40),
  ],
  ["mtm_trailing_bps", { mtm_trailing_bps: 50 }, (k) => line(k, { peakBps: 120 })],
  ["mtm_trailing_min_bps", { mtm_trailing_min_bps: 150 }, (k) => line(k, { peakBps: 120 })],
  // exits: take-profit and reversal
  ["high_yield_threshold_bps", { high_yield_threshold_bps: 60 }, (k) => exit(k, { mtmUsd: 3.3 })],
  [
    "high_yield_tp_pct_initial",
    { high_yield_tp_pct_initial: 0.012 },
    (k) => exit(k, { entryYieldBps: 120, cy: 120, mtmUsd: 7 }),
  ],
  [
    "high_yield_tp_pct_after_decay",
    { high_yield_tp_pct_after_decay: 0.005 },
    (k) => exit(k, { entryYieldBps: 120, cy: 120, mtmUsd: 3, openedAt: NOW - 5 * HOUR }),
  ],
  [
    "high_yield_tp_decay_hours",
    { high_yield_tp_decay_hours: 1 },
    (k) => exit(k, { entryYieldBps: 120, cy: 120, mtmUsd: 5 }),
  ],
  ["mtm_tp_bps", { mtm_tp_bps: 60 }, (k) => exit(k, { entryYieldBps: 120, cy: 120, mtmUsd: 4 })],
  [
    "early_reversal_min_minutes",
    { early_reversal_min_minutes: 180 },
    (k) => exit(k, { cy: -6, mtmUsd: -0.5 }),
  ],
  [
    "hold_min_hours (reversal)",
    { hold_min_hours: 12 },
    (k) => exit(k, { cy: 0.5, mtmUsd: -1, openedAt: NOW - 9 * HOUR }),
  ],
  // blocks and cooldowns
  [
    "forced_exit_cooldown_minutes",
    { forced_exit_cooldown_minutes: 1 },
    (k) => blocks(k, [{ reason: "stop_loss", usd: -1, forced: true, at: NOW }], NOW + 5 * 60_000),
  ],
  [
    "reversal_blocklist_threshold",
    { reversal_blocklist_threshold: 3 },
    (k) =>
      blocks(
        k,
        [
          { reason: "reversal", usd: 0, forced: false, at: NOW },
          { reason: "reversal", usd: 0, forced: false, at: NOW + HOUR },
        ],
        NOW + HOUR,
      ),
  ],
  [
    "reversal_window_hours",
    { reversal_window_hours: 0.5 },
    (k) =>
      blocks(
        k,
        [
          { reason: "reversal", usd: 0, forced: false, at: NOW },
          { reason: "reversal", usd: 0, forced: false, at: NOW + HOUR },
        ],
        NOW + HOUR,
      ),
  ],
  [
    "reversal_blocklist_hours",
    { reversal_blocklist_hours: 2 },
    (k) =>
      blocks(
        k,
        [
          { reason: "reversal", usd: 0, forced: false, at: NOW },
          { reason: "reversal", usd: 0, forced: false, at: NOW + HOUR },
        ],
        NOW + 4 * HOUR,
      ),
  ],
  [
    "pnl_blocklist_usd",
    { pnl_blocklist_usd: 100 },
    (k) => blocks(k, [{ reason: "take_profit", usd: -60, forced: false, at: NOW }], NOW + HOUR),
  ],
  [
    "pnl_blocklist_hours",
    { pnl_blocklist_hours: 0.5 },
    (k) => blocks(k, [{ reason: "take_profit", usd: -60, forced: false, at: NOW }], NOW + HOUR),
  ],
];

test("every key a decision reads changes the decision when it changes", () => {
  const same: string[] = [];
  for (const [key, changed, observe] of CASES) {
    const k = key === "leverage (margin cap)" ? { ...c, leverage: 1 } : { ...c, ...changed };
    const before = observe(c);
    if (JSON.stringify(observe(k)) === JSON.stringify(before))
      same.push(`${key}: ${JSON.stringify(before)} either way`);
  }
  assert.deepEqual(same, []);
  assert.ok(CASES.length >= 55, String(CASES.length));
});

test("the entry-failure cooldown is entry_failure_cooldown_minutes long", async () => {
  const { entryFailed } = await import("./blocks.ts");
  const at = (k: CarryConfig) => {
    const s = emptyBlocks();
    entryFailed(s, k, "BTC", NOW);
    return blockedWhy(s, "BTC", "a>b", NOW + 3 * 60_000) ?? "free";
  };
  assert.match(at(c), /cooling down/);
  assert.equal(at({ ...c, entry_failure_cooldown_minutes: 2 }), "free");
});

test("docs/strategies/carry.md lists every carry key with its default and description", () => {
  const doc = readFileSync(new URL("../../../docs/strategies/carry.md", import.meta.url), "utf8");
  const missing: string[] = [];
  for (const [key, schema] of Object.entries(carryObject.shape)) {
    if (key === "pairs") continue; // its own table, pairs.*
    const row = doc.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
    const v = (c as Record<string, unknown>)[key];
    const scalar = typeof v !== "object";
    if (row === undefined || (scalar && !row.startsWith(`| \`${key}\` | ${String(v)} |`))) missing.push(key);
    else if (!row.includes(String(schema.description))) missing.push(`${key} (description)`);
  }
  assert.deepEqual(missing, []);
});
