import type { Instrument } from "../../core/instrument.ts";
import type { CandleSeries } from "./candles.ts";

/** Records the agent keeps (state slot) and shows the model; plain JSON data. */

/** A condition code can check each cycle: `price < X` / `price > X` on the position's market. */
export interface PriceTrigger {
  readonly op: "<" | ">";
  readonly price: number;
}

/** The stop-loss and take-profit the agent holds for an open position (STRATEGIES.md 4.2). */
export interface HeldExit {
  readonly coin: string;
  readonly symbol: string;
  readonly side: "long" | "short";
  readonly stopLoss: number;
  readonly takeProfit: number | null;
  readonly invalidation: string;
  /** the invalidation as code reads it; null: free text, shown to the model only */
  readonly trigger: PriceTrigger | null;
  readonly cycle: number;
  readonly version: string;
  readonly openedAt: number;
  readonly entryReason: string;
  /** close orders sent for it so far (each attempt has its own intent id) */
  readonly attempts: number;
}

export type ExitReason =
  | "stop_loss"
  | "take_profit"
  | "invalidation"
  | "model_close"
  | "flip"
  | "reduce"
  | "manual";

/** A completed trade: a reducing fill closes part of a position at its average entry (4.3). */
export interface ClosedTrade {
  readonly coin: string;
  readonly side: "long" | "short";
  readonly qty: number;
  readonly entry: number;
  readonly exit: number;
  /** price PnL minus the pro-rata entry fee and the exit fee */
  readonly netUsd: number;
  readonly feesUsd: number;
  readonly openedAt: number;
  readonly closedAt: number;
  readonly entryReason: string;
  readonly exitReason: string;
  readonly version: string;
}

/** One traded market of the agent, with the candles it builds. */
export interface AgentMarket {
  readonly coin: string;
  readonly inst: Instrument;
  readonly m1: CandleSeries;
  readonly h6: CandleSeries;
}
