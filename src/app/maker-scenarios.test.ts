import assert from "node:assert/strict";
import { after, test } from "node:test";
import { MakerHarness, type MakerHarnessOptions } from "../testing/maker-harness.ts";

const harnesses: MakerHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});
async function start(o: MakerHarnessOptions = {}): Promise<MakerHarness> {
  const h = await MakerHarness.start(o);
  harnesses.push(h);
  return h;
}
const QTY = 1000; // 0.1 ETH in lots of 0.0001

test("fill: a post-only buy one tick inside the touch, then a reduce-only take-profit at fill x (1 + tp)", async () => {
  const h = await start();
  await h.advance(1000);
  let t = await h.truth();
  assert.equal(t.opens.length, 1, "one open order");
  assert.equal(t.opens[0].priceTicks, h.bidTicks, "at ask - 1 tick = the bid");
  assert.equal(t.opens[0].sizeLots, QTY);
  await h.trade("sell", h.bidTicks, QTY);
  await h.advance(100);
  t = await h.truth();
  assert.equal(t.pos, QTY);
  assert.equal(t.tps.length, 1);
  assert.equal(t.tps[0].side, "sell");
  assert.equal(t.tps[0].priceTicks, Math.ceil(h.bidTicks * 1.0002), "fill 3500.0 x 1.0002 = 3500.7");
  assert.equal(t.tps[0].sizeLots, QTY);
  // the TP fills: flat again, and the next open comes at once (a TP filled since the last open)
  await h.trade("buy", t.tps[0].priceTicks, QTY);
  await h.advance(6000);
  t = await h.truth();
  assert.equal(t.pos, 0);
  assert.equal(t.tps.length, 0);
  assert.equal(t.opens.length, 1);
  const [r] = h.maker.reports();
  assert.equal(r.fills, 2);
  assert.equal(r.makerShare, 1);
  assert.ok(r.volumeUsd > 699 && r.volumeUsd < 701, `volume ${r.volumeUsd}`);
  assert.ok(r.realisedPnlUsd > 0.069 && r.realisedPnlUsd < 0.071, `pnl ${r.realisedPnlUsd}`);
  assert.ok(r.feesPaidUsd > 0, "sim maker fee 1.5 bps is paid");
  assert.ok(r.costPerMillionUsd !== null);
  await h.stop();
});
