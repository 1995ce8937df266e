import { z } from "zod";

/**
 * Every parameter of the maker (STRATEGIES.md section 3.1), with its seed 003 flag in the
 * description and the decided default. Units follow the shared rules: `_bps`, `_s`; the CLI keeps
 * the seed's percent for `--take-profit` and `--grid-step` and converts (0.02 % = 2 bps).
 */
const positive = (doc: string) => z.number().gt(0).describe(doc);

export const makerObject = z.strictObject({
  kind: z.literal("maker").describe("The strategy kind."),
  enabled: z.boolean().default(true).describe("Run this instance in `perpbot run`."),
  wallets: z
    .array(z.string().min(1))
    .default([])
    .describe(
      "Wallet ids this instance trades, one lane per wallet and market (seed `--env-file`; disjoint from other instances').",
    ),
  max_exposure_usd: z
    .number()
    .min(0)
    .default(0)
    .describe("Gross notional cap of the instance for the engine's risk gate (0: none)."),
  seed: z.int().min(-1).default(-1).describe("Seed of the instance's random draws (-1: fresh)."),
  venue: z.string().min(1).describe("Venue of the post-only quotes (seed `--exchange`)."),
  markets: z
    .array(z.string().regex(/^[A-Z0-9]+$/, "markets are underlying symbols such as ETH"))
    .min(1)
    .describe("Underlyings quoted, one lane each (seed `--ticker`)."),
  quantity: positive("Base units per open order (seed `--quantity`)."),
  direction: z
    .enum(["buy", "sell"])
    .default("buy")
    .describe("Side of the opens; take-profits are the opposite side (seed `--direction`)."),
  take_profit_bps: positive(
    "Take-profit distance from the fill price in bps (seed `--take-profit` in percent: 0.02 = 2 bps).",
  ).default(2),
  max_orders: z.int().min(1).default(40).describe("Resting take-profits at most (seed `--max-orders`)."),
  wait_time_s: z
    .number()
    .min(0)
    .default(450)
    .describe("Base cooldown between opens, scaled by the active take-profits (seed `--wait-time`)."),
  grid_step_bps: z
    .number()
    .min(0)
    .nullable()
    .default(null)
    .describe(
      "Minimum distance between a new take-profit and the nearest resting one (seed `--grid-step` in percent; -100 = off = null).",
    ),
  stop_price: positive(
    "Buy: ask >= it, sell: bid <= it: cancel the open, apply on_stop, stop (seed `--stop-price`; -1 = off = null).",
  )
    .nullable()
    .default(null),
  pause_price: positive(
    "Buy: ask >= it, sell: bid <= it: no opens while it holds (seed `--pause-price`; -1 = off = null).",
  )
    .nullable()
    .default(null),
  boost: z
    .boolean()
    .default(false)
    .describe(
      "Maker open, then an immediate reduce-only IOC close instead of a take-profit (seed `--aster-boost`; any venue).",
    ),
  max_slippage_bps: z
    .number()
    .min(0)
    .max(500)
    .default(10)
    .describe("Price protection of the IOC closes (boost, stop, wrong-side repair)."),
  max_position_qty: z
    .number()
    .gt(0)
    .nullable()
    .default(null)
    .describe("Position cap in base units (null: max_orders x quantity)."),
  reprice_interval_s: positive(
    "How often the open is checked against the touch (cancel and re-price when it moved away).",
  ).default(5),
  post_only_retries: z
    .int()
    .min(0)
    .default(15)
    .describe("Post-only take-profits refused as crossing are re-priced this many times."),
  reconcile_interval_s: positive("How often position and take-profits are compared and repaired.").default(
    60,
  ),
  max_repair_attempts: z
    .int()
    .min(1)
    .default(3)
    .describe("Repairs of a mismatch > 2 x quantity before the lane alerts and stays paused."),
  on_stop: z
    .enum(["keep_tps", "close_all"])
    .default("keep_tps")
    .describe("At stop_price: keep the take-profits resting, or cancel them and close the position."),
});

/** Rules between keys; `where` prefixes key names in messages. */
export function makerRules(where: string) {
  return (c: z.output<typeof makerObject>, ctx: z.RefinementCtx) => {
    if (c.stop_price !== null && c.pause_price !== null) {
      // the pause line is met before the stop line as price moves in the stop's direction
      const bad = c.direction === "buy" ? c.pause_price > c.stop_price : c.pause_price < c.stop_price;
      if (bad) {
        ctx.addIssue({
          code: "custom",
          path: ["pause_price"],
          message: `must be ${c.direction === "buy" ? "at or below" : "at or above"} ${where}stop_price (${c.stop_price}) for direction ${c.direction}: the pause comes before the stop`,
        });
      }
    }
    if (c.max_position_qty !== null && c.max_position_qty < c.quantity) {
      ctx.addIssue({
        code: "custom",
        path: ["max_position_qty"],
        message: `must be at least ${where}quantity (${c.quantity})`,
      });
    }
  };
}

export const makerInstanceSchema = makerObject.superRefine(makerRules(""));

export type MakerConfig = z.output<typeof makerInstanceSchema>;

/** A maker config with every default, for tests and the command line. */
export function makerConfig(
  c: Partial<MakerConfig> & Pick<MakerConfig, "venue" | "markets" | "quantity">,
): MakerConfig {
  return makerInstanceSchema.parse({ kind: "maker", ...c });
}
