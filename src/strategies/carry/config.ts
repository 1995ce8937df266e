import { z } from "zod";
import { pairsSchema } from "../pairs/config.ts";
import { pairingInstanceKeys } from "../pairs/instance-keys.ts";

/**
 * Every carry parameter of STRATEGIES.md section 1.2, with its default; the seed 002 origin of
 * each (risk.yaml `carry.*` shipped value CFG, code default DEF, README RM) is in the description
 * and in docs/strategies/carry.md. Units: `_bps` basis points, `_pct` a fraction (0.10 = 10 %),
 * durations by suffix. Unknown keys are errors (strict), so a misspelt key is never ignored.
 */
const bps = (d: number, doc: string) => z.number().min(0).default(d).describe(doc);
const pos = (d: number, doc: string) => z.number().gt(0).default(d).describe(doc);
const frac = (d: number, doc: string) => z.number().gt(0).max(1).default(d).describe(doc);
const count = (d: number, doc: string) => z.int().min(0).default(d).describe(doc);

const tierSchema = z.strictObject({
  min_yield_bps: z
    .number()
    .min(0)
    .describe("Tier applies when the anchor yield (bps per 8 h) is at least this."),
  stop_bps: z.number().gt(0).describe("Stop distance below 0 MTM."),
  trail_bps: z.number().gt(0).describe("Trailing distance below the MTM peak."),
});

