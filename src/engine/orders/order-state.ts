import { PerpbotError } from "../../core/errors.ts";
import type { Fill, VenueOrderStatus } from "../../core/types.ts";

/**
 * Every order perpbot sends goes through this one state machine. The whole
 * `(status, event) → status` table is TRANSITIONS below; TrackedOrder (order-tracker.ts) only
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
      /**
       * Set by the reconciler when no send of this order can still reach the venue (the venue's
       * request expiry has passed). Only then does "not_found" prove the order never existed.
       */
      readonly sendExpired?: boolean;
    };

/**
 * The table's event axis: OrderEvent with fills split by lots (partial/full) and status reports
 * split by status. `status_absent` is a "not_found" that proves the order never existed: the
 * venue never showed it to us and no send of it can still arrive.
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

export interface Arm {
  readonly to: OrderStatus;
  /** why an odd real-world arm exists; absent on the obvious ones */
  readonly why?: string;
  /** a terminal order moves to another status: the venue proved it lived or traded after all */
  readonly late?: boolean;
}

type Row = Partial<Record<TransitionEvent, OrderStatus | readonly [OrderStatus, string]>>;

// Shared reasons, so the table reads as a table.
const DUP_ACK = "duplicate ack: the HTTP answer and the websocket both report it";
const ACK_OVERTAKEN = "the ack arrives after a later event that overtook it";
const STALE_SNAPSHOT = "stale status snapshot, older than the events we hold";
const LATE_ANSWER = "late answer to a request: the venue has already told us where the order is";
const DUP_RESEND =
  "a reject can answer a duplicate resend (same client order id) while the first send lives; the venue's later word wins";
const STALE_CANCEL_REJECT = "stale answer to an earlier cancel request";
const FILL_WON = "the fill beat the cancel: nothing was left to cancel";
const PRUNED = "venues prune finished orders from their queries";
const LOST_TRACK =
  "the venue no longer lists an order we saw: filled, canceled or pruned; fills or reconciliation say which";
const LATE_FILL_CANCELED = "late fill that raced the cancel: the order traded before the cancel took effect";
const LATE_FILL_EXPIRED = "late fill that raced the expiry (IOC fills and the remainder's expiry reorder)";
const RESEND_SAME_ID = "deliberate resend with the same client order id: idempotent at the venue";

/**
 * THE order state machine. A pair missing from its row is illegal and throws. Our own actions
 * (submit_sent, cancel_requested) are strict; facts from the venue are accepted wherever they
 * can be interpreted, because refusing a venue fact would hide real exposure.
 */
