import assert from "node:assert/strict";
import { test } from "node:test";
import type { OrderIntent } from "../../engine/executor.ts";
import {
  HL_TIMEOUT_MS,
  HL_VENUE,
  type HlEngineWorld,
  makeHlEngineWorld,
} from "../../testing/hyperliquid-engine.ts";

/**
 * Issue 12's fault matrix: the engine (src/engine/executor.ts) trading through the Hyperliquid
 * connector against the protocol emulator, one fault per test: a socket dropped mid-order, a lost
 * ack, a timeout after the venue executed, a 5xx (not executed and executed), a 429, a stale
 * stream (market and account). Each ends with the same two checks: the venue holds at most one
 * order per client order id (the emulator's own records), and the engine's order is in a known
 * state that agrees with the venue's.
 */

function intent(w: HlEngineWorld, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    strategy: "hlfault",
    intentId: "i1",
    venue: HL_VENUE,
    account: w.h.account,
    symbol: w.h.symbol,
    side: "buy",
    sizeLots: w.h.unitLots,
    priceTicks: w.touch.bid,
    type: "limit",
    tif: "gtc",
    reduceOnly: false,
    ...over,
  };
}

/** How many orders the venue holds under each client order id (rejected ones included). */
function venueOrders(w: HlEngineWorld): Map<string, number> {
  const n = new Map<string, number>();
  for (const o of w.h.emulator.driver.orders(w.h.user))
    if (o.cloid) n.set(o.cloid, (n.get(o.cloid) ?? 0) + 1);
  return n;
}

function noDuplicate(w: HlEngineWorld): void {
  const dup = [...venueOrders(w)].filter(([, k]) => k > 1);
  assert.deepEqual(dup, [], "never two venue orders for one client order id");
}

const KNOWN = new Set(["open", "partially_filled", "filled", "canceled", "expired", "rejected"]);

/** The engine's order reaches `want` (a known state) and agrees with the venue's record. */
async function settlesAs(w: HlEngineWorld, cloid: string, want: string, ms = 10_000): Promise<void> {
  const ok = await w.until(async () => (await w.order(cloid))?.status === want, ms);
  const view = await w.order(cloid);
  assert.ok(ok, `engine order ${cloid}: ${view?.status} (reason ${view?.reason}), expected ${want}`);
  assert.ok(KNOWN.has(want));
  const onVenue = w.h.emulator.driver.orders(w.h.user).find((o) => o.cloid === cloid);
  if (want === "rejected") assert.equal(onVenue, undefined, "a never-landed order is not on the venue");
  else {
    assert.ok(onVenue, `the venue has ${cloid}`);
    const lots = Math.round(onVenue.filledLots);
    assert.equal(view?.filledLots, lots, "the engine's filled size is the venue's");
    assert.equal(String(view?.venueOrderId), String(onVenue.oid), "the engine knows the venue's oid");
  }
  noDuplicate(w);
}

const positionLots = async (w: HlEngineWorld) =>
  (await w.h.venue.positions(w.h.account)).find((p) => p.symbol === w.h.symbol)?.sizeLots ?? 0;

/** Cross the book through a resting buy at `bid`: it fills in full. */
async function tradeThrough(w: HlEngineWorld): Promise<void> {
  await w.h.driver.setBook({
    bidTicks: w.touch.bid - 2,
    askTicks: w.touch.bid,
    lotsPerLevel: w.h.unitLots * 10,
  });
}

test("fault matrix: a socket dropped mid-order (the fill made while the streams reconnect)", async () => {
  const w = await makeHlEngineWorld();
  try {
    const emu = w.h.emulator.driver;
    emu.delayAcks(1, 600);
    const placing = w.engine.placeOrder(intent(w));
    // the order is on the venue, its answer not yet sent: every WebSocket drops, and the order
    // fills before the connector's user streams are back
    assert.ok(await w.until(() => emu.orders(w.h.user).length === 1, 3_000), "the order landed");
    emu.dropSockets();
    await tradeThrough(w);
    const placed = await placing;
    assert.ok(placed.ok, JSON.stringify(placed));
    await settlesAs(w, placed.clientOrderId, "filled");
    assert.equal(await positionLots(w), w.h.unitLots);
    assert.ok(emu.connections() >= 1, "the connector reconnected");
    assert.equal(emu.faultsApplied().delayAck, 1);
  } finally {
    await w.close();
  }
});

test("fault matrix: an ack lost (the order rests; the connection is reset before its answer)", async () => {
  const w = await makeHlEngineWorld();
  try {
    w.h.emulator.driver.loseAcks(1);
    const placed = await w.engine.placeOrder(intent(w));
    assert.ok(placed.ok, JSON.stringify(placed));
    assert.equal(w.h.emulator.driver.faultsApplied().loseAck, 1);
    await settlesAs(w, placed.clientOrderId, "open");
    // the same intent again is the same order, never a second one
    assert.deepEqual(await w.engine.placeOrder(intent(w)), { ...placed, status: "open" });
    const canceled = await w.engine.cancelOrder(placed.clientOrderId);
    assert.deepEqual(canceled, { ok: true, clientOrderId: placed.clientOrderId, status: "canceled" });
    await settlesAs(w, placed.clientOrderId, "canceled");
    assert.deepEqual(w.h.emulator.driver.openOrders(w.h.user), []);
  } finally {
    await w.close();
  }
});

