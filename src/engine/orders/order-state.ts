import type { Fill, VenueOrderStatus } from "../../core/types.ts";

/**
 * Every order perpbot sends goes through this one state machine. The whole
 * `(status, event) → status` table is TRANSITIONS (order-transitions.ts); TrackedOrder (order-tracker.ts) only
 * feeds it events and keeps the data they carry.
 */
export type OrderStatus =
  | "pending_submit"
  | "in_flight"
  | "unknown"
  | "open"
  | "partially_filled"
  | "filled"
  | "pending_cancel"
  /** an amend (new price and/or size) is on its way; the venue's answer says which version rests */
  | "pending_replace"
  | "canceled"
  | "rejected"
  | "expired";

export const ORDER_STATUSES: readonly OrderStatus[] = [
  "pending_submit",
  "in_flight",
  "unknown",
  "open",
  "partially_filled",
  "filled",
  "pending_cancel",
  "pending_replace",
  "canceled",
  "rejected",
  "expired",
];

const TERMINAL: ReadonlySet<OrderStatus> = new Set(["filled", "canceled", "rejected", "expired"]);

/** Terminal: the order can no longer trade, except through a documented `late` arm. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

/** What a status query or the reconciler reports for one client order id. */
export type StatusReported = VenueOrderStatus | "not_found";

/** What happens to an order, as the executor and the venue adapter report it. */
export type OrderEvent =
  /** journaled BEFORE the request leaves, so a crash never hides a sent order */
  | { readonly kind: "submit_sent"; readonly ts: number }
  | { readonly kind: "ack"; readonly ts: number; readonly venueOrderId: string }
  | { readonly kind: "reject"; readonly ts: number; readonly reason: string }
  | { readonly kind: "fill"; readonly ts: number; readonly fill: Fill }
  | { readonly kind: "cancel_requested"; readonly ts: number }
  | { readonly kind: "canceled"; readonly ts: number; readonly reason: string }
  | { readonly kind: "cancel_rejected"; readonly ts: number; readonly reason: string }
  | { readonly kind: "expired"; readonly ts: number }
  /** journaled BEFORE the amend request leaves, like submit_sent */
  | {
      readonly kind: "replace_requested";
      readonly ts: number;
      readonly priceTicks: number;
      readonly sizeLots: number;
    }
  /** the venue confirms the amend: the order rests at this price and size (venue ids may change) */
  | {
      readonly kind: "replaced";
      readonly ts: number;
      readonly priceTicks: number;
      readonly sizeLots: number;
      readonly venueOrderId?: string;
    }
  | { readonly kind: "replace_rejected"; readonly ts: number; readonly reason: string }
  | {
      readonly kind: "timeout" | "server_error" | "rate_limited";
      readonly ts: number;
      readonly detail?: string;
    }
  | {
      readonly kind: "status_report";
      readonly ts: number;
      readonly status: StatusReported;
      /** filled lots as the venue counts them; may run ahead of the fills we have received */
      readonly filledLots?: number;
      readonly venueOrderId?: string;
      /** the price and size the venue holds the order at (resolves an amend whose answer was lost) */
      readonly priceTicks?: number;
      readonly sizeLots?: number;
      /**
       * Set by the reconciler when no send of this order can still reach the venue (the venue's
       * request expiry has passed). Only then does "not_found" prove the order never existed.
       */
      readonly sendExpired?: boolean;
    };

/**
 * The table's event axis: OrderEvent with fills split by lots (partial/full) and status reports
 * split by status. `status_absent` is a "not_found" that proves the order never existed: the
 * venue never showed it to us and no send of it can still arrive. An amend's answers are split
 * by whether the order has filled part (`_partial`), because that decides whether it goes back
 * to open or to partially_filled.
 */
export type TransitionEvent =
  | "submit_sent"
  | "ack"
  | "reject"
  | "fill_partial"
  | "fill_full"
  | "cancel_requested"
  | "canceled"
  | "cancel_rejected"
  | "expired"
  | "replace_requested"
  | "replaced"
  | "replaced_partial"
  | "replace_rejected"
  | "replace_rejected_partial"
  | "timeout"
  | "server_error"
  | "rate_limited"
  | "status_open"
  | "status_partially_filled"
  | "status_filled"
  | "status_canceled"
  | "status_expired"
  | "status_rejected"
  | "status_not_found"
  | "status_absent";

export const TRANSITION_EVENTS: readonly TransitionEvent[] = [
  "submit_sent",
  "ack",
  "reject",
  "fill_partial",
  "fill_full",
  "cancel_requested",
  "canceled",
  "cancel_rejected",
  "expired",
  "replace_requested",
  "replaced",
  "replaced_partial",
  "replace_rejected",
  "replace_rejected_partial",
  "timeout",
  "server_error",
  "rate_limited",
  "status_open",
  "status_partially_filled",
  "status_filled",
  "status_canceled",
  "status_expired",
  "status_rejected",
  "status_not_found",
  "status_absent",
];
