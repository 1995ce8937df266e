import assert from "node:assert/strict";
import { test } from "node:test";
import type { OrderRequest } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import { SINGLE_PURPOSE } from "../store/repos/orders.ts";
import { AnswerLossVenue, makeWorld, positionLots, type World } from "../testing/engine.ts";
import type { OrderIntent, OrderUpdate } from "./executor.ts";

/** simA BTC: the touch as the world's books have it (bid, ask in ticks). */
function touch(w: World): { bid: number; ask: number } {
  const b = w.simA.book("BTC");
  return { bid: b.bestBidTicks()!, ask: b.bestAskTicks()! };
}

function intent(over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    strategy: "maker",
    intentId: "i1",
    venue: "simA",
    account: "w1",
    symbol: "BTC",
    side: "buy",
    sizeLots: 1000,
    priceTicks: 1,
    type: "limit",
    tif: "gtc",
    reduceOnly: false,
    ...over,
  };
}

async function simOrders(w: World, account = "w1") {
  return w.simA.openOrders(account);
}

test("place rests, is journaled with its strategy, and the same intent is the same order", async () => {
  const w = await makeWorld();
  try {
    const updates: OrderUpdate[] = [];
    w.engine.onOrderUpdate((u) => updates.push(u));
    const { bid } = touch(w);
    const out = await w.drive(w.engine.placeOrder(intent({ priceTicks: bid - 5, groupId: "g-label" })));
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(out.ok && out.status, "open");
    const again = await w.drive(w.engine.placeOrder(intent({ priceTicks: bid - 5 })));
    assert.deepEqual(again, out, "the same intent answers with the same order");
    assert.equal((await simOrders(w)).length, 1, "never a second order on the venue");
    const [view] = w.engine.orders({ strategy: "maker" });
    assert.equal(view.clientOrderId, out.clientOrderId);
    assert.equal(view.purpose, "single");
    assert.equal(view.groupId, "g-label");
    assert.equal(view.priceTicks, bid - 5);
    assert.deepEqual(w.engine.orders({ strategy: "farm" }), []);
    assert.deepEqual(w.engine.orders({ account: "w2" }), []);
    assert.ok(updates.some((u) => u.event === "ack" && u.order.status === "open"));
    // write-ahead: the row and its events are in the store, with the strategy and label
    const row = (await w.store.orders.allEngine()).find((o) => o.clientOrderId === out.clientOrderId);
    assert.ok(row, "the order row is journaled");
    assert.equal(row.purpose, SINGLE_PURPOSE);
    assert.equal(row.strategy, "maker");
    assert.equal(row.groupRef, "g-label");
    assert.equal(row.groupId, null);
    const kinds = await w.store.orderEvents.of([out.clientOrderId]);
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ["submit_sent", "ack"],
    );
    // the reconciler leaves a strategy's resting order alone (group leftovers it cancels)
    await w.advance(5_000);
    assert.equal(w.engine.orders({ openOnly: true }).length, 1);
    assert.equal((await simOrders(w)).length, 1);
  } finally {
    await w.close();
  }
});

test("amend moves the resting order on the venue; cancel cancels it", async () => {
  const w = await makeWorld();
  try {
    const { bid } = touch(w);
    const placed = await w.drive(w.engine.placeOrder(intent({ priceTicks: bid - 5 })));
    assert.ok(placed.ok);
    const id = placed.clientOrderId;
    const amended = await w.drive(w.engine.amendOrder(id, { priceTicks: bid - 3, sizeLots: 1500 }));
    assert.deepEqual(amended, {
      ok: true,
      clientOrderId: id,
      status: "open",
      priceTicks: bid - 3,
      sizeLots: 1500,
    });
    const [rep] = await simOrders(w);
    assert.equal(rep.clientOrderId, id, "amended in place: same client order id");
    assert.equal(rep.priceTicks, bid - 3);
    assert.equal(rep.sizeLots, 1500);
    assert.equal(w.engine.orders()[0].priceTicks, bid - 3);
    // invalid amends are refused with the reason, nothing sent
    const bad = await w.drive(w.engine.amendOrder(id, { sizeLots: 0 }));
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.reason, "invalid");
    assert.match(!bad.ok ? bad.detail : "", /sizeLots 0/);
    const canceled = await w.drive(w.engine.cancelOrder(id));
    assert.deepEqual(canceled, { ok: true, clientOrderId: id, status: "canceled" });
    assert.equal((await w.simA.orderStatus("w1", id))?.status, "canceled");
    assert.deepEqual(w.engine.orders({ openOnly: true }), []);
    // a second cancel of a canceled order is idempotent
    assert.deepEqual(await w.drive(w.engine.cancelOrder(id)), canceled);
  } finally {
    await w.close();
  }
});