test("fault matrix: a timeout after execution (an IOC filled; its answer came after the connector gave up)", async () => {
  const w = await makeHlEngineWorld();
  try {
    w.h.emulator.driver.executeThenTimeout(1, HL_TIMEOUT_MS + 700);
    const placed = await w.engine.placeOrder(intent(w, { tif: "ioc", priceTicks: w.touch.ask }));
    assert.ok(placed.ok, JSON.stringify(placed));
    await settlesAs(w, placed.clientOrderId, "filled");
    assert.equal(await positionLots(w), w.h.unitLots);
    // the late answer changes nothing
    await new Promise((r) => setTimeout(r, 900));
    assert.equal((await w.order(placed.clientOrderId))?.status, "filled");
    noDuplicate(w);
    assert.equal(w.h.emulator.driver.faultsApplied().executeThenTimeout, 1);
  } finally {
    await w.close();
  }
});

test("fault matrix: HTTP 5xx, not executed (absent once the order's expiry passed) and executed (found)", async () => {
  const w = await makeHlEngineWorld();
  try {
    const emu = w.h.emulator.driver;
    emu.serverErrors(1, { status: 502 });
    const lost = await w.engine.placeOrder(intent(w, { intentId: "5xx-lost" }));
    assert.ok(lost.ok, JSON.stringify(lost));
    assert.equal(lost.status, "unknown", "a 5xx is an unknown outcome, not a rejection");
    await settlesAs(w, lost.clientOrderId, "rejected");
    emu.serverErrors(1, { status: 503, execute: true });
    const ran = await w.engine.placeOrder(intent(w, { intentId: "5xx-ran" }));
    assert.ok(ran.ok, JSON.stringify(ran));
    await settlesAs(w, ran.clientOrderId, "open");
    assert.deepEqual(emu.faultsApplied().serverError, 2);
    assert.equal(venueOrders(w).get(ran.clientOrderId), 1);
  } finally {
    await w.close();
  }
});

test("fault matrix: HTTP 429 (not executed): resolved as never placed; the next intent trades", async () => {
  const w = await makeHlEngineWorld();
  try {
    const emu = w.h.emulator.driver;
    emu.rateLimit(1);
    const limited = await w.engine.placeOrder(intent(w, { intentId: "429" }));
    assert.ok(limited.ok, JSON.stringify(limited));
    assert.equal(limited.status, "unknown");
    await settlesAs(w, limited.clientOrderId, "rejected");
    const next = await w.engine.placeOrder(
      intent(w, { intentId: "after-429", tif: "ioc", priceTicks: w.touch.ask }),
    );
    assert.ok(next.ok, JSON.stringify(next));
    await settlesAs(w, next.clientOrderId, "filled");
    assert.equal(emu.faultsApplied().rateLimited, 1);
    assert.equal(await positionLots(w), w.h.unitLots);
  } finally {
    await w.close();
  }
});

test("fault matrix: a stale stream: no order on a frozen book; fills missed by frozen user streams are found once", async () => {
  const w = await makeHlEngineWorld({ maxBookAgeMs: 1_000 });
  try {
    const emu = w.h.emulator.driver;
    // market: the book stream freezes, the book ages, the gate sends nothing
    emu.freezeStream("l2Book:BTC");
    assert.ok(
      await w.until(() => w.h.venue.streams().find((s) => s.stream === "book:BTC")?.stale === true, 5_000),
      "the connector reports the book stale",
    );
    await new Promise((r) => setTimeout(r, 1_100));
    const refused = await w.engine.placeOrder(intent(w, { intentId: "stale" }));
    assert.equal(!refused.ok && refused.reason, "risk_refused", JSON.stringify(refused));
    assert.equal(emu.orders(w.h.user).length, 0, "nothing reached the venue");
    emu.thawStream("l2Book:BTC");
    // fresh to the risk gate too, not only flagged live: a book message has landed since the thaw
    const bookAge = () => Date.now() - w.h.venue.book("BTC").lastUpdateTs;
    assert.ok(
      await w.until(
        () => w.h.venue.streams().find((s) => s.stream === "book:BTC")?.stale === false && bookAge() < 500,
        5_000,
      ),
      "the book is fresh again",
    );
    // account: the user streams freeze; a resting order fills meanwhile
    const placed = await w.engine.placeOrder(intent(w, { intentId: "stale" }));
    assert.ok(placed.ok, JSON.stringify(placed));
    await settlesAs(w, placed.clientOrderId, "open");
    for (const s of ["orderUpdates", "userFills", "userFundings"]) emu.freezeStream(`${s}:${w.h.user}`);
    await tradeThrough(w);
    // the reconciler finds it (the order is no longer listed; its status and fills are asked)
    await settlesAs(w, placed.clientOrderId, "filled");
    // thawed, the fills snapshot carries the same fill again: counted once
    for (const s of ["orderUpdates", "userFills", "userFundings"]) emu.thawStream(`${s}:${w.h.user}`);
    await new Promise((r) => setTimeout(r, 800));
    await settlesAs(w, placed.clientOrderId, "filled");
    assert.equal(await positionLots(w), w.h.unitLots);
    assert.equal((await w.order(placed.clientOrderId))?.filledLots, w.h.unitLots, "the fill counted once");
    const fills = (await w.store.fills.list()).filter((f) => f.clientOrderId === placed.clientOrderId);
    assert.equal(fills.length, 1, "one fill journaled");
  } finally {
    await w.close();
  }
});
