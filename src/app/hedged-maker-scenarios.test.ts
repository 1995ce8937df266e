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
