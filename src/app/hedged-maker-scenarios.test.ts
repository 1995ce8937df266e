import assert from "node:assert/strict";
import { after, test } from "node:test";
import { HedgeHarness, type HedgeHarnessOptions } from "../testing/hedge-harness.ts";

const harnesses: HedgeHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});
async function start(o: HedgeHarnessOptions = {}): Promise<HedgeHarness> {
  const h = await HedgeHarness.start(o);
  harnesses.push(h);
  return h;
}
const QTY = 1000; // 0.1 ETH in A's lots of 0.0001

test("fill -> hedge: a post-only buy on A, filled, sold at once by an IOC on B", async () => {
  const h = await start();
  await h.advance(1500);
  let t = await h.truth();
  assert.equal(t.quotes.length, 1, "one quote");
  assert.equal(t.quotes[0].side, "buy");
  assert.equal(t.quotes[0].priceTicks, h.books.aBid, "ask - 1 tick: inside the break-even 3502.7 from B");
  await h.trade("sell", h.books.aBid, QTY);
  await h.advance(50);
  t = await h.truth();
  assert.equal(t.posA, 0.1);
  assert.equal(t.posB, -0.1, "hedged on B");
  assert.equal(t.delta, 0);
  const [r] = h.strategy.reports();
  assert.equal(r.makerFills, 1);
  assert.equal(r.hedgeFills, 1);
  assert.equal(r.hedge.takerVolumeUsd > 350, true);
  await h.stop();
});

test("partial fills below B's minimum accumulate until hedgeable; the residue is bounded and reported", async () => {
  const h = await start();
  await h.advance(1500);
  // B's ETHUSDT: lot 0.001, minimum notional $5 -> 0.002 at 3505; A's lot is 0.0001
  for (let i = 1; i <= 3; i++) {
    await h.trade("sell", h.books.aBid, 5); // 0.0005 each
    await h.advance(50);
    const t = await h.truth();
    assert.equal(t.posB, 0, `after ${i} partials of 0.0005: nothing hedgeable yet`);
    assert.equal(t.delta, Math.round(i * 0.0005 * 1e9) / 1e9);
  }
  await h.trade("sell", h.books.aBid, 5);
  await h.advance(50);
  let t = await h.truth();
  assert.equal(t.posA, 0.002);
  assert.equal(t.posB, -0.002, "the fourth partial makes 0.002: hedged at once");
  // 0.0025 more: 0.002 of it is hedged, 0.0005 waits
  await h.trade("sell", h.books.aBid, 25);
  await h.advance(50);
  t = await h.truth();
  assert.equal(t.posB, -0.004);
  assert.equal(t.delta, 0.0005);
  const [r] = h.strategy.reports();
  assert.equal(r.residueBase, 0.0005, "the residue is reported");
  // unhedged at most one fill's worth (the 0.0025) between the fill and its hedge
  assert.equal(r.maxAbsDeltaBase, 0.0025);
  assert.equal(r.hedgeFills, 2);
  assert.equal(t.quotes.length, 1, "the rest of the quote still rests");
  await h.stop();
});

test("a cancel that loses the race to a fill: the fill is hedged like any other, once", async () => {
  let racing = true;
  let sim: import("../venues/sim/sim-venue.ts").SimVenue | undefined;
  const { ForwardingVenue } = await import("../testing/forwarding-venue.ts");
  class Racing extends ForwardingVenue {
    override async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
      if (racing && sim !== undefined) {
        racing = false;
        const o = (await sim.openOrders(account)).find((x) => x.clientOrderId === clientOrderId);
        if (o !== undefined)
          sim.feed({
            type: "trade",
            venue: "simA",
            symbol,
            ts: Date.now(),
            price: sim.instrument(symbol).priceValue(o.priceTicks),
            size: sim.instrument(symbol).sizeValue(o.sizeLots),
            side: "sell",
          });
      }
      return this.inner.cancel(account, symbol, clientOrderId);
    }
  }
  const h = await start({
    wrapA: (v) => {
      sim = v;
      return new Racing(v);
    },
  });
  await h.advance(1500);
  assert.equal((await h.truth()).quotes.length, 1);
  // A's touch moves up: the quote is cancelled to re-price, and the fill wins
  h.books.aBid += 3;
  await h.advance(1500);
  const t = await h.truth();
  assert.equal(racing, false, "the cancel raced");
  assert.equal(t.posA, 0.1);
  assert.equal(t.posB, -0.1, "hedged");
  const [r] = h.strategy.reports();
  assert.equal(r.raceFills, 1);
  assert.equal(r.hedgeFills, 1, "one hedge, not two");
  await h.stop();
});

test("B's price moves: the quote is re-priced from B's depth-aware executable price", async () => {
  const h = await start();
  h.books.aBid = h.instA.price(3502);
  // 0.02 at each of B's first four bids (3503.0 down by 0.1), 5 at the fifth: selling 0.1 gets 3502.8
  h.books.bBid = h.instB.price(3503);
  h.books.bSizes = [0.02, 0.02, 0.02, 0.02, 5];
  await h.advance(1500);
  let t = await h.truth();
  // 3502.8 x (1 - 4 bps B taker) / (1 + 1.5 bps A maker + 1 bp min profit) = 3500.52 -> 3500.5
  // (from B's touch alone it would be 3500.7)
  assert.equal(t.quotes.length, 1);
  assert.equal(t.quotes[0].priceTicks, h.instA.price(3500.5));
  // B falls by 2.00: 3500.8 x 0.9996 / 1.00025 = 3498.52 -> 3498.5
  h.books.bBid -= 200;
  await h.advance(1500);
  t = await h.truth();
  assert.equal(t.quotes.length, 1);
  assert.equal(t.quotes[0].priceTicks, h.instA.price(3498.5), "re-priced down with B");
  // B's book thins out below the quote's size: no executable price, no quote
  h.books.bSizes = [0.02, 0.02];
  await h.advance(1500);
  assert.equal((await h.truth()).quotes.length, 0, "no quote B could not hedge");
  await h.stop();
});

