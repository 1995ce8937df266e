import type { Money } from "../../core/money.ts";
import type { FillRecord } from "../records.ts";

/**
 * The engine's journal as records (migration 0002): hedge groups, legs, the engine's view of each
 * order, the append-only order events and persistent timers, and the batches the engine commits.
 * Domain values in, domain values out; the encoders beside this file turn them into columns.
 */

export interface GroupRow {
  readonly groupId: string;
  readonly strategy: string;
  readonly status: string;
  /** JSON of the entry style */
  readonly entry: string;
  readonly fillTimeoutMs: number;
  readonly hedged: boolean;
  readonly meta: string | null;
  readonly closeReason: string | null;
  readonly failureReason: string | null;
  readonly detail: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly closedAt: number | null;
}

export interface LegRow {
  readonly groupId: string;
  readonly legIndex: number;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly targetLots: number;
  /** signed lots that left the venue without an order of ours */
  readonly externalLots: number;
  readonly externalReason: string | null;
}

/** An order as the engine journals it: the request on the grid plus its place in an intent. */
export interface EngineOrderRow {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly type: "limit" | "market";
  readonly tif: "gtc" | "ioc" | "post_only";
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly reduceOnly: boolean;
  /** exact decimal text of the price, size and filled size (the instrument writes them) */
  readonly priceText: string;
  readonly sizeText: string;
  readonly filledText: string;
  readonly filledLots: number;
  readonly status: string;
  readonly venueOrderId: string | null;
  readonly groupId: string | null;
  readonly intentId: string;
  readonly legIndex: number;
  readonly purpose: string;
  readonly attempt: number;
  readonly reason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** migration 0005 (absent on older rows): who placed it; a single order's group label */
  readonly strategy?: string | null;
  readonly groupRef?: string | null;
}

export interface OrderEventRow {
  readonly clientOrderId: string;
  readonly kind: string;
  readonly payload: string;
  readonly ts: number;
}

export interface TimerRow {
  readonly id: string;
  readonly kind: string;
  readonly dueAt: number;
  readonly payload: string;
}

export type GroupPatch = Partial<
  Pick<GroupRow, "status" | "closeReason" | "failureReason" | "detail" | "closedAt">
> & { readonly updatedAt: number };

export interface GroupFilter {
  readonly status?: readonly string[];
  readonly strategy?: string;
  readonly groupIds?: readonly string[];
  /** only groups not closed or failed (the index of open intents) */
  readonly activeOnly?: boolean;
  readonly limit?: number;
}

export interface FillTotals {
  fee: Money;
  realisedPnl: Money;
  /** Σ price × size and Σ size (floats: analytics, for average prices) */
  notional: number;
  size: number;
}

export type GroupOp =
  | { readonly kind: "insert"; readonly group: GroupRow; readonly legs: readonly LegRow[] }
  | { readonly kind: "update"; readonly groupId: string; readonly patch: GroupPatch }
  | {
      readonly kind: "leg_external";
      readonly groupId: string;
      readonly legIndex: number;
      readonly lots: number;
      readonly reason: string;
    };

/** One batch of the engine's journal, committed in one transaction, parents first. */
export interface JournalBatch {
  readonly groups: readonly GroupOp[];
  /**
   * at most one row per client order id (its latest state); `fresh`: the order's first write is
   * in this batch (an insert), otherwise the row exists and only its progress changes
   */
  readonly orders: Iterable<{ readonly row: EngineOrderRow; readonly fresh: boolean }>;
  readonly events: readonly OrderEventRow[];
  readonly fills: readonly FillRecord[];
}
