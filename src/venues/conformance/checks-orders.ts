import assert from "node:assert/strict";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { orderOf, recordEvents, show, type VenueHarness } from "./harness.ts";

/**
 * Order checks of the conformance suite. Each takes a fresh harness and throws (an assertion
 * error naming what the venue did) when the venue breaks the contract.
 */

/** A two-sided book around the reference price: bid one tick below, ask one above. */
async function standardBook(
  h: VenueHarness,
  lotsPerLevel = h.unitLots * 10,
): Promise<{ bid: number; ask: number }> {
  const bid = h.referenceTicks - 1;
  const ask = h.referenceTicks + 1;
  await h.driver.setBook({ bidTicks: bid, askTicks: ask, lotsPerLevel });
  return { bid, ask };
}

/** An order the venue answered is acknowledged with its id; its fills arrive as events with the remaining size. */
export async function checkAckAndFillEvents(h: VenueHarness): Promise<void> {
  const { ask } = await standardBook(h, h.unitLots);
  const rec = recordEvents(h.venue);
  // three levels of one unit each: at least two fills, the remaining size counting down to 0
  const order = orderOf(h, { side: "buy", priceTicks: ask + 2, sizeLots: 3 * h.unitLots, tif: "ioc" });
  const { venueOrderId } = await h.drive(h.venue.submit(order));
  assert.ok(
    typeof venueOrderId === "string" && venueOrderId !== "",
    "submit resolves with the venue order id",
  );
  await h.settle();
  rec.stop();
  const mine = rec.events.filter((e) => e.type === "fill" && e.fill.clientOrderId === order.clientOrderId);
  assert.ok(mine.length >= 2, `expected several fill events, got ${show(rec.events)}`);
  let filled = 0;
  for (const e of mine) {
    if (e.type !== "fill") continue;
    filled += e.fill.sizeLots;
    assert.equal(e.fill.venueOrderId, venueOrderId, "fills carry the acknowledged venue order id");
    assert.equal(e.remainingLots, order.sizeLots - filled, "remainingLots after each fill");
  }
  assert.equal(filled, order.sizeLots);
  const status = await h.drive(h.venue.orderStatus(h.account, order.clientOrderId));
  assert.equal(status?.status, "filled");
  assert.equal(status?.filledLots, order.sizeLots);
}

/** A definite refusal is a VenueRejectError, and no live order is left behind. */
export async function checkRejectIsDefinite(h: VenueHarness): Promise<void> {
  await standardBook(h);
  // far more than any account's margin allows
  const order = orderOf(h, {
    side: "buy",
    priceTicks: h.referenceTicks + 1,
    sizeLots: h.unitLots * 1e6,
    tif: "gtc",
  });
  const err = await h.drive(h.venue.submit(order)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof VenueRejectError, `a refused order must be VenueRejectError, got ${String(err)}`);
  const status = await h.drive(h.venue.orderStatus(h.account, order.clientOrderId));
  assert.ok(status === undefined || status.status === "rejected", `no live order: ${show(status)}`);
  assert.deepEqual(await h.drive(h.venue.openOrders(h.account)), []);
}

/**
 * An order whose answer never came is a VenueUnknownOutcomeError, never a rejection (it may
 * exist), and orderStatus finds it afterwards.
 */
