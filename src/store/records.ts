import type { Money } from "../core/money.ts";
import type { Liquidity, OrderType, Side, TimeInForce } from "../core/types.ts";

/**
 * What the store's repository methods take and give back: domain types (Money as bigint,
 * timestamps in ms, prices and sizes as exact decimal text written by the instrument).
 */

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** null for a market order without a protection price */
  readonly price: string | null;
  readonly size: string;
  readonly filledSize: string;
  readonly reduceOnly: boolean;
  /** the engine's order state (its state machine owns the values) */
  readonly status: string;
  readonly venueOrderId: string | null;
  readonly groupId: string | null;
  readonly reason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface FillRecord {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** the venue's id of the fill; (venue, account, fillId) is unique */
  readonly fillId: string;
  readonly clientOrderId: string | null;
  readonly venueOrderId: string | null;
  readonly side: Side;
  readonly price: string;
  readonly size: string;
  /** positive: paid; negative: a rebate */
  readonly fee: Money;
  readonly realisedPnl: Money;
  readonly liquidity: Liquidity;
  readonly ts: number;
}

export interface FundingPaymentRecord {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** positive: received; negative: paid */
  readonly amount: Money;
  readonly ratePerHour: number;
  readonly positionSize: string | null;
  readonly ts: number;
}

export interface EquitySnapshot {
  readonly venue: string;
  readonly account: string;
  readonly equity: Money;
  readonly cash: Money;
  readonly maintenanceMargin: Money;
  readonly ts: number;
}

export type AlertSeverity = "info" | "warning" | "critical" | "emergency";

export interface AlertInput {
  readonly severity: AlertSeverity;
  /** a stable machine-readable kind, e.g. "liquidation_warn" */
  readonly kind: string;
  /** a short headline ("Unhedged leg"); null for alerts stored without one */
  readonly title?: string | null;
  readonly message: string;
  readonly context?: Readonly<Record<string, unknown>> | null;
  readonly ts: number;
}

export interface AlertRecord extends AlertInput {
  readonly id: number;
  readonly title: string | null;
  readonly context: Readonly<Record<string, unknown>> | null;
  readonly acknowledgedAt: number | null;
}

/** Filters shared by the list methods; every field optional. */
export interface AccountFilter {
  readonly venue?: string;
  readonly account?: string;
  readonly symbol?: string;
  /** inclusive, ms */
  readonly sinceTs?: number;
  /** exclusive, ms */
  readonly untilTs?: number;
  readonly limit?: number;
  /** with `limit`: keep the newest rows rather than the oldest (still returned oldest first) */
  readonly latest?: boolean;
}

/** A control request's progress: pending → running (claimed by the runner) → done or failed. */
export type ControlRequestStatus = "pending" | "running" | "done" | "failed";

/** An operator's request to the running process (`perpbot close`, `perpbot flatten`). */
export interface ControlRequestRecord {
  readonly id: number;
  /** what to do ("close", "flatten"); the business layer owns the values */
  readonly action: string;
  readonly args: Record<string, unknown>;
  readonly status: ControlRequestStatus;
  /** the outcome (done) or { error, ... } (failed); null until finished */
  readonly result: Record<string, unknown> | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}
