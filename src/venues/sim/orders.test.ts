import assert from "node:assert/strict";
import { test } from "node:test";
import { feeOf, usd } from "../../core/money.ts";
import { VenueRejectError } from "../../core/venue.ts";
import { feedBook, feedMark, fillsOf, flush, harness, order } from "../../testing/sim.ts";

async function rejected(p: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof VenueRejectError && e.reason === reason);
}

test("a taker walks the levels, fills partially at each, and consumes the book until the next update", async () => {
  const { venue, events } = harness();
  const eth = venue.instrument("ETH");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, eth, 26_000, 0.5, 5); // asks 2600.1 .. 2600.5, 0.5 ETH each
  feedMark(venue, eth, 2600);
  // 1.2 ETH up to 2600.3: 0.5 + 0.5 + 0.2
  await venue.submit(order("ETH", "buy", 26_003, 12_000));
  await flush();
  const fills = fillsOf(events);
  assert.deepEqual(
    fills.map((f) => [f.priceTicks, f.sizeLots, f.liquidity]),
    [
      [26_001, 5000, "taker"],
      [26_002, 5000, "taker"],
      [26_003, 2000, "taker"],
    ],
  );
  assert.deepEqual(
    events.filter((e) => e.type === "fill").map((e) => (e.type === "fill" ? e.remainingLots : -1)),
    [7000, 2000, 0],
  );
  const book = venue.book("ETH");
  assert.equal(book.bestAskTicks(), 26_003);
  assert.ok(Math.abs(book.sizeAt("ask", 26_003) - 0.3) < 1e-12);
  // an IOC beyond what is left inside its limit fills what is there and expires the rest
  await venue.submit(order("ETH", "buy", 26_003, 5000, { clientOrderId: "ioc-2" }));
  await flush();
  const last = events.at(-1)!;
  assert.equal(last.type, "canceled");
  assert.equal(last.type === "canceled" && last.reason, "ioc_remainder");
  assert.deepEqual(
    fillsOf(events)
      .slice(3)
      .map((f) => [f.priceTicks, f.sizeLots]),
    [[26_003, 3000]],
  );
  const status = await venue.orderStatus("alice", "ioc-2");
  assert.equal(status?.status, "canceled");
  assert.equal(status?.filledLots, 3000);
  // the next snapshot restores the market's own liquidity
  feedBook(venue, eth, 26_000, 0.5, 5);
  assert.equal(venue.book("ETH").sizeAt("ask", 26_001), 0.5);
  assert.equal(venue.conservationResidual(), 0n);
});

test("a simulator declared without IOC refuses IOC orders and takes the same order as a GTC limit", async () => {
  const { venue } = harness({ capabilities: { ioc: false, timeInForce: ["gtc", "post_only"] } });
  const eth = venue.instrument("ETH");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, eth, 26_000, 0.5, 5);
  feedMark(venue, eth, 2600);
  await rejected(venue.submit(order("ETH", "buy", 26_003, 5000)), "unsupported");
  await assert.rejects(venue.submit(order("ETH", "buy", 26_003, 5000)), /IOC orders are not offered/);
  assert.deepEqual(await venue.positions("alice"), [], "nothing filled");
  await venue.submit(order("ETH", "buy", 26_001, 8000, { tif: "gtc", clientOrderId: "gtc-1" }));
  await flush();
  // 0.5 ETH at the best ask, the rest rests at the limit
  const status = await venue.orderStatus("alice", "gtc-1");
  assert.equal(status?.status, "partially_filled");
  assert.equal(status?.filledLots, 5000);
});