export async function checkUnknownOutcomeFoundLater(h: VenueHarness): Promise<void> {
  const { ask } = await standardBook(h);
  await h.driver.loseNextAnswer();
  const order = orderOf(h, { side: "buy", priceTicks: ask, sizeLots: h.unitLots, tif: "ioc" });
  const err = await h.drive(h.venue.submit(order)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(
    err instanceof VenueUnknownOutcomeError,
    `a lost answer must be VenueUnknownOutcomeError (the order may exist), got ${err === undefined ? "an acknowledgement" : String(err)}`,
  );
  await h.settle();
  const status = await h.drive(h.venue.orderStatus(h.account, order.clientOrderId));
  assert.equal(status?.status, "filled", `orderStatus finds the executed order: ${show(status)}`);
  assert.equal(status?.filledLots, order.sizeLots);
}

/**
 * A cancel sent as the market trades through the order: whichever wins, the venue's answers
 * agree: canceled with what filled before, or filled in full with the cancel refused.
 */
export async function checkCancelRacingFill(h: VenueHarness): Promise<void> {
  const { bid } = await standardBook(h);
  const rec = recordEvents(h.venue);
  const order = orderOf(h, { side: "buy", priceTicks: bid, sizeLots: h.unitLots, tif: "gtc" });
  await h.drive(h.venue.submit(order));
  await h.settle();
  // the cancel leaves first; the book crossing the order arrives before the venue handles it
  const cancel = h.venue.cancel(h.account, h.symbol, order.clientOrderId).then(
    () => "canceled" as const,
    (e: unknown) => e,
  );
  await h.driver.setBook({ bidTicks: bid - 2, askTicks: bid, lotsPerLevel: h.unitLots * 10 });
  const answer = await h.drive(cancel);
  await h.settle();
  rec.stop();
  const status = await h.drive(h.venue.orderStatus(h.account, order.clientOrderId));
  const filled = rec.events.reduce(
    (n, e) => n + (e.type === "fill" && e.fill.clientOrderId === order.clientOrderId ? e.fill.sizeLots : 0),
    0,
  );
  if (answer === "canceled") {
    assert.equal(status?.status, "canceled", `a successful cancel leaves a canceled order: ${show(status)}`);
    assert.ok(
      rec.events.some((e) => e.type === "canceled" && e.clientOrderId === order.clientOrderId),
      "a canceled event",
    );
  } else {
    assert.ok(
      answer instanceof VenueRejectError,
      `a cancel that lost the race is refused, got ${String(answer)}`,
    );
    assert.equal(status?.status, "filled", `the cancel lost to a fill: ${show(status)}`);
  }
  assert.equal(status?.filledLots, filled, "fill events and the order's filled size agree");
  assert.ok(filled <= order.sizeLots, "never more than the order's size");
}

/** A post-only order that would cross is refused, and trades nothing. */
export async function checkPostOnlyCrossRejected(h: VenueHarness): Promise<void> {
  const { ask } = await standardBook(h);
  if (!h.venue.capabilities.postOnly) return;
  const rec = recordEvents(h.venue);
  const order = orderOf(h, { side: "buy", priceTicks: ask, sizeLots: h.unitLots, tif: "post_only" });
  const err = await h.drive(h.venue.submit(order)).then(
    () => undefined,
    (e: unknown) => e,
  );
  await h.settle();
  rec.stop();
  assert.ok(
    err instanceof VenueRejectError,
    `a crossing post-only is refused, got ${String(err ?? "an ack")}`,
  );
  assert.ok(!rec.events.some((e) => e.type === "fill"), "and never fills");
  assert.deepEqual(await h.drive(h.venue.positions(h.account)), []);
}

/** A reduce-only order with no position to reduce is refused (or canceled unfilled), never grows one. */
export async function checkReduceOnlyCannotGrow(h: VenueHarness): Promise<void> {
  const { ask } = await standardBook(h);
  if (!h.venue.capabilities.reduceOnly) return;
  const order = orderOf(h, {
    side: "buy",
    priceTicks: ask,
    sizeLots: h.unitLots,
    tif: "ioc",
    reduceOnly: true,
  });
  await h.drive(h.venue.submit(order)).catch((e: unknown) => {
    if (!(e instanceof VenueRejectError)) throw e;
  });
  await h.settle();
  const positions = await h.drive(h.venue.positions(h.account));
  assert.ok(
    positions.every((p) => p.sizeLots === 0),
    `no position grew: ${show(positions)}`,
  );
  const status = await h.drive(h.venue.orderStatus(h.account, order.clientOrderId));
  assert.ok(
    status === undefined || (status.filledLots === 0 && status.status !== "open"),
    `the order is not live and filled nothing: ${show(status)}`,
  );
}

/** An IOC fills what the book has at its price and the rest is canceled, with an event. */
export async function checkIocRemainderCanceled(h: VenueHarness): Promise<void> {
  const ask = h.referenceTicks + 1;
  await h.driver.setBook({
    bidTicks: h.referenceTicks - 1,
    askTicks: ask,
    lotsPerLevel: h.unitLots,
    levels: 1,
  });
  const rec = recordEvents(h.venue);
  const order = orderOf(h, { side: "buy", priceTicks: ask, sizeLots: 3 * h.unitLots, tif: "ioc" });
  await h.drive(h.venue.submit(order));
  await h.settle();
  rec.stop();
  const status = await h.drive(h.venue.orderStatus(h.account, order.clientOrderId));
  assert.equal(status?.filledLots, h.unitLots, `only the one level filled: ${show(status)}`);
  assert.ok(
    status?.status === "canceled" || status?.status === "expired",
    `remainder ended: ${status?.status}`,
  );
  assert.ok(
    rec.events.some((e) => e.type === "canceled" && e.clientOrderId === order.clientOrderId),
    `a canceled event for the remainder: ${show(rec.events.map((e) => e.type))}`,
  );
  assert.deepEqual(await h.drive(h.venue.openOrders(h.account)), [], "nothing rests");
}
