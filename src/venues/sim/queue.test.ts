import assert from "node:assert/strict";
import { test } from "node:test";
import { usd } from "../../core/money.ts";
import { feedBook, fillsOf, flush, harness, order, T0 } from "../../testing/sim.ts";
import type { FillModel } from "./queue.ts";

/**
 * The queue-position fill model against hand-computed cases. simA BTC: tick 1 USD, lot 0.00001 BTC
 * (0.5 BTC = 50,000 lots). Every case rests a post-only buy of 0.5 BTC at the best bid 59,999,
 * where the market shows 2 BTC, so 2 BTC are ahead of it at entry unless a case says otherwise.
 */
const PRICE = 59_999;
const HALF = 50_000;

function world(fillModel: FillModel = { kind: "queue", placeLatencyMs: 0, cancelLatencyMs: 0 }) {
  const h = harness({ fillModel });
  const btc = h.venue.instrument("BTC");
  h.venue.deposit("alice", usd(1_000_000));
  feedBook(h.venue, btc, PRICE, 2, 5);
  const level = (size: number) =>
    h.venue.feed({
      type: "book",
      venue: "simA",
      symbol: "BTC",
      ts: h.clock.now(),
      snapshot: false,
      bids: [{ price: PRICE, size }],
      asks: [],
    });
  const trade = (size: number, price = PRICE) =>
    h.venue.feed({
      type: "trade",
      venue: "simA",
      symbol: "BTC",
      ts: h.clock.now(),
      price,
      size,
      side: "sell",
    });
  const ahead = () => h.venue.queueAhead("alice", "q");
  const filledLots = () => fillsOf(h.events).reduce((s, f) => s + f.sizeLots, 0);
  const rest = () =>
    h.venue.submit(order("BTC", "buy", PRICE, HALF, { tif: "post_only", clientOrderId: "q" }));
  return { ...h, btc, level, trade, ahead, filledLots, rest };
}

const near = (a: number | undefined, b: number) => {
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `ahead ${a}, expected ${b}`);
};

test("queue: trades at the level first consume the 2 BTC ahead, then fill the order", async () => {
  const w = world();
  await w.rest();
  near(w.ahead(), 2);
  w.trade(1.5); // 2 - 1.5 = 0.5 ahead, nothing for us
  await flush();
  near(w.ahead(), 0.5);
  assert.equal(w.filledLots(), 0);
  w.trade(0.8); // 0.5 ahead trade first, the 0.3 BTC after them is ours: 30,000 lots
  await flush();
  assert.equal(w.filledLots(), 30_000);
  near(w.ahead(), 0);
  w.trade(0.5); // nothing ahead: 0.2 BTC left of ours fills (20,000 lots), the rest is not ours
  await flush();
  assert.equal(w.filledLots(), HALF);
  assert.equal((await w.venue.orderStatus("alice", "q"))?.status, "filled");
  const fills = fillsOf(w.events);
  assert.ok(fills.every((f) => f.liquidity === "maker" && f.priceTicks === PRICE));
  assert.deepEqual(w.venue.queueStats()?.waitsMs, [0]);
  assert.equal(w.venue.queueStats()?.queueFills, 2);
});

test("queue: size added behind does not move us, a decrease is a cancel behind us unless the level drops below what is ahead", async () => {
  const w = world();
  await w.rest();
  w.level(3); // +1 BTC joins behind us: 2 ahead
  near(w.ahead(), 2);
  w.level(2.5); // 0.5 cancelled, counted behind (2.5 >= 2): 2 ahead
  near(w.ahead(), 2);
  w.level(1.2); // the level shows 1.2 < 2: at most 1.2 can be ahead
  near(w.ahead(), 1.2);
  await w.clock.runUntil(T0 + 200); // no trade within 100 ms explains the drop: cancellations
  w.trade(1.0); // 1.2 - 1.0 = 0.2 ahead, no fill
  await flush();
  near(w.ahead(), 0.2);
  assert.equal(w.filledLots(), 0);
  w.trade(0.3); // 0.2 ahead, 0.1 BTC ours = 10,000 lots
  await flush();
  assert.equal(w.filledLots(), 10_000);
});

test("queue: a decrease the book shows before its trade is printed is not counted twice (100 ms window)", async () => {
  // a deleted level, then the trade that emptied it: 2 ahead, a trade of 2.3 fills 0.3 BTC of ours
  const d = world();
  await d.rest();
  d.level(0);
  await d.clock.runUntil(T0 + 50);
  d.trade(2.3);
  await flush();
  assert.equal(d.filledLots(), 30_000);

  const w = world();
  await w.rest();
  await w.clock.runUntil(T0 + 10);
  w.level(1.5); // 2 ahead, the level shows 1.5: ahead 1.5, 0.5 of it maybe a trade still to come
  near(w.ahead(), 1.5);
  await w.clock.runUntil(T0 + 40);
  w.trade(0.5); // 30 ms later, a trade of 0.5 at the price: the drop already seen, ahead stays 1.5
  await flush();
  near(w.ahead(), 1.5);
  w.trade(1.7); // a new trade: 1.5 ahead trade first, 0.2 BTC is ours = 20,000 lots
  await flush();
  assert.equal(w.filledLots(), 20_000);

  // the same drop, but no trade within 100 ms: it was a cancellation, a later trade counts in full
  const c = world();
  await c.rest();
  await c.clock.runUntil(T0 + 10);
  c.level(1.5);
  await c.clock.runUntil(T0 + 200);
  c.trade(1.7); // 1.5 ahead, 0.2 BTC ours
  await flush();
  assert.equal(c.filledLots(), 20_000);
  near(c.ahead(), 0);
});

