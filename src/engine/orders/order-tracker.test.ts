import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { InvalidValueError } from "../../core/errors.ts";
import { usd } from "../../core/money.ts";
import type { Fill, OrderRequest } from "../../core/types.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import { isTerminal, type OrderEvent, type StatusReported } from "./order-state.ts";
import { OverfillError, orderEventOf, TrackedOrder, unknownOutcomeEvent } from "./order-tracker.ts";
import { IllegalTransitionError } from "./order-transitions.ts";

function request(sizeLots: number): OrderRequest {
  return {
    clientOrderId: "pb-test",
    account: "0xwallet",
    symbol: "BTC",
    side: "buy",
    type: "limit",
    priceTicks: 1000,
    sizeLots,
    tif: "gtc",
    reduceOnly: false,
  };
}

function fill(fillId: string, sizeLots: number, priceTicks = 1000, fee = usd(0.01)): Fill {
  return {
    fillId,
    clientOrderId: "pb-test",
    venueOrderId: "v1",
    account: "0xwallet",
    symbol: "BTC",
    side: "buy",
    priceTicks,
    sizeLots,
    fee,
    liquidity: "maker",
    realisedPnl: 0n,
    ts: 5,
  };
}

const fillEvent = (f: Fill): OrderEvent => ({ kind: "fill", ts: f.ts, fill: f });

test("an order is sent, acknowledged and filled in two parts", () => {
  const o = new TrackedOrder(request(10));
  assert.equal(o.status, "pending_submit");
  o.apply({ kind: "submit_sent", ts: 1 });
  o.apply({ kind: "ack", ts: 2, venueOrderId: "v1" });
  assert.equal(o.venueOrderId, "v1");
  assert.equal(o.avgFillPriceTicks, undefined);
  o.apply(fillEvent(fill("f1", 4, 1000, usd(0.02))));
  assert.equal(o.status, "partially_filled");
  assert.equal(o.remainingLots, 6);
  assert.equal(o.workingLots, 6);
  o.apply(fillEvent(fill("f2", 6, 1005, usd(-0.005))));
  assert.equal(o.status, "filled");
  assert.equal(o.filledLots, 10);
  assert.equal(o.remainingLots, 0);
  assert.equal(o.workingLots, 0);
  assert.equal(o.avgFillPriceTicks, (4 * 1000 + 6 * 1005) / 10);
  assert.equal(o.fees, usd(0.015));
  assert.deepEqual(
    o.history.map((h) => `${h.from}>${h.event}>${h.to}`),
    [
      "pending_submit>submit_sent>in_flight",
      "in_flight>ack>open",
      "open>fill_partial>partially_filled",
      "partially_filled>fill_full>filled",
    ],
  );
});

test("a duplicate fill id is a no-op", () => {
  const o = new TrackedOrder(request(10));
  o.apply({ kind: "submit_sent", ts: 1 });
  o.apply(fillEvent(fill("f1", 3)));
  assert.equal(o.apply(fillEvent(fill("f1", 3))), undefined);
  assert.equal(o.filledLots, 3);
  assert.equal(o.fees, usd(0.01));
  assert.equal(o.history.length, 2);
});

test("an overfill throws and changes nothing", () => {
  const o = new TrackedOrder(request(5));
  o.apply({ kind: "submit_sent", ts: 1 });
  o.apply(fillEvent(fill("f1", 3)));
  assert.throws(() => o.apply(fillEvent(fill("f2", 3))), OverfillError);
  assert.equal(o.filledLots, 3);
  assert.equal(o.status, "partially_filled");
  // the refused fill id was not remembered: a corrected fill with that id still applies
  o.apply(fillEvent(fill("f2", 2)));
  assert.equal(o.status, "filled");
});

test("fills for another order, side or with bad numbers are refused", () => {
  const o = new TrackedOrder(request(5));
  o.apply({ kind: "submit_sent", ts: 1 });
  assert.throws(() => o.apply(fillEvent({ ...fill("f1", 1), clientOrderId: "other" })), InvalidValueError);
  assert.throws(() => o.apply(fillEvent({ ...fill("f1", 1), side: "sell" })), InvalidValueError);
  assert.throws(() => o.apply(fillEvent(fill("f1", 0))), InvalidValueError);
  assert.throws(() => o.apply(fillEvent(fill("f1", 1, Number.NaN))), InvalidValueError);
  assert.throws(() => new TrackedOrder(request(0)), InvalidValueError);
  assert.equal(o.filledLots, 0);
});