export const carryObject = z.strictObject({
  enabled: z.boolean().default(true).describe("Run the instance (seed: `carry.enabled`)."),
  paper_equity_usd: pos(1000, "Simulated balance per venue in paper backtests (CFG 1000, DEF 5000)."),
  min_funding_bps: bps(
    40,
    "Fallback entry threshold `thr` on net bps over the horizon (CFG 40, DEF 3, RM 50).",
  ),
  pair_threshold_bps: z
    .record(z.string().regex(/^[^-]+-[^-]+$/, 'keys are "venueA-venueB"'), z.number().min(0))
    .default({ "hyperliquid-aster": 60, "hyperliquid-lighter": 50, "aster-lighter": 45 })
    .describe("Entry threshold per venue pair (either order), else min_funding_bps (seed: code)."),
  premium_funding_bps: bps(120, "Threshold when the reference volume is below min_volume_premium_usd."),
  min_volume_premium_usd: bps(500_000, "Volume under which premium_funding_bps applies."),
  min_volume_24h_usd: bps(150_000, "Universe floor on 24 h volume (where the venue publishes it)."),
  max_breakeven_hours: pos(6, "Enter only if cost / hourly yield is at most this (new, Bruce188)."),
  max_rate_age_minutes: pos(15, "Funding rates older than this block entries (new, Bruce188)."),
  funding_check_interval_s: pos(15, "Scan interval (CFG 15, DEF 30)."),
  required_confirms: z
    .int()
    .min(1)
    .default(2)
    .describe("Scans in a row an opportunity must pass (CFG 2, DEF 3)."),
  slippage_bps_buffer: bps(2, "Added to the cost of an entry (code)."),
  max_bbo_age_ms: pos(5000, "BBOs older than this block entries (code)."),
  min_depth_usd: bps(100, "5-level depth each venue must show, at least the size (code)."),
  max_spread_pct: frac(0.01, "Widest touch spread (share of mid) for an entry (code)."),
  sanity_alert_bps: pos(400, "Yield per 8 h above this alerts and sizes x 0.7 (code)."),
  edge_decay_ratio: frac(
    0.8,
    "An edge re-priced below this share of its first confirmation starts over; an entry whose edge at the fills is below it is unwound (`v2_edge_decay_threshold`).",
  ),
  entry_retry_max: z
    .int()
    .min(1)
    .default(3)
    .describe(
      "IOCs each leg may send for its unfilled part, re-priced, within entry_retry_window_s (`v2_retry_*`).",
    ),
  entry_retry_window_s: pos(
    10,
    "Window of those attempts: the group's fill timeout, after maker_timeout_s when maker_entry (`v2_retry_*`).",
  ),
  min_fill_ratio: frac(0.7, "A partly filled entry is kept at this fill ratio or more, else unwound (code)."),
  maker_entry: z.boolean().default(false).describe("Post-only first, then IOC (`maker_order_enabled`)."),
  maker_timeout_s: pos(15, "How long the post-only leg rests (seed 15-60 s)."),
  max_carry_total_alloc_pct: frac(0.5, "Cap on total carry size vs equity E (CFG 0.80, DEF = RM 0.50)."),
  carry_alloc_pct: frac(0.1, "Slice of the cap per position."),
  max_symbol_alloc_pct: frac(0.3, "Per-base cap vs E for yields at least min_funding_bps."),
  yield_tier1_bps: pos(
    100,
    "Yield per 8 h from which a base may take 0.50 x E (`yield_tier1_threshold_bps`).",
  ),
  max_position_usd: pos(500, "Largest position (one leg's notional) (CFG 500, never read by the seed)."),
  leverage: z
    .number()
    .min(1)
    .max(100)
    .default(3)
    .describe(
      "Leverage of both legs, capped at the markets' max, set isolated on both venues before the first entry there; sizes fit free margin x leverage (CFG).",
    ),
  scale_up_slice_pct: frac(0.1, "Scale-up slice of E x max_carry_total_alloc_pct, at least $10 (CFG)."),
  max_scale_ups: count(2, "Scale-ups over a position's life (`max_scale_ups_per_position`)."),
  max_pairs_with_scaleup: count(2, "Positions that may hold a scale-up at once (CFG)."),
  scale_up_cooldown_s: bps(
    300,
    "After a scale-up or scale-down of a position, before its next scale-up (CFG).",
  ),
  optimization_buffer_bps: bps(15, "At the cap, replace the worst position when beaten by this (CFG)."),
  rebalance_min_profit_bps: bps(10, "... and only if its MTM is at least this (CFG)."),
  mtm_check_interval_s: pos(30, "MTM and exit check interval (CFG = RM 30, DEF 60)."),
  mtm_grace_minutes: bps(30, "No stop-loss before this age (CFG = RM)."),
  stop_loss_tiers: z
    .array(tierSchema)
    .min(1)
    .default([
      { min_yield_bps: 100, stop_bps: 300, trail_bps: 150 },
      { min_yield_bps: 60, stop_bps: 200, trail_bps: 100 },
      { min_yield_bps: 0, stop_bps: 150, trail_bps: 75 },
    ])
    .describe("Stop and trail by anchor yield, highest tier first, the last at 0 (code)."),
  mtm_stop_bps: pos(
    300,
    "Hard loss floor: the stop never sits deeper (CFG 100, DEF 35, never read by the seed).",
  ),
  mtm_yield_multiplier: bps(5, "Early stop widening per bps of anchor yield (CFG; DEF 2)."),
  mtm_multiplier_window_hours: bps(1, "Hours the widening applies after entry (CFG)."),
  cushion_ratio: bps(0.5, "Share of collected funding (bps) that widens the stop (code)."),
  cushion_cap_bps: bps(100, "Cap of that cushion (code)."),
  time_bonus_start_hours: bps(4, "Hold hours after which the stop widens (code)."),
  time_bonus_bps_per_hour: bps(10, "Widening per hour past the start (code)."),
  time_bonus_cap_bps: bps(80, "Cap of the time bonus (code)."),
  spike_drop_bps: pos(50, "An MTM drop this large within spike_window_s is a spike (code)."),
  spike_window_s: pos(60, "Spike detection window (code)."),
  spike_protect_s: bps(300, "How long the spike buffer applies (code)."),
  spike_buffer_bps: bps(100, "Extra stop room during spike protection (code)."),
  mtm_trailing_bps: pos(150, "Cap on the trailing distance (DEF = RM 150; CFG 100 never read)."),
  mtm_trailing_min_bps: pos(100, "The trail arms once the MTM peak reaches this."),
  high_yield_threshold_bps: pos(100, "Anchor yield from which the high-yield take-profit applies."),
  high_yield_tp_pct_initial: frac(0.02, "High-yield TP as a share of size."),
  high_yield_tp_pct_after_decay: frac(0.01, "... after high_yield_tp_decay_hours (`_after_4h`)."),
  high_yield_tp_decay_hours: bps(4, "Hours before the TP decays."),
  mtm_tp_bps: pos(150, "Windfall take-profit (CFG 150, DEF 25, RM 400)."),
  low_yield_exit_bps: bps(50, "Close a profitable position whose yield fell below this (code)."),
  early_reversal_min_minutes: bps(5, "Early reversal (yield < -5 bps) only after this age (CFG 5, DEF 10)."),
  hold_min_hours: pos(8, "Horizon of the entry formula; reversal exit after it (CFG = RM 8, DEF 4)."),
  hold_max_hours: pos(24, "Time limit (CFG; the seed read `max_hold_hours`)."),
  liquidation_close_pct: frac(
    0.15,
    "Close when a leg's liquidation distance is below this (seed: 1500 bps at an assumed 2x).",
  ),
  liquidation_warn_pct: frac(0.2, "Warn below this distance."),
  exit_max_bbo_age_ms: pos(2000, "A leg's BBO older than this defers exit decisions (code)."),
  deferred_exit_max_s: pos(300, "Deferral limit: decisions are forced after it (code)."),
  stale_exit_checks: z
    .int()
    .min(1)
    .default(6)
    .describe("Checks in a row with no usable BBO -> close `stale_data` (code)."),
  max_slippage_bps: z
    .number()
    .min(0)
    .max(500)
    .default(10)
    .describe("IOC price cap of entries and closes (new)."),
  entry_failure_cooldown_minutes: bps(5, "Base cooldown after a failed entry (code)."),
  forced_exit_cooldown_minutes: bps(
    10,
    "Base and direction cooldown after a stale, liquidation or stop exit (code).",
  ),
  reversal_blocklist_threshold: z
    .int()
    .min(1)
    .default(2)
    .describe("Reversals within the window that block a base."),
  reversal_window_hours: pos(2, "Window counting reversals."),
  reversal_blocklist_hours: pos(48, "Block length after repeated reversals."),
  pnl_blocklist_usd: pos(
    50,
    "Realised loss on a base above this blocks it (`pnl_loss_blocklist_threshold_usd`).",
  ),
  pnl_blocklist_hours: pos(24, "Block length after that loss."),
  pairs: pairsSchema
    .prefault({})
    .describe("Pair discovery: aliases, multipliers, blocklists (shared with scalp)."),
});