test("queue: a deleted level clears what was ahead; size arriving later is behind us", async () => {
  const w = world();
  await w.rest();
  w.level(0); // everyone ahead left
  near(w.ahead(), 0);
  w.level(4); // 4 BTC arrive, behind us
  near(w.ahead(), 0);
  await w.clock.runUntil(T0 + 200); // (no trade within 100 ms: the 2 BTC were cancelled, rule 6)
  w.trade(0.25); // first in line: 0.25 BTC = 25,000 lots
  await flush();
  assert.equal(w.filledLots(), 25_000);
});

test("queue: a book change after an order rejoined or a new one joined caps the spots they hold now", async () => {
  const w = world();
  await w.rest();
  w.level(4); // 2 BTC more, behind us: still 2 ahead
  near(w.ahead(), 2);
  // an amend up in size loses priority: the order rejoins behind the 4 BTC the level shows
  await w.venue.amend("alice", "BTC", "q", { sizeLots: HALF + 1000 });
  near(w.ahead(), 4);
  w.level(3); // the level drops below what is ahead of the rejoined order: 3 ahead
  near(w.ahead(), 3);
  // a second order at the same price joins behind the 3 BTC; the next drop caps both
  await w.venue.submit(order("BTC", "buy", PRICE, HALF, { tif: "post_only", clientOrderId: "q2" }));
  near(w.venue.queueAhead("alice", "q2"), 3);
  w.level(1);
  near(w.ahead(), 1);
  near(w.venue.queueAhead("alice", "q2"), 1);
  // the first one cancelled: the second is capped alone
  await w.venue.cancel("alice", "BTC", "q");
  w.level(0.5);
  near(w.venue.queueAhead("alice", "q2"), 0.5);
});

test("queue: after nothing is ahead of any resting order, one joining behind a level is still capped", async () => {
  const w = world();
  await w.rest();
  w.level(0); // nothing ahead of q, and nothing can come back ahead of it
  w.level(3);
  near(w.ahead(), 0);
  await w.venue.submit(order("BTC", "buy", PRICE, HALF, { tif: "post_only", clientOrderId: "q2" }));
  near(w.venue.queueAhead("alice", "q2"), 3);
  w.level(1.5);
  near(w.venue.queueAhead("alice", "q2"), 1.5);
  near(w.ahead(), 0);
});

test("queue: price trading through fills in full at our price, by a trade below our bid or by the book", async () => {
  const w = world();
  await w.rest();
  w.trade(0.01, PRICE - 1); // a sell printed at 59,998: every bid at 59,999 traded, ours included
  await flush();
  assert.equal(w.filledLots(), HALF);
  assert.deepEqual(
    fillsOf(w.events).map((f) => f.priceTicks),
    [PRICE],
  );
  assert.equal(w.venue.queueStats()?.throughFills, 1);

  const b = world();
  await b.rest();
  near(b.ahead(), 2);
  // the ask comes down to our price: the book trades through the 2 BTC ahead and us
  b.venue.feed({
    type: "book",
    venue: "simA",
    symbol: "BTC",
    ts: b.clock.now(),
    snapshot: false,
    bids: [{ price: PRICE, size: 0 }],
    asks: [{ price: PRICE, size: 1 }],
  });
  await flush();
  assert.equal(b.filledLots(), HALF);
});

test("queue: the order joins only after its placement latency, and a cancel can lose the race during its latency", async () => {
  const w = world({ kind: "queue", placeLatencyMs: 50, cancelLatencyMs: 30 });
  const placed = w.rest(); // sent at T0, reaches the venue at T0 + 50
  await w.clock.runUntil(T0 + 20);
  w.level(0.4); // the level shrinks to 0.4 before we arrive
  await w.clock.runUntil(T0 + 30);
  w.trade(0.4); // trades while we are on the wire: not ours
  await flush();
  assert.equal(w.filledLots(), 0);
  assert.equal(w.ahead(), undefined, "not at the venue yet");
  await w.clock.runUntil(T0 + 40);
  w.level(1.0); // 1 BTC rests there when we arrive
  await w.clock.runUntil(T0 + 50);
  await placed;
  near(w.ahead(), 1.0); // joined at T0 + 50 behind the 1 BTC visible then
  await w.clock.runUntil(T0 + 60);
  w.trade(1.2); // 1.0 ahead, 0.2 BTC ours: 20,000 lots
  await flush();
  assert.equal(w.filledLots(), 20_000);
  await w.clock.runUntil(T0 + 70);
  const cancel = w.venue.cancel("alice", "BTC", "q").then(
    () => "canceled",
    (e: Error) => e.message,
  ); // reaches the venue at T0 + 100
  await w.clock.runUntil(T0 + 80);
  w.trade(0.5); // nothing ahead: the 0.3 BTC left fill before the cancel arrives
  await flush();
  assert.equal(w.filledLots(), HALF);
  await w.clock.runUntil(T0 + 100);
  assert.match(await cancel, /order_not_open/);
  assert.deepEqual(w.venue.queueStats()?.waitsMs, [10]); // joined T0 + 50, first fill T0 + 60
});

test("cross model (default): the same first trade fills at once, there is no queue", async () => {
  const w = world({ kind: "cross" });
  await w.rest();
  assert.equal(w.ahead(), undefined);
  w.trade(0.3);
  await flush();
  assert.equal(w.filledLots(), 30_000);
});

test("a bad fill model is refused naming the field", () => {
  assert.throws(
    () => harness({ fillModel: { kind: "queue", placeLatencyMs: -1, cancelLatencyMs: 0 } }),
    /fillModel\.placeLatencyMs -1 must be a finite number >= 0/,
  );
});