test("a cancel that loses the race to a fill ends with the order filled and the cancel lost", async () => {
  const w = await makeWorld();
  try {
    const { ask } = touch(w);
    const placed = await w.drive(w.engine.placeOrder(intent({ side: "sell", priceTicks: ask + 2 })));
    assert.ok(placed.ok);
    // the market moves through the offer; the cancel leaves in the same instant
    w.mid.simA += 10;
    w.refresh();
    const out = await w.drive(w.engine.cancelOrder(placed.clientOrderId));
    assert.deepEqual(out, {
      ok: false,
      clientOrderId: placed.clientOrderId,
      reason: "lost",
      detail: "the order filled before the cancel took effect",
      status: "filled",
    });
    assert.equal(w.engine.orders()[0].status, "filled");
    assert.equal(await positionLots(w.simA, "w1", "BTC"), -1000);
    assert.equal(w.alerts.filter((a) => a.severity === "critical").length, 0);
  } finally {
    await w.close();
  }
});

test("post-only that would cross is rejected; an IOC's remainder is canceled; reduce-only never grows", async () => {
  const w = await makeWorld();
  try {
    const { ask } = touch(w);
    const po = await w.drive(
      w.engine.placeOrder(intent({ intentId: "po", tif: "post_only", priceTicks: ask })),
    );
    assert.equal(po.ok, false);
    assert.equal(!po.ok && po.reason, "rejected");
    assert.equal(!po.ok && po.detail, "post_only_would_cross");
    // 1.5 BTC at the best ask, where 1 BTC rests: 1 BTC fills, the rest is canceled
    const ioc = await w.drive(
      w.engine.placeOrder(intent({ intentId: "ioc", tif: "ioc", priceTicks: ask, sizeLots: 150_000 })),
    );
    assert.ok(ioc.ok, JSON.stringify(ioc));
    await w.advance(100);
    const view = w.engine.orders().find((o) => o.clientOrderId === ioc.clientOrderId)!;
    assert.equal(view.status, "canceled");
    assert.equal(view.filledLots, 100_000);
    assert.equal(view.reason, "ioc_remainder");
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 100_000);
    // reduce-only on an account with nothing to reduce is refused by the venue
    const none = await w.drive(
      w.engine.placeOrder(
        intent({
          intentId: "ro0",
          account: "w2",
          side: "sell",
          tif: "ioc",
          priceTicks: touch(w).bid,
          reduceOnly: true,
        }),
      ),
    );
    assert.equal(!none.ok && none.detail, "reduce_only_would_increase");
    // a reduce-only sell of twice the long fills only the long
    const ro = await w.drive(
      w.engine.placeOrder(
        intent({
          intentId: "ro1",
          side: "sell",
          tif: "ioc",
          priceTicks: touch(w).bid - 5,
          sizeLots: 200_000,
          reduceOnly: true,
        }),
      ),
    );
    assert.ok(ro.ok, JSON.stringify(ro));
    await w.advance(100);
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 0);
    // a market order is an IOC at its protection price
    const mkt = await w.drive(
      w.engine.placeOrder(
        intent({ intentId: "m", type: "market", tif: "ioc", priceTicks: touch(w).ask + 10 }),
      ),
    );
    assert.ok(mkt.ok);
    await w.advance(100);
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 1000);
    // the single orders' position is owned: never an orphan, even after the grace period
    await w.advance(6_000);
    assert.deepEqual(w.engine.orphans(), []);
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 1000);
  } finally {
    await w.close();
  }
});

