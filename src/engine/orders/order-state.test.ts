import assert from "node:assert/strict";
import { test } from "node:test";
import {
  isTerminal,
  ORDER_STATUSES,
  type OrderStatus,
  TRANSITION_EVENTS,
  type TransitionEvent,
} from "./order-state.ts";
import { type Arm, IllegalTransitionError, transition } from "./order-transitions.ts";

/**
 * The pairs the table refuses, written out by hand: a change to the table that adds or removes
 * an illegal pair must change this list too, on purpose.
 */
const EXPECTED_ILLEGAL: Readonly<Record<OrderStatus, readonly TransitionEvent[]>> = {
  pending_submit: TRANSITION_EVENTS.filter((e) => !["submit_sent", "reject", "cancel_requested"].includes(e)),
  in_flight: ["submit_sent", "replace_requested"],
  unknown: ["replace_requested"],
  open: ["submit_sent", "status_absent"],
  partially_filled: ["submit_sent", "status_rejected", "status_absent"],
  filled: ["submit_sent", "cancel_requested", "status_rejected", "replace_requested"],
  pending_cancel: ["submit_sent", "replace_requested"],
  // one amend at a time, of an order the venue has shown us
  pending_replace: ["submit_sent", "status_absent", "replace_requested"],
  canceled: ["submit_sent", "cancel_requested", "replace_requested"],
  rejected: ["submit_sent", "cancel_requested", "replace_requested"],
  expired: ["submit_sent", "cancel_requested", "replace_requested"],
};

