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

test("partial fills: a take-profit for each filled amount, then one for the rest after a cancel", async () => {
  const h = await start();
  await h.advance(1000);
  await h.trade("sell", h.bidTicks, 400);
  await h.advance(100);
  let t = await h.truth();
  assert.equal(t.pos, 400);
  assert.deepEqual(
    t.tps.map((o) => o.sizeLots),
    [400],
  );
  assert.equal(t.opens.length, 1, "the rest of the open still rests");
  // the market moves away (less than the 7 ticks to the TP): the rest is re-priced, the 400 keep their TP
  h.bidTicks += 5;
  await h.advance(11_000);
  assert.equal((await h.truth()).opens[0]?.priceTicks, h.bidTicks, "re-priced at the new touch");
  await h.trade("sell", h.bidTicks, 250);
  await h.advance(100);
  t = await h.truth();
  assert.equal(t.pos, 650);
  assert.equal(t.tpLots, 650, "every filled lot has its take-profit, none twice");
  assert.equal(t.tps.length, 2);
  await h.stop();
});

test("price moving away: the open is cancelled and re-priced at the new touch; coming back toward it does not re-price", async () => {
  const h = await start();
  await h.advance(1000);
  const first = (await h.truth()).opens[0];
  h.bidTicks += 3;
  await h.advance(5200);
  let t = await h.truth();
  assert.equal(t.opens.length, 1);
  assert.equal(t.opens[0].priceTicks, h.bidTicks);
  assert.notEqual(t.opens[0].clientOrderId, first.clientOrderId);
  const second = t.opens[0];
  // the market falls onto our bid: the order fills as maker rather than being re-priced away
  h.bidTicks -= 1;
  h.spreadTicks = 2;
  await h.advance(5200);
  t = await h.truth();
  assert.equal(t.opens[0]?.clientOrderId ?? second.clientOrderId, second.clientOrderId);
  await h.stop();
});

test("a cancel that loses the race to a fill: the fill gets its take-profit, nothing twice", async () => {
  let racing = true;
  let sim: import("../venues/sim/sim-venue.ts").SimVenue | undefined;
  const { ForwardingVenue } = await import("../testing/forwarding-venue.ts");
  class Racing extends ForwardingVenue {
    override async cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
      if (racing && sim !== undefined) {
        racing = false;
        const o = (await sim.openOrders(account)).find((x) => x.clientOrderId === clientOrderId);
        if (o !== undefined) {
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
      }
      return this.inner.cancel(account, symbol, clientOrderId);
    }
  }
  const h = await start({
    wrapVenue: (v) => {
      sim = v;
      return new Racing(v);
    },
  });
  await h.advance(1000);
  h.bidTicks += 5; // moved away: the maker cancels, and the fill wins
  await h.advance(5200);
  await h.advance(1000);
  const t = await h.truth();
  assert.equal(racing, false, "the race happened");
  assert.equal(t.pos, QTY);
  assert.equal(t.tps.length, 1);
  assert.equal(t.tpLots, QTY);
  assert.ok(t.opens.length <= 1);
  await h.stop();
});

test("stop_price: open cancelled, take-profits kept (keep_tps), no more opens; close_all flattens", async () => {
  for (const onStop of ["keep_tps", "close_all"] as const) {
    const h = await start({ maker: { stop_price: 3501, on_stop: onStop, take_profit_bps: 50 } });
    await h.advance(1000);
    await h.trade("sell", h.bidTicks, QTY);
    await h.advance(100);
    assert.equal((await h.truth()).tps.length, 1);
    await h.advance(10_000);
    h.bidTicks = h.inst.price(3502);
    await h.advance(6000);
    const t = await h.truth();
    assert.equal(t.opens.length, 0, `${onStop}: no open`);
    if (onStop === "keep_tps") {
      assert.equal(t.tps.length, 1);
      assert.equal(t.pos, QTY);
    } else {
      assert.equal(t.tps.length, 0);
      assert.equal(t.pos, 0, "closed out");
    }
    assert.ok(h.alerts.some((a) => a.key.startsWith("maker.stop")));
    h.bidTicks = h.inst.price(3400);
    await h.advance(60_000);
    assert.equal((await h.truth()).opens.length, 0, "stopped for good");
    assert.equal(h.maker.lane("w1", "ETH")?.stopped, true);
    await h.stop();
  }
});

test("pause_price: no opens while it holds, quoting resumes after", async () => {
  const h = await start({ maker: { pause_price: 3501 } });
  await h.advance(1000);
  assert.equal((await h.truth()).opens.length, 1);
  h.bidTicks = h.inst.price(3502);
  await h.advance(6000);
  assert.equal((await h.truth()).opens.length, 0, "open cancelled while paused");
  await h.advance(30_000);
  assert.equal((await h.truth()).opens.length, 0);
  h.bidTicks = h.inst.price(3499);
  await h.advance(6000);
  assert.equal((await h.truth()).opens.length, 1, "quoting again");
  await h.stop();
});

test("grid step: no open while the next take-profit would sit within grid_step of a resting one", async () => {
  const h = await start({ maker: { grid_step_bps: 10, wait_time_s: 0 } });
  await h.advance(1000);
  await h.trade("sell", h.bidTicks, QTY);
  await h.advance(30_000);
  let t = await h.truth();
  assert.equal(t.tps.length, 1);
  assert.equal(t.opens.length, 0, "35007 / 35008 is within 10 bps");
  h.bidTicks -= 50;
  await h.advance(6000);
  t = await h.truth();
  assert.equal(t.opens.length, 1, "50 ticks lower the next TP is 14 bps below the resting one");
  await h.stop();
});

test("wait time: after a fill the next open waits W/4 with no TP resting... and W/2 past n/M >= 1/6", async () => {
  const h = await start({ maker: { wait_time_s: 40, max_orders: 6 } });
  await h.advance(1000);
  await h.trade("sell", h.bidTicks, QTY);
  // one TP of 6: 1/6 -> W/2 = 20 s after the fill
  await h.advance(15_000);
  assert.equal((await h.truth()).opens.length, 0, "still waiting at 15 s");
  await h.advance(10_000);
  assert.equal((await h.truth()).opens.length, 1, "opened by 25 s");
  await h.stop();
});

test("boost: maker open, then an immediate reduce-only taker close; no take-profit", async () => {
  const h = await start({ maker: { boost: true, wait_time_s: 0 } });
  await h.advance(1000);
  await h.trade("sell", h.bidTicks, QTY);
  await h.advance(200);
  const t = await h.truth();
  assert.equal(t.pos, 0, "closed at once");
  assert.equal(t.tps.length, 0);
  const [r] = h.maker.reports();
  assert.ok(r.makerVolumeUsd > 0 && r.takerVolumeUsd > 0, "maker open, taker close");
  await h.stop();
});
