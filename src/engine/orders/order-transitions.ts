import { PerpbotError } from "../../core/errors.ts";
import { isTerminal, type OrderStatus, type TransitionEvent } from "./order-state.ts";

/**
 * THE order state machine's table: every `(status, event) → status` pair, with a one-line reason
 * on every odd real-world arm. order-state.ts declares the statuses and events and looks arms up.
 */
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
const STALE_REPLACE_REJECT = "stale answer to an earlier amend";
const DUP_REPLACE = "duplicate replace confirmation: the HTTP answer and the websocket both report it";
const LATE_REPLACE = "late answer to an amend of an order that has ended";
const REPLACE_RACED_FILL =
  "fill arrives while replace pending: the fill raced the amend; its answer says what rests";

/** The four answers to an amend, all leaving the order where it is, for one reason. */
function amendAnswers(to: OrderStatus, why: string): Row {
  return {
    replaced: [to, why],
    replaced_partial: [to, why],
    replace_rejected: [to, why],
    replace_rejected_partial: [to, why],
  };
}

/**
 * THE order state machine. A pair missing from its row is illegal and throws. Our own actions
 * (submit_sent, cancel_requested) are strict; facts from the venue are accepted wherever they
 * can be interpreted, because refusing a venue fact would hide real exposure.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, Row>> = {
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
    replaced: ["open", "the venue confirms an amend of an earlier send of this id: the order lives"],
    replaced_partial: [
      "partially_filled",
      "the venue confirms an amend of an earlier send of this id: the order lives",
    ],
    replace_rejected: ["in_flight", STALE_REPLACE_REJECT],
    replace_rejected_partial: ["in_flight", STALE_REPLACE_REJECT],
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
    replaced: ["open", "the amend's answer resolves the unknown: the order rests at its new price and size"],
    replaced_partial: [
      "partially_filled",
      "the amend's answer resolves the unknown: the rest rests at its new price and size",
    ],
    replace_rejected: ["unknown", "a refused amend says nothing of where the order is: ask"],
    replace_rejected_partial: ["unknown", "a refused amend says nothing of where the order is: ask"],
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
    replace_requested: "pending_replace",
    replaced: ["open", DUP_REPLACE],
    replaced_partial: ["open", DUP_REPLACE],
    replace_rejected: ["open", STALE_REPLACE_REJECT],
    replace_rejected_partial: ["open", STALE_REPLACE_REJECT],
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
    replace_requested: "pending_replace",
    replaced: ["partially_filled", DUP_REPLACE],
    replaced_partial: ["partially_filled", DUP_REPLACE],
    replace_rejected: ["partially_filled", STALE_REPLACE_REJECT],
    replace_rejected_partial: ["partially_filled", STALE_REPLACE_REJECT],
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
    ...amendAnswers("filled", LATE_REPLACE),
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
    ...amendAnswers(
      "pending_cancel",
      "an answer to an amend sent before the cancel: the cancel still stands",
    ),
  },
  // An amend is on its way; one at a time, and only of an order the venue has shown us.
  pending_replace: {
    ack: ["pending_replace", ACK_OVERTAKEN],
    reject: ["pending_replace", DUP_RESEND],
    fill_partial: ["pending_replace", REPLACE_RACED_FILL],
    fill_full: ["filled", "filled before the amend reached the venue: the amend will be refused"],
    cancel_requested: ["pending_cancel", "a cancel overrides the amend on its way, whatever its answer"],
    canceled: [
      "canceled",
      "canceled while the amend was on its way (by the venue, or an amend the venue answers by canceling)",
    ],
    cancel_rejected: ["pending_replace", STALE_CANCEL_REJECT],
    expired: ["expired", "expired while the amend was on its way"],
    replaced: "open",
    replaced_partial: "partially_filled",
    replace_rejected: "open",
    replace_rejected_partial: "partially_filled",
    timeout: ["unknown", "the amend's answer was lost: only the venue's word says which price and size rest"],
    server_error: [
      "unknown",
      "the amend's answer was lost: only the venue's word says which price and size rest",
    ],
    rate_limited: [
      "unknown",
      "the amend's answer was lost: only the venue's word says which price and size rest",
    ],
    status_open: ["pending_replace", "the amend is unanswered; the report does not say which version rests"],
    status_partially_filled: [
      "pending_replace",
      "the amend is unanswered; the report does not say which version rests",
    ],
    status_filled: "filled",
    status_canceled: "canceled",
    status_expired: "expired",
    status_rejected: ["rejected", "accepted by the gateway, refused by the matching engine"],
    status_not_found: ["unknown", LOST_TRACK],
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
    ...amendAnswers("canceled", LATE_REPLACE),
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
    ...amendAnswers("rejected", LATE_REPLACE),
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
    ...amendAnswers("expired", LATE_REPLACE),
  },
};

export interface Arm {
  readonly to: OrderStatus;
  /** why an odd real-world arm exists; absent on the obvious ones */
  readonly why?: string;
  /** a terminal order moves to another status: the venue proved it lived or traded after all */
  readonly late?: boolean;
}

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
