import { z } from "zod";
import { pairsSchema } from "../pairs/config.ts";
import { pairingInstanceKeys } from "../pairs/instance-keys.ts";

/**
 * Every scalp parameter of STRATEGIES.md section 2.2 with its default; the seed 002 origin of
 * each (risk.yaml top level: shipped CFG, code default DEF, README RM, code-only "code") is in
 * the description and in docs/strategies/scalp.md. Units: `_bps` basis points, `_pct` a fraction
 * (0.10 = 10 %), durations by suffix. Strict: a misspelt key is an error, never ignored.
 */
const bps = (d: number, doc: string) => z.number().min(0).default(d).describe(doc);
const pos = (d: number, doc: string) => z.number().gt(0).default(d).describe(doc);
const frac = (d: number, doc: string) => z.number().gt(0).max(1).default(d).describe(doc);

export const scalpObject = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe("Run the instance (`scalp_enabled`: CFG false here, the seed's DEF true)."),
  paper_equity_usd: pos(1000, "Simulated balance per venue in paper backtests (`scalp_paper_equity`)."),
  spread_entry_bps: bps(40, "Entry floor on the net edge, bps (CFG = RM 40, DEF 40)."),
  slippage_bps_buffer: bps(2, "Subtracted from the fee-net edge (CFG = RM 2, DEF 10)."),
  max_edge_bps: pos(
    150,
    "Edges above this are suspicious (a glitch, a stale leg): gate 2 (CFG 150, DEF 80).",
  ),
  max_volatility_bps: pos(50, "Widest 5 s mid range (max - min)/min, gate 1 (CFG 50, DEF 35)."),
  required_confirms: z
    .int()
    .min(1)
    .default(1)
    .describe(
      "Book updates in a row an edge must pass, gate 3 (CFG 1, DEF 3: gates 4 and 10 catch glitches).",
    ),
  max_bbo_age_ms: pos(500, "Both BBOs younger than this, gate 4 (RM 500 ms)."),
  max_spread_pct: frac(0.01, "Widest touch spread (ask - bid)/ask on either venue, gate 7 (CFG 1.0 %)."),
  estimated_exit_fees_bps: bps(
    7,
    "Floor of the projected exit fees, gate 8 (CFG 7; the real taker sum wins when higher).",
  ),
  min_depth_multiple: pos(
    6.6,
    "Top-of-book USD on the taken side, as a multiple of the notional, gate 9 (code).",
  ),
  edge_decay_ratio: frac(
    0.8,
    "At the VWAP for the quantity the edge must keep this share of spread_entry_bps, gate 10 (code).",
  ),
  min_trade_gap_s: bps(0.5, "At most one entry per this many seconds (CFG 0.5, DEF 0.75)."),
  symbol_cooldown_s: bps(10, "No entry on a base this long after its last close (CFG, RM 10 s, DEF 180)."),
  alloc_frac_per_trade: frac(0.05, "Notional = min(pair venue equities) x this (CFG = RM 0.05, DEF 0.10)."),
  max_scalp_total_alloc_pct: frac(0.2, "Open scalp notional at most this x equity (CFG = RM 0.20)."),
  notional_per_trade_min: pos(12, "Skip entries whose notional is below this, USD."),
  notional_per_trade_max: pos(200, "Cap of one entry's notional, USD."),
  max_total_notional_usd: pos(
    5000,
    "Cap of the open scalp notional, USD (seed `global.*`, never read there).",
  ),
  min_slippage_bps: bps(
    5,
    "Least IOC allowance beyond the touch: slip = max(this, min(1.2 x spread, 0.4 x edge)).",
  ),
  ioc_emulation_ms: pos(
    500,
    "On a venue without IOC, an entry leg goes as a limit cancelled this long after it is sent; the entry group waits this plus 2 s for its fills (seed: the Aster GTC wait).",
  ),
  stop_loss_bps: pos(50, "Close when net_bps < -this (CFG = DEF 50, RM 100, RM recommended 50)."),
  take_profit_pct: frac(
    0.15,
    "Take profit at this share of abs(entry_edge_bps) (`scalp_management.*` CFG 0.15).",
  ),
  min_profit_bps: bps(25, "... and at least this net, bps (CFG 25, DEF 15)."),
  trailing_arm_bps: pos(10, "The trailing stop arms once the net peak reaches this (code)."),
  trailing_giveback_pct: frac(0.25, "Close when the net gave back this share of its peak (code)."),
  bad_symbol_s: bps(1800, "After a stop-loss the base is bad-listed this long (code)."),
  max_hold_hours: pos(0.167, "Time limit from the persisted entry time (= RM 10 min)."),
  exit_slippage_bps: bps(2, "Close IOC allowance beyond the touch (seed x0.9998)."),
  flatten_timeout_s: pos(15, "Closes are re-priced for this long (CFG, never read by the seed)."),
  max_slippage_bps: z
    .number()
    .min(0)
    .max(500)
    .default(50)
    .describe("Close allowance after flatten_timeout_s, with an alert (new)."),
  liquidation_close_pct: frac(0.15, "Close when a leg's liquidation distance is below this (as carry)."),
  stale_close_s: pos(
    30,
    "A held position whose book stays stale this long closes `stale_data` (STRATEGIES.md 2.1).",
  ),
  sanity_max_wait_s: pos(45, "A pair is kept only if both books arrive within this (CFG 45, DEF 30)."),
  sanity_rel_tol: frac(0.5, "... and their mids differ by at most this share (CFG 0.50, DEF 0.45)."),
  leverage: z
    .number()
    .min(1)
    .max(100)
    .default(3)
    .describe(
      "Leverage of each leg, set isolated before the first entry there (capped at that market's max).",
    ),
  pairs_refresh_s: pos(60, "How often the pair universe is rebuilt from the market view."),
  pairs: pairsSchema
    .prefault({})
    .describe("Pair discovery: aliases, multipliers, blocklists (shared with carry)."),
});

export type ScalpConfig = z.output<typeof scalpObject>;

/** Rules between keys; every broken one is reported at its own path. */
export function scalpRules(where: string) {
  return (c: ScalpConfig, ctx: z.RefinementCtx) => {
    const below = (lo: keyof ScalpConfig, hi: keyof ScalpConfig) => {
      const a = c[lo] as number;
      const b = c[hi] as number;
      if (a > b)
        ctx.addIssue({ code: "custom", path: [lo], message: `must be at most ${where}${hi} (${b})` });
    };
    below("spread_entry_bps", "max_edge_bps");
    below("notional_per_trade_min", "notional_per_trade_max");
    below("notional_per_trade_max", "max_total_notional_usd");
    below("exit_slippage_bps", "max_slippage_bps");
    below("alloc_frac_per_trade", "max_scalp_total_alloc_pct");
  };
}

/** A scalp instance under `[strategies.<name>]`: the scalp keys plus the instance keys. */
export const scalpInstanceSchema = scalpObject
  .extend({
    kind: z.literal("scalp").describe("The strategy kind."),
    ...pairingInstanceKeys,
  })
  .superRefine(scalpRules(""));

export type ScalpInstanceConfig = z.output<typeof scalpInstanceSchema>;

export function scalpDefaults(
  overrides: Partial<z.input<typeof scalpInstanceSchema>> = {},
): ScalpInstanceConfig {
  return scalpInstanceSchema.parse({ kind: "scalp", ...overrides });
}