test("maker fills pay the maker fee, taker fills the taker fee", async () => {
  const { venue, events } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, btc, 60_000, 1);
  feedMark(venue, btc, 60_000);
  await venue.submit(order("BTC", "buy", 60_001, 1000)); // taker: 0.01 BTC at 60001
  await venue.submit(order("BTC", "sell", 60_005, 1000, { tif: "gtc", clientOrderId: "rest" }));
  assert.equal((await venue.openOrders("alice")).length, 1);
  // the market trades up through the resting offer: it fills at its own price as maker
  venue.feed({ type: "trade", venue: "simA", symbol: "BTC", ts: 0, price: 60_006, size: 0.5, side: "buy" });
  await flush();
  const [taker, maker] = fillsOf(events);
  assert.equal(taker.liquidity, "taker");
  assert.equal(taker.fee, feeOf(btc.notional(1000, 60_001), 4.5));
  assert.equal(maker.liquidity, "maker");
  assert.equal(maker.priceTicks, 60_005);
  assert.equal(maker.fee, feeOf(btc.notional(1000, 60_005), 1.5));
  // 1.5 bps of 600.05 USD = 0.0900075 USD exactly
  assert.equal(maker.fee, usd(0.0900075));
  assert.equal(maker.realisedPnl, btc.notional(1000, 60_005) - btc.notional(1000, 60_001));
  assert.deepEqual(await venue.openOrders("alice"), []);
  assert.equal(venue.sinks().fees, taker.fee + maker.fee);
  assert.equal(venue.conservationResidual(), 0n);
});

test("a resting order fills when the book moves through it, and a trade fills at most its size", async () => {
  const { venue, events } = harness();
  const sol = venue.instrument("SOL");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, sol, 17_300, 100);
  feedMark(venue, sol, 173);
  await venue.submit(order("SOL", "buy", 17_290, 500, { tif: "gtc", clientOrderId: "bid" }));
  // a sell print of 2 SOL at the bid's price: the bid fills 2 of its 5 SOL (no queue ahead)
  venue.feed({ type: "trade", venue: "simA", symbol: "SOL", ts: 0, price: 172.9, size: 2, side: "sell" });
  // a buy print at that price does not touch a bid
  venue.feed({ type: "trade", venue: "simA", symbol: "SOL", ts: 0, price: 172.9, size: 2, side: "buy" });
  await flush();
  assert.deepEqual(
    fillsOf(events).map((f) => [f.sizeLots, f.liquidity]),
    [[200, "maker"]],
  );
  assert.equal((await venue.orderStatus("alice", "bid"))?.status, "partially_filled");
  // the market's asks fall through the bid: the rest fills at the bid's own price
  feedBook(venue, sol, 17_280, 100, 5, 17_285);
  await flush();
  assert.deepEqual(
    fillsOf(events).map((f) => [f.priceTicks, f.sizeLots]),
    [
      [17_290, 200],
      [17_290, 300],
    ],
  );
  assert.equal((await venue.orderStatus("alice", "bid"))?.status, "filled");
  const [pos] = await venue.positions("alice");
  assert.equal(pos.sizeLots, 500);
  assert.ok(Math.abs(pos.entryPrice - 172.9) < 1e-9);
});

test("post-only is rejected when it would cross and rests when it would not", async () => {
  const { venue, events } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, btc, 60_000, 1);
  feedMark(venue, btc, 60_000);
  await rejected(
    venue.submit(order("BTC", "buy", 60_001, 100, { tif: "post_only" })),
    "post_only_would_cross",
  );
  await rejected(
    venue.submit(order("BTC", "sell", 60_000, 100, { tif: "post_only" })),
    "post_only_would_cross",
  );
  await venue.submit(order("BTC", "buy", 60_000, 100, { tif: "post_only", clientOrderId: "po" }));
  await flush();
  assert.deepEqual(fillsOf(events), []);
  assert.equal(events.filter((e) => e.type === "reject").length, 2);
  assert.equal((await venue.orderStatus("alice", "po"))?.status, "open");
  await venue.cancel("alice", "BTC", "po");
  assert.equal((await venue.orderStatus("alice", "po"))?.status, "canceled");
  await rejected(venue.cancel("alice", "BTC", "po"), "order_not_open");
});

test("reduce-only never opens or flips a position", async () => {
  const { venue, events } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, btc, 60_000, 1);
  feedMark(venue, btc, 60_000);
  await rejected(
    venue.submit(order("BTC", "sell", 60_000, 100, { reduceOnly: true })),
    "reduce_only_would_increase",
  );
  await venue.submit(order("BTC", "buy", 60_001, 300));
  await rejected(
    venue.submit(order("BTC", "buy", 60_001, 100, { reduceOnly: true })),
    "reduce_only_would_increase",
  );
  // asks 1000 lots on a 300-lot long: only 300 close, the rest is canceled
  await venue.submit(order("BTC", "sell", 59_990, 1000, { reduceOnly: true, clientOrderId: "ro" }));
  await flush();
  assert.deepEqual(await venue.positions("alice"), []);
  const closing = fillsOf(events).filter((f) => f.clientOrderId === "ro");
  assert.equal(
    closing.reduce((s, f) => s + f.sizeLots, 0),
    300,
  );
  const report = await venue.orderStatus("alice", "ro");
  assert.equal(report?.filledLots, 300);
});

