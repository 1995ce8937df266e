import { z } from "zod";
import { pairsSchema } from "../pairs/config.ts";

/**
 * The hedged maker's parameters (STRATEGIES.md 3.3, seed 003 `hedge_mode.py`): post-only quotes
 * on `venue`, every fill hedged by an IOC on `hedge_venue`. Seed flags are named in the
 * descriptions (`--size` is `quantity`, `--iter` is `cycles`, `--max-position` is
 * `max_position_qty`). Units follow the shared rules: `_bps`, `_s`, `_usd`, `_qty` in base units.
 */
const positive = (doc: string) => z.number().gt(0).describe(doc);

export const hedgedMakerObject = z.strictObject({
  kind: z.literal("hedged_maker").describe("The strategy kind."),
  enabled: z.boolean().default(true).describe("Run this instance in `perpbot run`."),
  wallets: z
    .array(z.string().min(1))
    .default([])
    .describe(
      "Wallet ids this instance trades, one lane per wallet and market; each wallet trades on both venues.",
    ),
  max_exposure_usd: z
    .number()
    .min(0)
    .default(0)
    .describe("Gross notional cap of the instance for the engine's risk gate (0: none)."),
  seed: z.int().min(-1).default(-1).describe("Seed of the instance's random draws (-1: fresh)."),
  venue: z.string().min(1).describe("Venue of the post-only quotes, venue A (seed `--exchange`)."),
  hedge_venue: z.string().min(1).describe("Venue of the IOC hedges, venue B (seed: the hedge exchange)."),
  markets: z
    .array(z.string().regex(/^[A-Z0-9]+$/, "markets are underlying symbols such as ETH"))
    .min(1)
    .describe("Underlyings quoted, one lane each; both venues must list them (seed `--ticker`)."),
  pairs: pairsSchema
    .prefault({})
    .describe(
      "How each venue's symbols map to the markets (aliases, renamed assets, contract prefixes and multipliers, blocklists; shared with farm, carry and scalp).",
    ),
  quantity: positive("Base units per quote (seed `--size`)."),
  cycles: z
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe(
      "Buy-then-sell cycles to run, the last ending flat on venue A; null: run until stopped (seed `--iter`).",
    ),
  max_position_qty: z
    .number()
    .min(0)
    .default(0)
    .describe(
      "Venue A's position swings between +this and -this, base units (seed `--max-position`; 0: quantity).",
    ),
  min_profit_bps: z
    .number()
    .default(1)
    .describe(
      "Net edge each round trip must keep after A's maker fee and B's taker fee: the quote is priced from B's depth-aware executable price for the quoted size minus fees and this.",
    ),
  max_unhedged_usd: z
    .number()
    .gt(0)
    .nullable()
    .default(null)
    .describe(
      "Bound on the unhedged delta (A + B) counting the resting quote as if filled; no quote that could pass it (null: 2 x quantity x mark).",
    ),
  fill_timeout_s: positive("A resting quote is cancelled and re-placed after this long.").default(5),
  reprice_interval_s: positive(
    "How often the quote is checked against A's touch and B's executable price.",
  ).default(1),
  phase_sleep_s: z
    .number()
    .min(0)
    .default(0)
    .describe("Pause between the buy and the sell phase (seed's sleep between phases)."),
  hedge_slippage_bps: z
    .number()
    .min(0)
    .max(500)
    .default(20)
    .describe("Price protection of the hedge IOC on B from B's touch (seed: touch x 1.002)."),
  hedge_timeout_s: positive(
    "A hedgeable delta B has not taken after this long is unwound on venue A by IOC.",
  ).default(180),
});

export function hedgedMakerRules(where: string) {
  return (c: z.output<typeof hedgedMakerObject>, ctx: z.RefinementCtx) => {
    if (c.hedge_venue === c.venue) {
      ctx.addIssue({
        code: "custom",
        path: ["hedge_venue"],
        message: `must differ from ${where}venue ("${c.venue}"): the hedge goes to another venue`,
      });
    }
    if (c.max_position_qty > 0 && c.max_position_qty < c.quantity) {
      ctx.addIssue({
        code: "custom",
        path: ["max_position_qty"],
        message: `must be 0 or at least ${where}quantity (${c.quantity})`,
      });
    }
  };
}

export const hedgedMakerInstanceSchema = hedgedMakerObject.superRefine(hedgedMakerRules(""));

export type HedgedMakerConfig = z.output<typeof hedgedMakerInstanceSchema>;

/** A hedged maker config with every default, for tests. */
export function hedgedMakerConfig(
  c: Partial<HedgedMakerConfig> & Pick<HedgedMakerConfig, "venue" | "hedge_venue" | "markets" | "quantity">,
): HedgedMakerConfig {
  return hedgedMakerInstanceSchema.parse({ kind: "hedged_maker", ...c });
}