test("bad intents, unsupported features and a halted engine are refused with a reason, never thrown", async () => {
  class NoAmendVenue extends AnswerLossVenue {
    override get capabilities() {
      return { ...this.inner.capabilities, amend: false, postOnly: false };
    }
  }
  const w = await makeWorld({ wrapA: (v) => new NoAmendVenue(v, 0) });
  try {
    const { bid } = touch(w);
    const zero = await w.drive(w.engine.placeOrder(intent({ sizeLots: 0 })));
    assert.deepEqual(zero, {
      ok: false,
      clientOrderId: zero.clientOrderId,
      reason: "invalid",
      detail: "intent i1 of maker: sizeLots 0 must be a positive integer",
    });
    const mkt = await w.drive(w.engine.placeOrder(intent({ type: "market", tif: "gtc" })));
    assert.equal(!mkt.ok && mkt.reason, "invalid");
    const sym = await w.drive(w.engine.placeOrder(intent({ symbol: "NOPE" })));
    assert.match(!sym.ok ? sym.detail : "", /NOPE/);
    const po = await w.drive(w.engine.placeOrder(intent({ tif: "post_only", priceTicks: bid - 5 })));
    assert.equal(!po.ok && po.reason, "unsupported");
    const placed = await w.drive(w.engine.placeOrder(intent({ priceTicks: bid - 5 })));
    assert.ok(placed.ok);
    const am = await w.drive(w.engine.amendOrder(placed.clientOrderId, { priceTicks: bid - 4 }));
    assert.equal(!am.ok && am.reason, "unsupported");
    const unknown = await w.drive(w.engine.cancelOrder("pb-nope"));
    assert.equal(!unknown.ok && unknown.reason, "invalid");
    await w.engine.setTradingState("HALTED");
    const halted = await w.drive(w.engine.placeOrder(intent({ intentId: "i2", priceTicks: bid - 5 })));
    assert.equal(!halted.ok && halted.reason, "halted");
    await w.engine.setTradingState("REDUCING");
    const reducing = await w.drive(w.engine.placeOrder(intent({ intentId: "i3", priceTicks: bid - 5 })));
    assert.equal(!reducing.ok && reducing.reason, "risk_refused");
  } finally {
    await w.close();
  }
});

/**
 * A venue whose next submit reaches the exchange but is never answered, and whose events for it
 * never arrive: the engine that sent it waits forever, as a process killed after its write-ahead
 * commit would. It counts every submit per client order id.
 */
class HangingVenue extends AnswerLossVenue {
  hangNext = 1;
  readonly submits = new Map<string, number>();
  private readonly silent = new Set<string>();
  override submit(order: OrderRequest) {
    this.submits.set(order.clientOrderId, (this.submits.get(order.clientOrderId) ?? 0) + 1);
    if (this.hangNext <= 0) return this.inner.submit(order);
    this.hangNext--;
    this.silent.add(order.clientOrderId);
    void this.inner.submit(order).catch(() => {});
    return new Promise<{ venueOrderId: string }>(() => {});
  }
  override onEvent(listener: Parameters<Venue["onEvent"]>[0]) {
    return this.inner.onEvent((e) => {
      const id = e.type === "fill" ? e.fill.clientOrderId : "clientOrderId" in e ? e.clientOrderId : "";
      if (!this.silent.has(id)) listener(e);
    });
  }
}

test("killed between the write-ahead and the venue's answer: the restart finds the order and never sends it twice", async () => {
  let hanging!: HangingVenue;
  const w = await makeWorld({
    wrapA: (v) => {
      hanging = new HangingVenue(v, 0);
      return hanging;
    },
  });
  try {
    const { bid } = touch(w);
    const first = w.engine.placeOrder(intent({ priceTicks: bid - 5 }));
    let answered = false;
    void first.then(() => {
      answered = true;
    });
    await w.advance(200);
    assert.equal(answered, false, "the first engine never hears back");
    const [row] = (await w.store.orders.allEngine()).filter((o) => o.purpose === SINGLE_PURPOSE);
    assert.equal(row.status, "in_flight", "journaled before the send, the answer never came");
    // a new engine on the same store and venues, the old one abandoned as after a SIGKILL
    const engine = await w.restart();
    const [view] = engine.orders({ strategy: "maker" });
    assert.equal(view.clientOrderId, row.clientOrderId);
    assert.equal(view.status, "open", "reconciliation found it resting on the venue");
    // the strategy re-issues its intent after the restart: the same order, not a second one
    const again = await w.drive(engine.placeOrder(intent({ priceTicks: bid - 5 })));
    assert.deepEqual(again, { ok: true, clientOrderId: row.clientOrderId, status: "open" });
    await w.advance(3_000);
    assert.equal(hanging.submits.get(row.clientOrderId), 1, "the venue received exactly one order");
    assert.equal((await w.simA.openOrders("w1")).length, 1);
    // and it is still the strategy's to amend and cancel
    const am = await w.drive(engine.amendOrder(row.clientOrderId, { priceTicks: bid - 4 }));
    assert.equal(am.ok, true, JSON.stringify(am));
  } finally {
    await w.close();
  }
});
