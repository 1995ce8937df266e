import type { Fill, OrderType, Side, TimeInForce } from "../../core/types.ts";
import type { OrderPurpose } from "./order-records.ts";
import type { OrderEvent, OrderStatus } from "./order-state.ts";

/**
 * The public vocabulary of single-order intents (Engine.placeOrder, cancelOrder, amendOrder,
 * orders, onOrderUpdate). Prices are integer ticks and sizes integer lots of the instrument.
 */

export interface OrderIntent {
  readonly strategy: string;
  /** unique per strategy: the same intent always gets the same client order id, and one order */
  readonly intentId: string;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly sizeLots: number;
  /** a limit's price; a market order's protection price (it never fills beyond it) */
  readonly priceTicks: number;
  readonly type: OrderType;
  /** a market order must be "ioc" */
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  /** a label tying the order to a group of the strategy; it does not make it one of the group's legs */
  readonly groupId?: string;
}

/** Why an intent was not carried out: a closed set. */
export type OrderRefusal =
  /** the venue refused it (the detail is the venue's reason, e.g. post_only_would_cross) */
  | "rejected"
  /** the risk gate refused it: limits, stale book, cooldown, REDUCING */
  | "risk_refused"
  /** the venue's capabilities do not offer it (post-only, IOC, reduce-only, market, amend) */
  | "unsupported"
  /** trading is HALTED, or the engine is stopping or not started */
  | "halted"
  /** the intent or the order it names is malformed, unknown, or in no state to do it */
  | "invalid"
  /** the instance runs dry (`dry_run`): logged as "would place", nothing sent */
  | "dry_run";

export type PlaceOutcome =
  /** sent; status as of the venue's answer (`unknown` when the answer was lost: it is resolved) */
  | { readonly ok: true; readonly clientOrderId: string; readonly status: OrderStatus }
  | {
      readonly ok: false;
      readonly clientOrderId: string;
      readonly reason: OrderRefusal;
      readonly detail: string;
    };

export type CancelOutcome =
  | { readonly ok: true; readonly clientOrderId: string; readonly status: OrderStatus }
  | {
      readonly ok: false;
      readonly clientOrderId: string;
      /**
       * lost: the order ended otherwise first (it filled: the fill won the race);
       * unresolved: the cancel's outcome is not known yet (the reconciler carries on)
       */
      readonly reason: "lost" | "unresolved" | "invalid";
      readonly detail: string;
      readonly status?: OrderStatus;
    };

export interface AmendRequest {
  readonly priceTicks?: number;
  readonly sizeLots?: number;
}

export type AmendOutcome =
  | {
      readonly ok: true;
      readonly clientOrderId: string;
      readonly status: OrderStatus;
      readonly priceTicks: number;
      readonly sizeLots: number;
    }
  | {
      readonly ok: false;
      readonly clientOrderId: string;
      /** lost: the order filled or ended before the amend; unresolved: its outcome is not known yet */
      readonly reason: OrderRefusal | "lost" | "unresolved";
      readonly detail: string;
      readonly status?: OrderStatus;
    };

/** An engine order as strategies and status screens see it (single orders and group legs). */
export interface OrderView {
  readonly clientOrderId: string;
  readonly strategy: string;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  /** as it rests now (after any confirmed amend) */
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly filledLots: number;
  readonly status: OrderStatus;
  readonly purpose: OrderPurpose;
  /** the group whose leg it is (group orders), or the label a single order was given */
  readonly groupId: string | null;
  readonly venueOrderId: string | null;
  /** average fill price in ticks (float: analytics); null before the first fill */
  readonly avgFillPriceTicks: number | null;
  /** the venue's reason of the last reject, cancel or refused amend */
  readonly reason: string | null;
  readonly updatedAt: number;
}

export interface OrderFilter {
  readonly strategy?: string;
  readonly venue?: string;
  readonly account?: string;
  /** only orders not yet terminal */
  readonly openOnly?: boolean;
}

/** One applied event of an engine order: a status change, a fill, an amend's answer. */
export interface OrderUpdate {
  readonly order: OrderView;
  readonly event: OrderEvent["kind"];
  readonly fill?: Fill;
}