test("a duplicate client order id is rejected and the first order is untouched", async () => {
  const { venue } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(100_000));
  venue.deposit("bob", usd(100_000));
  feedBook(venue, btc, 60_000, 1);
  await venue.submit(order("BTC", "buy", 59_000, 100, { tif: "gtc", clientOrderId: "same" }));
  await rejected(
    venue.submit(order("BTC", "buy", 59_000, 200, { tif: "gtc", clientOrderId: "same" })),
    "duplicate_client_order_id",
  );
  // client ids are per account
  await venue.submit(order("BTC", "buy", 59_000, 100, { tif: "gtc", clientOrderId: "same", account: "bob" }));
  const first = await venue.orderStatus("alice", "same");
  assert.equal(first?.sizeLots, 100);
  assert.equal(first?.status, "open");
});

test("orders needing more margin than available are rejected; bad requests name the field", async () => {
  const { venue } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(1000));
  feedBook(venue, btc, 60_000, 10);
  feedMark(venue, btc, 60_000);
  await venue.setLeverage("alice", "BTC", 10, "cross");
  // 0.2 BTC at 10x needs 1200 USD
  await rejected(venue.submit(order("BTC", "buy", 60_001, 20_000)), "insufficient_margin");
  // resting orders hold margin: two bids of 600 USD margin each cannot both rest
  await venue.submit(order("BTC", "buy", 59_000, 10_000, { tif: "gtc" }));
  await rejected(venue.submit(order("BTC", "buy", 59_000, 10_000, { tif: "gtc" })), "insufficient_margin");
  await rejected(venue.submit(order("BTC", "buy", 60_001, 10)), "min_notional");
  await assert.rejects(
    venue.submit(order("BTC", "buy", 60_000.5, 100)),
    /priceTicks 60000.5 must be a positive integer/,
  );
  await assert.rejects(venue.submit(order("BTC", "buy", 60_000, -1)), /sizeLots -1/);
  await assert.rejects(venue.submit(order("XRP", "buy", 1, 1)), /unknown symbol "XRP"/);
  await rejected(venue.setLeverage("alice", "BTC", 51, "cross"), "invalid_leverage");
  assert.throws(() => venue.deposit("alice", -1n), /must be a positive bigint/);
  assert.throws(
    () => venue.feed({ type: "mark", venue: "simB", symbol: "BTC", ts: 0, markPrice: 1, oraclePrice: 1 }),
    /event for venue "simB"/,
  );
});

test("acknowledgements and fills arrive asynchronously even at zero latency, and after the latency otherwise", async () => {
  const zero = harness();
  const btc = zero.venue.instrument("BTC");
  zero.venue.deposit("alice", usd(100_000));
  feedBook(zero.venue, btc, 60_000, 1);
  const pending = zero.venue.submit(order("BTC", "buy", 60_001, 100));
  assert.equal(zero.events.length, 0, "nothing synchronously");
  await pending;
  await flush();
  assert.deepEqual(
    zero.events.map((e) => e.type),
    ["ack", "fill"],
  );
  const slow = harness({ latencyMs: 25 });
  slow.venue.deposit("alice", usd(100_000));
  feedBook(slow.venue, btc, 60_000, 1);
  let answered = false;
  const sent = slow.venue.submit(order("BTC", "buy", 60_001, 100)).then(() => {
    answered = true;
  });
  await slow.clock.runUntil(slow.clock.now() + 24);
  assert.equal(answered, false);
  assert.equal(slow.events.length, 0);
  await slow.clock.runUntil(slow.clock.now() + 1);
  await sent;
  await flush();
  assert.equal(slow.events.length, 2);
  assert.equal(slow.events[0].ts, slow.clock.now());
});
