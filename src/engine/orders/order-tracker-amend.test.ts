import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidValueError } from "../../core/errors.ts";
import type { Fill, OrderRequest } from "../../core/types.ts";
import { TrackedOrder } from "./order-tracker.ts";

const request: OrderRequest = {
  clientOrderId: "pb-amend",
  account: "w1",
  symbol: "BTC",
  side: "buy",
  type: "limit",
  priceTicks: 1000,
  sizeLots: 10,
  tif: "gtc",
  reduceOnly: false,
};

function fill(fillId: string, sizeLots: number): Fill {
  return {
    fillId,
    clientOrderId: "pb-amend",
    venueOrderId: "v1",
    account: "w1",
    symbol: "BTC",
    side: "buy",
    priceTicks: 1000,
    sizeLots,
    fee: 0n,
    liquidity: "maker",
    realisedPnl: 0n,
    ts: 3,
  };
}

function resting(): TrackedOrder {
  const o = new TrackedOrder(request);
  o.apply({ kind: "submit_sent", ts: 1 });
  o.apply({ kind: "ack", ts: 2, venueOrderId: "v1" });
  return o;
}

test("a confirmed amend changes the resting price and size; a refused one changes nothing", () => {
  const o = resting();
  o.apply({ kind: "replace_requested", ts: 3, priceTicks: 990, sizeLots: 12 });
  assert.equal(o.status, "pending_replace");
  // the request is what rests: unchanged until the venue confirms
  assert.equal(o.request.priceTicks, 1000);
  o.apply({ kind: "replaced", ts: 4, priceTicks: 990, sizeLots: 12, venueOrderId: "v2" });
  assert.equal(o.status, "open");
  assert.equal(o.request.priceTicks, 990);
  assert.equal(o.remainingLots, 12);
  assert.equal(o.venueOrderId, "v2");
  o.apply({ kind: "replace_requested", ts: 5, priceTicks: 980, sizeLots: 12 });
  o.apply({ kind: "replace_rejected", ts: 6, reason: "post_only_would_cross" });
  assert.equal(o.status, "open");
  assert.equal(o.request.priceTicks, 990);
});

test("a fill that races the amend keeps the order pending, and the answer lands in partially_filled", () => {
  const o = resting();
  o.apply({ kind: "replace_requested", ts: 3, priceTicks: 1001, sizeLots: 10 });
  o.apply({ kind: "fill", ts: 4, fill: fill("f1", 4) });
  assert.equal(o.status, "pending_replace");
  o.apply({ kind: "replaced", ts: 5, priceTicks: 1001, sizeLots: 10 });
  assert.equal(o.status, "partially_filled");
  assert.equal(o.history.at(-1)?.event, "replaced_partial");
  assert.equal(o.remainingLots, 6);
  // a rejected amend of a partly filled order goes back to partially_filled too
  o.apply({ kind: "replace_requested", ts: 6, priceTicks: 1002, sizeLots: 10 });
  o.apply({ kind: "replace_rejected", ts: 7, reason: "x" });
  assert.equal(o.status, "partially_filled");
  assert.equal(o.history.at(-1)?.event, "replace_rejected_partial");
});

test("an amend below what has filled, or off the grid, is refused with the order named", () => {
  const o = resting();
  o.apply({ kind: "fill", ts: 3, fill: fill("f1", 4) });
  assert.throws(
    () => o.apply({ kind: "replace_requested", ts: 4, priceTicks: 1000, sizeLots: 4 }),
    (e) => e instanceof InvalidValueError && /pb-amend: amend size 4 lots .* 4 filled/.test(e.message),
  );
  assert.throws(
    () => o.apply({ kind: "replace_requested", ts: 4, priceTicks: 10.5, sizeLots: 8 }),
    /amend price 10.5 ticks/,
  );
  assert.equal(o.status, "partially_filled");
});

test("a lost amend answer: unknown, then the venue's status report says which version rests", () => {
  const o = resting();
  o.apply({ kind: "replace_requested", ts: 3, priceTicks: 995, sizeLots: 10 });
  o.apply({ kind: "timeout", ts: 4 });
  assert.equal(o.status, "unknown");
  o.apply({ kind: "status_report", ts: 5, status: "open", filledLots: 0, priceTicks: 995, sizeLots: 10 });
  assert.equal(o.status, "open");
  assert.equal(o.request.priceTicks, 995);
  // outside unknown a report's price is not taken (it may be older than the amend we know of)
  o.apply({ kind: "status_report", ts: 6, status: "open", filledLots: 0, priceTicks: 1000, sizeLots: 10 });
  assert.equal(o.request.priceTicks, 995);
});