function tryTransition(s: OrderStatus, e: TransitionEvent): Arm | Error {
  try {
    return transition(s, e);
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
}

test("every (status, event) pair has an arm or throws an error naming both", () => {
  let pairs = 0;
  for (const s of ORDER_STATUSES) {
    for (const e of TRANSITION_EVENTS) {
      pairs++;
      const r = tryTransition(s, e);
      if (EXPECTED_ILLEGAL[s].includes(e)) {
        assert.ok(r instanceof IllegalTransitionError, `${s} + ${e} should be illegal`);
        assert.equal(r.message, `illegal order transition: event ${e} in status ${s}`);
        assert.equal(r.status, s);
        assert.equal(r.event, e);
        assert.equal(r.code, "illegal_transition");
      } else {
        assert.ok(!(r instanceof Error), `${s} + ${e} should be legal, got ${String(r)}`);
        assert.ok(ORDER_STATUSES.includes(r.to), `${s} + ${e} -> ${r.to}`);
      }
    }
  }
  assert.equal(pairs, 11 * 25);
});

test("the error names the order when one is given", () => {
  assert.throws(
    () => transition("filled", "cancel_requested", "pb-abc"),
    /event cancel_requested in status filled \(order pb-abc\)/,
  );
});

test("timeouts, 5xx and rate limits never reject: a pending request becomes unknown", () => {
  for (const e of ["timeout", "server_error", "rate_limited"] as const) {
    assert.equal(transition("in_flight", e).to, "unknown");
    assert.equal(transition("pending_cancel", e).to, "unknown");
    assert.equal(transition("pending_replace", e).to, "unknown");
    assert.equal(transition("unknown", e).to, "unknown");
    for (const s of ORDER_STATUSES) {
      const r = tryTransition(s, e);
      // (a rejected order stays rejected; no other order becomes rejected this way)
      if (!(r instanceof Error) && s !== "rejected") assert.notEqual(r.to, "rejected", `${s} + ${e}`);
    }
    // with no request pending there is nothing whose outcome could be unknown
    assert.throws(() => transition("pending_submit", e), IllegalTransitionError);
    // a late answer to a request never undoes what the venue already told us
    for (const s of ["open", "partially_filled", "filled", "canceled", "expired"] as const)
      assert.equal(transition(s, e).to, s);
  }
});

test("only the venue's word or our resend takes an order out of unknown", () => {
  const stays: TransitionEvent[] = [
    "timeout",
    "server_error",
    "rate_limited",
    "status_not_found",
    "cancel_rejected",
    "replace_rejected",
    "replace_rejected_partial",
  ];
  for (const e of stays) assert.equal(transition("unknown", e).to, "unknown", e);
  assert.equal(transition("unknown", "submit_sent").to, "in_flight");
  assert.equal(transition("unknown", "cancel_requested").to, "pending_cancel");
  // the routes to rejected: a definite reject, a status that says so, or proven absence
  const toRejected = TRANSITION_EVENTS.filter(
    (e) => e !== "replace_requested" && transition("unknown", e).to === "rejected",
  );
  assert.deepEqual(toRejected.sort(), ["reject", "status_absent", "status_rejected"]);
});

test("terminal states stay terminal except the documented late arms", () => {
  for (const s of ORDER_STATUSES.filter(isTerminal)) {
    for (const e of TRANSITION_EVENTS) {
      const r = tryTransition(s, e);
      if (r instanceof Error) continue;
      if (r.to === s) {
        assert.equal(r.late, undefined, `${s} + ${e}`);
        continue;
      }
      assert.equal(r.late, true, `${s} + ${e} leaves a terminal state without the late flag`);
      assert.ok(r.why && r.why.length > 10, `${s} + ${e} needs a reason`);
      // canceled and expired orders can only turn out to have filled; rejected can turn out to live
      if (s !== "rejected") assert.equal(r.to, "filled", `${s} + ${e}`);
    }
  }
});

test("late arms are exactly the listed ones", () => {
  const late: string[] = [];
  for (const s of ORDER_STATUSES)
    for (const e of TRANSITION_EVENTS) {
      const r = tryTransition(s, e);
      if (!(r instanceof Error) && r.late) late.push(`${s}+${e}->${r.to}`);
    }
  assert.deepEqual(late.sort(), [
    "canceled+fill_full->filled",
    "canceled+status_filled->filled",
    "expired+fill_full->filled",
    "expired+status_filled->filled",
    "rejected+ack->open",
    "rejected+canceled->canceled",
    "rejected+expired->expired",
    "rejected+fill_full->filled",
    "rejected+fill_partial->partially_filled",
    "rejected+status_canceled->canceled",
    "rejected+status_expired->expired",
    "rejected+status_filled->filled",
    "rejected+status_open->open",
    "rejected+status_partially_filled->partially_filled",
  ]);
});

test("the odd real-world arms resolve as documented and carry a reason", () => {
  const cases: [OrderStatus, TransitionEvent, OrderStatus][] = [
    // a fill after a cancel request: the remainder is still being canceled
    ["pending_cancel", "fill_partial", "pending_cancel"],
    ["pending_cancel", "fill_full", "filled"],
    // a cancel rejected (or confirmed) after the order already filled
    ["filled", "cancel_rejected", "filled"],
    ["filled", "canceled", "filled"],
    // an ack arriving after a fill
    ["filled", "ack", "filled"],
    ["partially_filled", "ack", "partially_filled"],
    // a late fill on a canceled order that raced the cancel
    ["canceled", "fill_partial", "canceled"],
    ["canceled", "fill_full", "filled"],
    // fills that overtook the ack
    ["in_flight", "fill_partial", "partially_filled"],
    ["in_flight", "fill_full", "filled"],
    // a stale snapshot never rolls back fills we hold
    ["partially_filled", "status_open", "partially_filled"],
    // a refused cancel means the order is gone or filled, not that it rests
    ["pending_cancel", "cancel_rejected", "unknown"],
    ["open", "status_not_found", "unknown"],
  ];
  for (const [s, e, to] of cases) {
    const r = transition(s, e);
    assert.equal(r.to, to, `${s} + ${e}`);
    assert.ok(r.why, `${s} + ${e} needs a reason`);
  }
  // the plain arms carry none
  assert.equal(transition("in_flight", "ack").why, undefined);
  assert.equal(transition("open", "fill_full").why, undefined);
});

test("every no-op arm on a venue fact explains itself, except a status that confirms the status", () => {
  const confirming = new Set(["open+status_open", "partially_filled+fill_partial"]);
  for (const s of ORDER_STATUSES)
    for (const e of TRANSITION_EVENTS) {
      const r = tryTransition(s, e);
      if (r instanceof Error || r.to !== s) continue;
      if (e === `status_${s}` || confirming.has(`${s}+${e}`) || (s === "rejected" && e === "status_absent"))
        continue;
      if (s === "partially_filled" && e === "status_partially_filled") continue;
      assert.ok(r.why, `${s} + ${e} stays ${s} without a reason`);
    }
});

test("amend: pending replace goes to replaced or back, by whether the order has filled part", () => {
  assert.equal(transition("open", "replace_requested").to, "pending_replace");
  assert.equal(transition("partially_filled", "replace_requested").to, "pending_replace");
  // the plain answers carry no reason
  for (const [e, to] of [
    ["replaced", "open"],
    ["replaced_partial", "partially_filled"],
    ["replace_rejected", "open"],
    ["replace_rejected_partial", "partially_filled"],
  ] as const) {
    const arm = transition("pending_replace", e);
    assert.deepEqual(arm, { to }, `pending_replace + ${e}`);
  }
  // a terminal order never comes back to life through an amend's answer
  for (const s of ORDER_STATUSES.filter(isTerminal))
    for (const e of [
      "replaced",
      "replaced_partial",
      "replace_rejected",
      "replace_rejected_partial",
    ] as const) {
      const arm = transition(s, e);
      assert.equal(arm.to, s, `${s} + ${e}`);
      assert.match(arm.why ?? "", /late answer to an amend/);
    }
});

test("amend: the real-world races carry their reasons", () => {
  const cases: [OrderStatus, TransitionEvent, OrderStatus, RegExp][] = [
    ["pending_replace", "fill_partial", "pending_replace", /fill raced the amend/],
    ["pending_replace", "fill_full", "filled", /filled before the amend/],
    ["pending_replace", "cancel_requested", "pending_cancel", /cancel overrides the amend/],
    ["pending_replace", "canceled", "canceled", /while the amend was on its way/],
    ["pending_replace", "timeout", "unknown", /amend's answer was lost/],
    ["pending_replace", "status_open", "pending_replace", /does not say which version/],
    ["pending_replace", "status_not_found", "unknown", /no longer lists/],
    ["pending_cancel", "replaced", "pending_cancel", /cancel still stands/],
    ["unknown", "replaced", "open", /resolves the unknown/],
    ["unknown", "replace_rejected", "unknown", /says nothing of where the order is/],
    ["open", "replaced", "open", /duplicate replace confirmation/],
    ["in_flight", "replace_rejected", "in_flight", /stale answer to an earlier amend/],
  ];
  for (const [s, e, to, why] of cases) {
    const r = transition(s, e);
    assert.equal(r.to, to, `${s} + ${e}`);
    assert.match(r.why ?? "", why, `${s} + ${e}`);
  }
});