test("an illegal event throws naming status, event and order, and changes nothing", () => {
  const o = new TrackedOrder(request(5));
  assert.throws(
    () => o.apply({ kind: "ack", ts: 1, venueOrderId: "v9" }),
    /event ack in status pending_submit \(order pb-test\)/,
  );
  assert.equal(o.venueOrderId, undefined);
  assert.equal(o.history.length, 0);
});

test("a timeout is unknown until the venue answers; not_found alone resolves nothing", () => {
  const o = new TrackedOrder(request(5));
  o.apply({ kind: "submit_sent", ts: 1 });
  o.apply({ kind: "timeout", ts: 2 });
  assert.equal(o.status, "unknown");
  assert.equal(o.workingLots, 5, "an unknown order counts as working exposure");
  o.apply({ kind: "status_report", ts: 3, status: "not_found" });
  assert.equal(o.status, "unknown");
  // resend with the same client order id, which times out again
  o.apply({ kind: "submit_sent", ts: 4 });
  o.apply({ kind: "rate_limited", ts: 5 });
  assert.equal(o.status, "unknown");
  o.apply({ kind: "status_report", ts: 6, status: "open", venueOrderId: "v7", filledLots: 0 });
  assert.equal(o.status, "open");
  assert.equal(o.venueOrderId, "v7");
});

test("not_found after the send window proves absence only for an order the venue never showed", () => {
  const never = new TrackedOrder(request(5));
  never.apply({ kind: "submit_sent", ts: 1 });
  never.apply({ kind: "server_error", ts: 2 });
  never.apply({ kind: "status_report", ts: 3, status: "not_found", sendExpired: true });
  assert.equal(never.status, "rejected");
  assert.equal(never.history.at(-1)?.event, "status_absent");

  const seen = new TrackedOrder(request(5));
  seen.apply({ kind: "submit_sent", ts: 1 });
  seen.apply({ kind: "ack", ts: 2, venueOrderId: "v1" });
  seen.apply({ kind: "cancel_requested", ts: 3 });
  seen.apply({ kind: "timeout", ts: 4 });
  assert.equal(seen.status, "unknown");
  // it existed, so absence now means pruned or gone, not "never existed"
  seen.apply({ kind: "status_report", ts: 5, status: "not_found", sendExpired: true });
  assert.equal(seen.status, "unknown");
});

test("a status report ahead of the fills counts the missing lots", () => {
  const o = new TrackedOrder(request(10));
  o.apply({ kind: "submit_sent", ts: 1 });
  o.apply(fillEvent(fill("f1", 2)));
  o.apply({ kind: "status_report", ts: 2, status: "filled", filledLots: 10 });
  assert.equal(o.status, "filled");
  assert.equal(o.missingFillLots, 8);
  o.apply(fillEvent(fill("f2", 8)));
  assert.equal(o.missingFillLots, 0);
  assert.equal(o.status, "filled");
});

test("a late fill on a canceled order is kept, and a full one makes it filled", () => {
  const o = new TrackedOrder(request(4));
  o.apply({ kind: "submit_sent", ts: 1 });
  o.apply({ kind: "ack", ts: 2, venueOrderId: "v1" });
  o.apply({ kind: "cancel_requested", ts: 3 });
  o.apply({ kind: "canceled", ts: 4, reason: "user" });
  o.apply(fillEvent(fill("f1", 1)));
  assert.equal(o.status, "canceled");
  assert.equal(o.filledLots, 1);
  assert.equal(o.workingLots, 0);
  o.apply(fillEvent(fill("f2", 3)));
  assert.equal(o.status, "filled");
  assert.match(o.history.at(-1)?.why ?? "", /raced the cancel/);
});

test("venue events map to order events; account events do not", () => {
  const f = fill("f1", 1);
  assert.deepEqual(orderEventOf({ type: "fill", ts: 9, fill: f, remainingLots: 0 }), {
    clientOrderId: "pb-test",
    event: { kind: "fill", ts: 9, fill: f },
  });
  assert.deepEqual(
    orderEventOf({ type: "cancel_reject", ts: 3, account: "a", clientOrderId: "c", reason: "filled" }),
    { clientOrderId: "c", event: { kind: "cancel_rejected", ts: 3, reason: "filled" } },
  );
  assert.equal(
    orderEventOf({
      type: "funding",
      ts: 1,
      account: "a",
      symbol: "BTC",
      amount: 0n,
      ratePerHour: 0,
      hours: 1,
    }),
    undefined,
  );
  const e = unknownOutcomeEvent(new VenueUnknownOutcomeError("unavailable", "ECONNRESET"), 7);
  assert.deepEqual(e, { kind: "server_error", ts: 7, detail: "ECONNRESET" });
  assert.equal(
    unknownOutcomeEvent(new VenueUnknownOutcomeError("rate_limited", "429"), 7).kind,
    "rate_limited",
  );
});