export type CarryConfig = z.output<typeof carryObject>;

/** Rules between keys; `where` prefixes the other key's name in messages. */
export function carryRules(where: string) {
  return (c: CarryConfig, ctx: z.RefinementCtx) => {
    const below = (lo: keyof CarryConfig, hi: keyof CarryConfig, strict: boolean) => {
      const a = c[lo] as number;
      const b = c[hi] as number;
      if (strict ? a >= b : a > b)
        ctx.addIssue({
          code: "custom",
          path: [lo],
          message: `must be ${strict ? "below" : "at most"} ${where}${hi} (${b})`,
        });
    };
    below("hold_min_hours", "hold_max_hours", false);
    below("liquidation_close_pct", "liquidation_warn_pct", true);
    below("high_yield_tp_pct_after_decay", "high_yield_tp_pct_initial", false);
    below("max_symbol_alloc_pct", "max_carry_total_alloc_pct", false);
    below("min_funding_bps", "premium_funding_bps", false);
    below("min_volume_24h_usd", "min_volume_premium_usd", false);
    const tiers = c.stop_loss_tiers;
    for (let i = 1; i < tiers.length; i++) {
      if (tiers[i].min_yield_bps >= tiers[i - 1].min_yield_bps) {
        ctx.addIssue({
          code: "custom",
          path: ["stop_loss_tiers", i, "min_yield_bps"],
          message: `tiers go from the highest min_yield_bps down (tier ${i - 1} has ${tiers[i - 1].min_yield_bps})`,
        });
      }
    }
    if (tiers.length > 0 && tiers[tiers.length - 1].min_yield_bps !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["stop_loss_tiers", tiers.length - 1, "min_yield_bps"],
        message: "the last tier must start at 0, so every yield has a stop",
      });
    }
  };
}

/**
 * A carry instance under `[strategies.<name>]`: the carry keys plus the instance keys every kind
 * has (wallets, venues, seed, exposure cap).
 */
export const carryInstanceSchema = carryObject
  .extend({
    kind: z.literal("carry").describe("The strategy kind."),
    ...pairingInstanceKeys,
  })
  .superRefine(carryRules(""));

export type CarryInstanceConfig = z.output<typeof carryInstanceSchema>;

export function carryDefaults(
  overrides: Partial<z.input<typeof carryInstanceSchema>> = {},
): CarryInstanceConfig {
  return carryInstanceSchema.parse({ kind: "carry", ...overrides });
}
