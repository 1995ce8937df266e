import type { Money } from "./money.ts";

export type Side = "buy" | "sell";
/** +1 for buy/long, -1 for sell/short */
export function sideSign(side: Side): 1 | -1 {
  return side === "buy" ? 1 : -1;
}
export function oppositeSide(side: Side): Side {
  return side === "buy" ? "sell" : "buy";
}

export type OrderType = "limit" | "market";
/** gtc rests; ioc fills what it can now and expires the rest; post_only is rejected if it would cross. */
export type TimeInForce = "gtc" | "ioc" | "post_only";
export type MarginMode = "cross" | "isolated";
export type Liquidity = "maker" | "taker" | "liquidation";

/**
 * An order as perpbot sends it. Prices are integer ticks and sizes integer lots of the
 * instrument. A market order is an IOC with a protection price (`priceTicks`): it never fills
 * beyond it.
 */
export interface OrderRequest {
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
}

/** Venue-side order status as reported by an order-status query or an open-orders list. */
export type VenueOrderStatus = "open" | "partially_filled" | "filled" | "canceled" | "rejected" | "expired";

export interface OrderReport {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly filledLots: number;
  readonly status: VenueOrderStatus;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
}

export interface Fill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  /** positive: paid by the account; negative: a rebate */
  readonly fee: Money;
  readonly liquidity: Liquidity;
  /** realised PnL of this fill (closing part), excluding fees */
  readonly realisedPnl: Money;
  readonly ts: number;
}

export interface PositionReport {
  readonly account: string;
  readonly symbol: string;
  /** signed lots: > 0 long, < 0 short */
  readonly sizeLots: number;
  /** average entry price, float (analytics) */
  readonly entryPrice: number;
  readonly markPrice: number;
  readonly unrealisedPnlUsd: number;
  readonly leverage: number;
  readonly marginMode: MarginMode;
  /** isolated margin allotted, or the cross share used for the liquidation formula */
  readonly marginUsd: number;
  readonly maintenanceMarginUsd: number;
  /** null when the position cannot be liquidated (e.g. fully collateralised) */
  readonly liquidationPrice: number | null;
  readonly fundingPaid: Money;
}

export interface AccountReport {
  readonly account: string;
  /** cash balance (deposits + realised PnL - fees + funding) */
  readonly cash: Money;
  /** cash + unrealised PnL, float */
  readonly equityUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly availableUsd: number;
}