// ---- property: random event sequences ----

const STATUSES: StatusReported[] = [
  "open",
  "partially_filled",
  "filled",
  "canceled",
  "expired",
  "rejected",
  "not_found",
];

/** An event drawn by index; fills come from a fixed pool so the same id always means the same fill. */
const eventArb = fc.oneof(
  fc.constantFrom(
    "submit_sent",
    "ack",
    "reject",
    "cancel_requested",
    "canceled",
    "cancel_rejected",
    "expired",
    "timeout",
    "server_error",
    "rate_limited",
  ),
  fc.record({ fillIndex: fc.nat({ max: 7 }) }),
  fc.record({
    status: fc.constantFrom(...STATUSES),
    sendExpired: fc.boolean(),
    filledLots: fc.nat({ max: 12 }),
  }),
);

type Draw = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toEvent(e: Draw, ts: number, pool: Fill[]): OrderEvent {
  if (typeof e === "string") {
    switch (e) {
      case "ack":
        return { kind: "ack", ts, venueOrderId: "v1" };
      case "reject":
      case "canceled":
      case "cancel_rejected":
        return { kind: e, ts, reason: "test" };
      default:
        return { kind: e, ts };
    }
  }
  if ("fillIndex" in e) return { kind: "fill", ts, fill: pool[e.fillIndex] };
  return {
    kind: "status_report",
    ts,
    status: e.status,
    sendExpired: e.sendExpired,
    filledLots: e.filledLots,
  };
}

test("property: random event sequences keep the order's invariants", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 8, maxLength: 8 }),
      fc.array(eventArb, { maxLength: 40 }),
      (size, fillSizes, draws) => {
        const pool = fillSizes.map((lots, i) => fill(`f${i}`, lots, 1000 + i));
        const o = new TrackedOrder(request(size));
        const applied = new Set<string>();
        draws.forEach((d, ts) => {
          const ev = toEvent(d, ts, pool);
          const before = { status: o.status, filled: o.filledLots, fees: o.fees, n: o.history.length };
          let entry: ReturnType<TrackedOrder["apply"]>;
          try {
            entry = o.apply(ev);
          } catch (err) {
            assert.ok(err instanceof IllegalTransitionError || err instanceof OverfillError, String(err));
            assert.deepEqual(
              { status: o.status, filled: o.filledLots, fees: o.fees, n: o.history.length },
              before,
              "a refused event changes nothing",
            );
            return;
          }
          if (ev.kind === "fill" && applied.has(ev.fill.fillId)) {
            assert.equal(entry, undefined, "duplicate fill returns no entry");
            assert.deepEqual(
              { status: o.status, filled: o.filledLots, fees: o.fees, n: o.history.length },
              before,
              "duplicate fill is a no-op",
            );
          }
          if (ev.kind === "fill") applied.add(ev.fill.fillId);
          // filled lots never exceed the size and equal the sum of distinct fills applied
          assert.ok(o.filledLots <= size);
          const sum = pool.filter((f) => applied.has(f.fillId)).reduce((s, f) => s + f.sizeLots, 0);
          assert.equal(o.filledLots, sum);
          // every lot filled means filled, whatever else arrived
          if (o.filledLots === size) assert.equal(o.status, "filled");
          // terminal stays terminal unless the arm is a documented late one
          if (entry && isTerminal(entry.from) && entry.to !== entry.from) {
            assert.ok(entry.why, "a late arm carries its reason");
            assert.ok(entry.from === "rejected" || entry.to === "filled", `${entry.from} -> ${entry.to}`);
          }
          // only the venue's word resolves unknown: never a request failure
          if (entry && entry.from === "unknown" && entry.to !== "unknown")
            assert.ok(!["timeout", "server_error", "rate_limited"].includes(entry.event));
        });
      },
    ),
    { numRuns: 2000 },
  );
});
