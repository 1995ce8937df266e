/**
 * The hedged maker when B's account events are lost (issue 16's fault runs, seeds 170 and 546):
 * a trade outside perpbot, and a hedge IOC whose fill and end never arrive. Each must be hedged
 * within the engine's next read or reconcile pass, once.
 */
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
/** B's smallest hedge (0.001 lots, $5 minimum at ~3,500): a delta at least this is hedgeable */
const MIN_B = 0.002;

/** A trade on B made by hand, outside perpbot: an IOC through B's book. */
async function manualOnB(h: HedgeHarness, side: "buy" | "sell", lots: number): Promise<void> {
  await h.b.submit({
    clientOrderId: `manual-${side}-${lots}`,
    account: "w1",
    symbol: "ETHUSDT",
    side,
    type: "limit",
    priceTicks: side === "buy" ? h.books.bBid + 500 : h.books.bBid - 500,
    sizeLots: lots,
    tif: "ioc",
    reduceOnly: false,
  });
  await h.advance(1);
}

test("a manual trade on B while B's account stream is down is hedged soon after the stream comes back", async () => {
  const h = await start();
  await h.advance(1500);
  await h.trade("sell", h.books.aBid, QTY);
  await h.advance(100);
  assert.equal((await h.truth()).delta, 0, "the fill is hedged");
  // past the reads the hedge's own events asked for (portfolio refresh, reconcile pass)
  await h.advance(20_000);
  h.b.dropStream("account");
  await manualOnB(h, "sell", 20); // 0.02 sold on B: its fill event is lost
  assert.equal((await h.truth()).delta, -0.02);
  await h.advance(2000);
  h.b.restoreStream("account");
  // the engine reads B's accounts again at its next portfolio refresh (5 s); the lane's next tick hedges
  await h.advance(7000);
  const t = await h.truth();
  assert.ok(Math.abs(t.delta) < MIN_B, `hedged within 7 s of the stream's return: delta ${t.delta}`);
  assert.equal(t.posB, -0.1, "bought back on B, once");
  await h.stop();
});

test("a hedge IOC whose events were lost, then a restart: the engine asks its outcome at once and the next fill is hedged", async () => {
  const h = await start();
  await h.advance(1500);
  h.b.dropStream("account");
  await h.trade("sell", h.books.aBid, QTY / 2);
  await h.advance(50);
  let t = await h.truth();
  assert.equal(t.posB, -0.05, "the hedge filled on B; its fill and end were lost with the stream");
  await h.crash();
  const h2 = await start({ dir: h.dir, clock: h.clock });
  await h2.advance(1500);
  assert.equal(
    h2.strategy.lane("w1", "ETH")!.view().hedgeInFlight,
    false,
    "the old IOC is known to have ended",
  );
  await h2.trade("sell", h2.books.aBid, QTY / 2);
  await h2.advance(100);
  t = await h2.truth();
  assert.equal(t.posA, 0.1);
  assert.equal(t.delta, 0, "the fill after the restart is hedged at once");
  assert.equal(t.posB, -0.1);
  await h2.stop();
});

test("a hedge IOC whose events were lost is resolved by the engine with its fill, and never hedged twice", async () => {
  const h = await start();
  await h.advance(1500);
  h.b.dropStream("account");
  // past the engine's read of B that the stream's drop asks for: B's position is read before the IOC
  await h.advance(6000);
  await h.trade("sell", h.books.aBid, QTY / 2);
  await h.advance(50);
  assert.equal(
    h.strategy.lane("w1", "ETH")!.view().hedgeInFlight,
    true,
    "the engine still holds the IOC open",
  );
  await h.trade("sell", h.books.aBid, QTY / 2);
  await h.advance(50);
  assert.equal((await h.truth()).delta, 0.05, "not hedged while the first hedge is in flight");
  // B's stream stays down: only the engine's reconcile pass (every 15 s) can tell the IOC ended
  let t = await h.truth();
  for (let s = 0; s < 20; s++) {
    await h.advance(1000);
    t = await h.truth();
    assert.ok(t.posB >= -0.1, `second ${s}: B at ${t.posB}, hedged more than A holds`);
  }
  assert.equal(t.delta, 0, "the second fill hedged once the IOC's end is known");
  assert.equal(t.posB, -0.1);
  await h.stop();
});