const TRANSITIONS: Readonly<Record<OrderStatus, Row>> = {
  // Nothing from the venue is possible before the send is journaled.
  pending_submit: {
    submit_sent: "in_flight",
    reject: ["rejected", "refused locally before sending (validation)"],
    cancel_requested: ["canceled", "never sent: canceled locally"],
  },
  in_flight: {
    ack: "open",
    reject: "rejected",
    fill_partial: ["partially_filled", "the fill overtook the ack"],
    fill_full: ["filled", "filled (IOC or taker) before the ack arrived"],
    cancel_requested: ["pending_cancel", "cancel by client order id before the ack; the venue orders them"],
    canceled: ["canceled", "canceled before the ack: IOC remainder or a post-only that would cross"],
    cancel_rejected: ["in_flight", STALE_CANCEL_REJECT],
    expired: "expired",
    timeout: "unknown",
    server_error: "unknown",
    rate_limited: "unknown",
    status_open: "open",
    status_partially_filled: "partially_filled",
    status_filled: "filled",
    status_canceled: "canceled",
    status_expired: "expired",
    status_rejected: "rejected",
    status_not_found: ["in_flight", "the request may still be in transit: absence is not a rejection"],
    status_absent: ["rejected", "never reached the venue, and no send of it can still arrive"],
  },
  // Timeouts, 5xx and rate limits land here; only the venue's word leaves.
  unknown: {
    submit_sent: ["in_flight", RESEND_SAME_ID],
    ack: "open",
    reject: "rejected",
    fill_partial: "partially_filled",
    fill_full: "filled",
    cancel_requested: ["pending_cancel", "cancel by client order id: its answer also resolves the unknown"],
    canceled: "canceled",
    cancel_rejected: ["unknown", STALE_CANCEL_REJECT],
    expired: "expired",
    timeout: ["unknown", "a resend's or cancel's outcome is unknown too"],
    server_error: ["unknown", "a resend's or cancel's outcome is unknown too"],
    rate_limited: ["unknown", "a resend's or cancel's outcome is unknown too"],
    status_open: "open",
    status_partially_filled: "partially_filled",
    status_filled: "filled",
    status_canceled: "canceled",
    status_expired: "expired",
    status_rejected: "rejected",
    status_not_found: ["unknown", "absence is not proof while a send may still arrive"],
    status_absent: ["rejected", "reconciled: never reached the venue, and no send of it can still arrive"],
  },
  open: {
    ack: ["open", DUP_ACK],
    reject: ["open", DUP_RESEND],
    fill_partial: "partially_filled",
    fill_full: "filled",
    cancel_requested: "pending_cancel",
    canceled: ["canceled", "canceled by the venue: reduce-only, self-trade, liquidation, ..."],
    cancel_rejected: ["open", STALE_CANCEL_REJECT],
    expired: "expired",
    timeout: ["open", LATE_ANSWER],
    server_error: ["open", LATE_ANSWER],
    rate_limited: ["open", LATE_ANSWER],
    status_open: "open",
    status_partially_filled: "partially_filled",
    status_filled: "filled",
    status_canceled: "canceled",
    status_expired: "expired",
    status_rejected: ["rejected", "accepted by the gateway, refused by the matching engine"],
    status_not_found: ["unknown", LOST_TRACK],
  },
  partially_filled: {
    ack: ["partially_filled", ACK_OVERTAKEN],
    reject: ["partially_filled", DUP_RESEND],
    fill_partial: "partially_filled",
    fill_full: "filled",
    cancel_requested: "pending_cancel",
    canceled: ["canceled", "remainder canceled by the venue"],
    cancel_rejected: ["partially_filled", STALE_CANCEL_REJECT],
    expired: "expired",
    timeout: ["partially_filled", LATE_ANSWER],
    server_error: ["partially_filled", LATE_ANSWER],
    rate_limited: ["partially_filled", LATE_ANSWER],
    status_open: ["partially_filled", STALE_SNAPSHOT],
    status_partially_filled: "partially_filled",
    status_filled: "filled",
    status_canceled: "canceled",
    status_expired: "expired",
    status_not_found: ["unknown", LOST_TRACK],
  },
  filled: {
    ack: ["filled", ACK_OVERTAKEN],
    reject: ["filled", DUP_RESEND],
    fill_partial: ["filled", "fills catching up with a status report that said filled"],
    fill_full: ["filled", "fills catching up with a status report that said filled"],
    canceled: ["filled", FILL_WON],
    cancel_rejected: ["filled", FILL_WON],
    expired: ["filled", "the expiry raced the last fill: nothing was left to expire"],
    timeout: ["filled", LATE_ANSWER],
    server_error: ["filled", LATE_ANSWER],
    rate_limited: ["filled", LATE_ANSWER],
    status_open: ["filled", STALE_SNAPSHOT],
    status_partially_filled: ["filled", STALE_SNAPSHOT],
    status_filled: "filled",
    status_canceled: ["filled", "a filled order cannot be canceled: the report is stale or inconsistent"],
    status_expired: ["filled", "a filled order cannot expire: the report is stale or inconsistent"],
    status_not_found: ["filled", PRUNED],
    status_absent: ["filled", PRUNED],
  },
  pending_cancel: {
    ack: ["pending_cancel", "the ack of an order whose cancel is already on its way"],
    reject: ["rejected", "the order was refused before the cancel mattered"],
    fill_partial: [
      "pending_cancel",
      "a fill while the cancel is on its way: the remainder is still canceling",
    ],
    fill_full: ["filled", "filled before the cancel reached the venue"],
    cancel_requested: ["pending_cancel", "cancel re-sent: cancels by client order id are idempotent"],
    canceled: "canceled",
    cancel_rejected: ["unknown", "the venue would not cancel: usually already filled or gone; ask which"],
    expired: "expired",
    timeout: "unknown",
    server_error: "unknown",
    rate_limited: "unknown",
    status_open: ["pending_cancel", "the cancel has not taken effect yet"],
    status_partially_filled: ["pending_cancel", "the cancel has not taken effect yet"],
    status_filled: "filled",
    status_canceled: "canceled",
    status_expired: "expired",
    status_rejected: "rejected",
    status_not_found: ["unknown", LOST_TRACK],
    status_absent: ["rejected", "the cancel found nothing: the order never reached the venue"],
  },
  canceled: {
    ack: ["canceled", ACK_OVERTAKEN],
    reject: ["canceled", "already canceled: a duplicate answer"],
    fill_partial: ["canceled", LATE_FILL_CANCELED],
    fill_full: ["filled", LATE_FILL_CANCELED],
    canceled: ["canceled", "duplicate cancel confirmation"],
    cancel_rejected: ["canceled", "already canceled: the second cancel found nothing"],
    expired: ["canceled", "venues differ on calling a remainder canceled or expired"],
    timeout: ["canceled", LATE_ANSWER],
    server_error: ["canceled", LATE_ANSWER],
    rate_limited: ["canceled", LATE_ANSWER],
    status_open: ["canceled", STALE_SNAPSHOT],
    status_partially_filled: ["canceled", STALE_SNAPSHOT],
    status_filled: ["filled", "the venue's record says filled: the cancel lost the race"],
    status_canceled: "canceled",
    status_expired: ["canceled", "venues differ on calling a remainder canceled or expired"],
    status_rejected: ["canceled", "venues report a post-only that would cross as rejected or canceled"],
    status_not_found: ["canceled", PRUNED],
    status_absent: ["canceled", PRUNED],
  },
  rejected: {
    ack: ["open", DUP_RESEND],
    reject: ["rejected", "duplicate reject"],
    fill_partial: ["partially_filled", DUP_RESEND],
    fill_full: ["filled", DUP_RESEND],
    canceled: ["canceled", DUP_RESEND],
    cancel_rejected: ["rejected", "nothing to cancel"],
    expired: ["expired", DUP_RESEND],
    timeout: ["rejected", LATE_ANSWER],
    server_error: ["rejected", LATE_ANSWER],
    rate_limited: ["rejected", LATE_ANSWER],
    status_open: ["open", DUP_RESEND],
    status_partially_filled: ["partially_filled", DUP_RESEND],
    status_filled: ["filled", DUP_RESEND],
    status_canceled: ["canceled", DUP_RESEND],
    status_expired: ["expired", DUP_RESEND],
    status_rejected: "rejected",
    status_not_found: ["rejected", PRUNED],
    status_absent: "rejected",
  },
  expired: {
    ack: ["expired", ACK_OVERTAKEN],
    reject: ["expired", "already expired: a duplicate answer"],
    fill_partial: ["expired", LATE_FILL_EXPIRED],
    fill_full: ["filled", LATE_FILL_EXPIRED],
    canceled: ["expired", "venues differ on calling a remainder canceled or expired"],
    cancel_rejected: ["expired", "already expired: nothing to cancel"],
    expired: ["expired", "duplicate expiry"],
    timeout: ["expired", LATE_ANSWER],
    server_error: ["expired", LATE_ANSWER],
    rate_limited: ["expired", LATE_ANSWER],
    status_open: ["expired", STALE_SNAPSHOT],
    status_partially_filled: ["expired", STALE_SNAPSHOT],
    status_filled: ["filled", "the venue's record says filled: the expiry lost the race"],
    status_canceled: ["expired", "venues differ on calling a remainder canceled or expired"],
    status_expired: "expired",
    status_rejected: ["expired", "venues report an IOC that found nothing as rejected or expired"],
    status_not_found: ["expired", PRUNED],
    status_absent: ["expired", PRUNED],
  },
};

/** A (status, event) pair the table does not allow: a bug in the caller or an impossible report. */
export class IllegalTransitionError extends PerpbotError {
  readonly status: OrderStatus;
  readonly event: TransitionEvent;
  constructor(status: OrderStatus, event: TransitionEvent, clientOrderId?: string) {
    const who = clientOrderId === undefined ? "" : ` (order ${clientOrderId})`;
    super("illegal_transition", `illegal order transition: event ${event} in status ${status}${who}`);
    this.status = status;
    this.event = event;
  }
}

/** Look up one arm of the table; throws IllegalTransitionError naming both when it has none. */
export function transition(status: OrderStatus, event: TransitionEvent, clientOrderId?: string): Arm {
  const cell = TRANSITIONS[status][event];
  if (cell === undefined) throw new IllegalTransitionError(status, event, clientOrderId);
  const [to, why] = typeof cell === "string" ? [cell, undefined] : cell;
  const late = isTerminal(status) && to !== status;
  return late ? { to, why, late } : why === undefined ? { to } : { to, why };
}