test("the exposure bound: quoting stops when another fill could pass it, and the unhedged rest is unwound on A after hedge_timeout_s", async () => {
  const h = await start({
    // B's minimum is $1000 (0.29 ETH): 0.1 fills cannot be hedged one by one
    specB: { minNotionalUsd: 1000 },
    config: { max_unhedged_usd: 800, max_position_qty: 1, hedge_timeout_s: 30 },
  });
  await h.advance(1500);
  await h.trade("sell", h.books.aBid, QTY);
  await h.advance(1500);
  let t = await h.truth();
  assert.equal(t.delta, 0.1, "below B's minimum: waits");
  assert.equal(t.quotes.length, 1, "0.2 x 3500 = 700 <= 800: one more quote may rest");
  await h.trade("sell", h.books.aBid, QTY);
  await h.advance(1500);
  t = await h.truth();
  assert.equal(t.delta, 0.2);
  assert.equal(t.quotes.length, 0, "0.3 x 3500 = 1050 > 800: quoting stops");
  const [r] = h.strategy.reports();
  assert.equal(r.capStops, 1);
  assert.ok(r.maxUnhedgedUsd <= 800, `bounded: ${r.maxUnhedgedUsd}`);
  await h.advance(10_000);
  assert.equal((await h.truth()).quotes.length, 0, "still stopped");
  // hedge_timeout_s: the 0.2 B would not take is closed on A
  await h.advance(25_000);
  t = await h.truth();
  assert.equal(t.posA, 0);
  assert.equal(t.delta, 0);
  const r2 = h.strategy.reports()[0];
  assert.equal(r2.unwinds, 1);
  // 0.2 ETH ($700) unhedged for the 30 s timeout and more
  assert.ok(r2.unhedgedUsdSeconds > 700 * 30, `unhedged $ x s ${r2.unhedgedUsdSeconds}`);
  assert.ok(h.alerts.some((a) => a.key.startsWith("hedged_maker.unwind")));
  await h.advance(2000);
  assert.equal((await h.truth()).quotes.length, 1, "quoting resumes");
  await h.stop();
});

test("restart mid-hedge: a hedge that never left is sent after the restart (no lost hedge)", async () => {
  const h = await start();
  await h.advance(1500);
  h.b.goDown(h.clock.now() + 60_000);
  await h.trade("sell", h.books.aBid, QTY);
  await h.advance(300);
  const v = h.strategy.lane("w1", "ETH")!.view();
  assert.equal(v.posA, 0.1);
  assert.equal(v.posB, 0, "B is down: not hedged yet");
  await h.crash();
  await h.advance(60_000);
  const h2 = await start({ dir: h.dir, clock: h.clock });
  await h2.advance(3000);
  const t = await h2.truth();
  assert.equal(t.posB, -0.1, "hedged after the restart");
  assert.equal(t.delta, 0);
  await h2.stop();
});

test("restart mid-hedge: a hedge whose answer was lost is not sent twice", async () => {
  const h = await start();
  await h.advance(1500);
  h.b.loseNextAnswers(1);
  await h.trade("sell", h.books.aBid, QTY);
  await h.advance(20);
  assert.equal((await h.truth()).posB, -0.1, "the hedge executed on B; its answer was lost");
  await h.crash();
  const h2 = await start({ dir: h.dir, clock: h.clock });
  await h2.advance(5000);
  const t = await h2.truth();
  assert.equal(t.posB, -0.1, "not hedged a second time");
  assert.equal(t.delta, 0);
  assert.equal(h2.strategy.reports()[0].hedgesPlaced, 1, "one hedge over both runs (the figures survive)");
  await h2.stop();
});

test("cycles: buy up to max_position_qty, then sell; the last cycle ends flat on both venues and quoting ends", async () => {
  const h = await start({ config: { cycles: 1 } });
  await h.advance(1500);
  await h.trade("sell", h.books.aBid, QTY);
  await h.advance(1500);
  let t = await h.truth();
  assert.equal(t.posA, 0.1);
  assert.equal(t.posB, -0.1);
  assert.equal(t.quotes.length, 1);
  assert.equal(t.quotes[0].side, "sell", "at +max_position_qty the sell phase starts");
  // the sell quote is priced from B's asks: 3505.01 x 1.0004 / (1 - 2.5 bps) = 3507.28 -> 3507.3
  assert.equal(t.quotes[0].priceTicks, h.instA.price(3507.3));
  await h.trade("buy", t.quotes[0].priceTicks, QTY);
  await h.advance(1500);
  t = await h.truth();
  assert.equal(t.posA, 0);
  assert.equal(t.posB, 0, "the buy-back on B hedged the sell");
  assert.equal(t.quotes.length, 0, "one cycle done: no more quotes");
  const [r] = h.strategy.reports();
  assert.ok(r.netPnlUsd > 0, `each round trip kept its edge after fees: ${r.netPnlUsd}`);
  assert.equal(h.strategy.lane("w1", "ETH")!.view().phase, "done");
  await h.stop();
});
