import { z } from "zod";
import { defineSection } from "../../config/registry.ts";
import { pairsSchema } from "../pairs/config.ts";

/**
 * Every parameter of the farm (docs/farm.md), with its default. Each one is
 * read by the strategy: the seed bots silently ignored durations, intervals and thresholds, and
 * a test for each key shows it is honoured.
 */
const pct = (dflt: number, doc: string) => z.number().gt(0).lt(1).default(dflt).describe(doc);

const farmObject = z.strictObject({
  enabled: z.boolean().default(true).describe("Run the farm in `perpbot run`."),
  mode: z
    .enum(["same_venue", "cross_venue", "mixed"])
    .default("mixed")
    .describe(
      "same_venue: groups of 3-5 wallets on one venue; cross_venue: longs on one venue, shorts on another; mixed: each group picks one at random.",
    ),
  markets: z
    .array(z.string().regex(/^[A-Z0-9]+$/, "markets are underlying symbols such as BTC"))
    .min(1)
    .default(["BTC", "ETH", "SOL"])
    .describe("Underlyings to farm; each group trades one, chosen at random."),
  venues: z
    .array(z.string().min(1))
    .default([])
    .describe("Venues to farm on (empty: every configured venue)."),
  pairs: pairsSchema
    .prefault({})
    .describe(
      "How each venue's symbols map to the canonical markets (aliases, renamed assets, contract prefixes and multipliers, blocklists; shared with carry and scalp).",
    ),
  cross_long_venue: z
    .string()
    .default("")
    .describe(
      'Cross-venue pairs: the venue every long leg goes to (seed 001: "backpack"); "": drawn per pair.',
    ),
  cross_short_venue: z
    .string()
    .default("")
    .describe(
      'Cross-venue pairs: the venue every short leg goes to (seed 001: "hibachi"); "": drawn per pair.',
    ),
  min_group_size: z.int().min(2).max(40).default(3).describe("Smallest same-venue group."),
  max_group_size: z.int().min(2).max(40).default(5).describe("Largest same-venue group."),
  min_leverage: z.number().min(1).max(100).default(2).describe("Lower bound of the group's random leverage."),
  max_leverage: z.number().min(1).max(100).default(3).describe("Upper bound of the group's random leverage."),
  balance_fraction: z
    .number()
    .gt(0)
    .max(1)
    .default(0.9)
    .describe(
      "Share of a wallet's balance a group may commit as margin (the rest pays fees and absorbs moves).",
    ),
  max_imbalance_usd: z
    .number()
    .min(0)
    .default(2)
    .describe(
      "Bound on a group's net delta: |long size - short size| in the underlying, on the rounded sizes actually sent, valued at one reference price (same- and cross-venue groups alike).",
    ),
  min_balance_usd: z
    .number()
    .min(0)
    .default(20)
    .describe("A wallet below this balance sits the round out (logged)."),
  min_duration_hours: z.number().gt(0).default(4).describe("Shortest time a group stays open."),
  max_duration_hours: z.number().gt(0).default(8).describe("Longest time a group stays open."),
  close_jitter_minutes: z
    .number()
    .min(0)
    .default(10)
    .describe("Extra random delay in [0, this] added to each group's close time."),
  check_interval_seconds: z
    .number()
    .gt(0)
    .default(15)
    .describe("Monitoring interval (liquidation distance, collateral ratio, PnL divergence)."),
  liquidation_close_pct: pct(
    0.13,
    "Close the whole group when a leg is this close to liquidation (share of mark).",
  ),
  liquidation_warn_pct: pct(0.16, "Warn when a leg is this close to liquidation."),
  min_collateral_ratio: z
    .number()
    .gt(0)
    .default(1.5)
    .describe("Alert when a leg's account equity / maintenance margin falls below this."),
  max_pnl_divergence: pct(0.05, "Alert when |sum of leg PnL| / group notional exceeds this."),
  min_cooldown_minutes: z
    .number()
    .min(0)
    .default(5)
    .describe("Shortest rest of a wallet after its group closes."),
  max_cooldown_minutes: z
    .number()
    .min(0)
    .default(15)
    .describe("Longest rest of a wallet after its group closes."),
  entry: z
    .enum(["ioc", "maker_first"])
    .default("ioc")
    .describe(
      "ioc: immediate-or-cancel with a slippage cap; maker_first: post-only at the touch, then IOC for the rest.",
    ),
  max_slippage_bps: z
    .number()
    .min(0)
    .max(500)
    .default(10)
    .describe("Price protection of IOC entries and closes."),
  maker_timeout_seconds: z
    .number()
    .gt(0)
    .default(20)
    .describe("maker_first: how long the post-only order rests."),
  fill_timeout_seconds: z
    .number()
    .gt(0)
    .default(15)
    .describe("How long an open may take before it is unwound."),
  seed: z
    .int()
    .min(-1)
    .default(-1)
    .describe(
      "Seed of the farm's random draws (grouping, leverage, durations); -1 draws a fresh seed at every start.",
    ),
});

/** Rules between keys; `where` names the table in messages ("farm." or an instance's). */
function farmRules(where: string) {
  return (c: z.output<typeof farmObject>, ctx: z.RefinementCtx) => {
    const order = (lo: keyof typeof c, hi: keyof typeof c) => {
      if ((c[lo] as number) > (c[hi] as number)) {
        ctx.addIssue({ code: "custom", path: [lo], message: `must not exceed ${where}${hi} (${c[hi]})` });
      }
    };
    order("min_group_size", "max_group_size");
    order("min_leverage", "max_leverage");
    order("min_duration_hours", "max_duration_hours");
    order("min_cooldown_minutes", "max_cooldown_minutes");
    if (c.cross_long_venue !== "" && c.cross_long_venue === c.cross_short_venue) {
      ctx.addIssue({
        code: "custom",
        path: ["cross_short_venue"],
        message: `must differ from ${where}cross_long_venue ("${c.cross_long_venue}"): a pair's legs are on two venues`,
      });
    }
    if (c.liquidation_close_pct >= c.liquidation_warn_pct) {
      ctx.addIssue({
        code: "custom",
        path: ["liquidation_close_pct"],
        message: `must be below ${where}liquidation_warn_pct (${c.liquidation_warn_pct})`,
      });
    }
  };
}

/** The `[farm]` section: the single farm of configs written before named instances. */
export const farmSchema = farmObject.superRefine(farmRules("farm.")).prefault({});

/**
 * A farm instance under `[strategies.<name>]`: every farm key, plus its kind, its own wallets and
 * its exposure cap (enforced by the engine's risk gate across all its groups).
 */
export const farmInstanceSchema = farmObject
  .extend({
    kind: z.literal("farm").describe("The strategy kind."),
    wallets: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Wallet ids this instance trades (disjoint from every other instance's; empty: every managed wallet, allowed for a single instance only).",
      ),
    max_exposure_usd: z
      .number()
      .min(0)
      .default(0)
      .describe("Gross notional the instance may hold and have working across its groups (0: no cap)."),
  })
  .superRefine(farmRules(""));

export type FarmInstanceConfig = z.output<typeof farmInstanceSchema>;

export type FarmConfig = z.infer<typeof farmSchema>;

export const farmSection = defineSection("farm", farmSchema, {
  doc: "Delta-neutral points farming (see docs/farm.md): wallets grouped into balanced long/short legs, timed closes, liquidation guard.",
});

/** The farm config with every default, for tests and backtests. */
export function farmDefaults(overrides: Partial<FarmConfig> = {}): FarmConfig {
  return farmSchema.parse(overrides);
}
