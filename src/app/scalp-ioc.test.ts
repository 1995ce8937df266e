import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type { OrderRequest } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import { ScalpHarness, type ScalpHarnessOptions } from "../testing/scalp-harness.ts";
import type { SimVenue } from "../venues/sim/sim-venue.ts";

/**
 * scalp on a venue without IOC (STRATEGIES.md 2.1: "both legs IOC, else a limit cancelled after
 * `ioc_emulation_ms`"; 2.3: "IOC is a capability, emulated if absent"), on the simulated clock.
 * simA is declared without IOC, so it refuses a real one; the engine sends its leg as a GTC limit
 * at the IOC's price and cancels it `ioc_emulation_ms` after it was sent.
 * $8,800 on each venue: notional $440 -> 0.004 BTC, 400 simA lots (0.00001) and 4 simB lots (0.001).
 */
const harnesses: ScalpHarness[] = [];
after(async () => {
  for (const h of harnesses) await h.stop();
  for (const h of harnesses) h.remove();
});
const SEC = 1000;
const A_LOT = 0.00001;
const B_LOT = 0.001;

/**
 * simA as the engine sees it: every submit and cancel written down with its time; when the entry
 * arrives, simA's asks have thinned to 0.0012 BTC (the book moved between decision and order) and
 * its feed pauses, so the limit fills that and rests the rest.
 */
class ThinningVenue extends ForwardingVenue {
  readonly submits: { at: number; order: OrderRequest }[] = [];
  readonly cancels: { at: number; clientOrderId: string }[] = [];
  onEntry: () => void = () => {};
  now: () => number = () => 0;
  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    this.submits.push({ at: this.now(), order });
    if (!order.reduceOnly) this.onEntry();
    return this.inner.submit(order);
  }
  override cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    this.cancels.push({ at: this.now(), clientOrderId });
    return this.inner.cancel(account, symbol, clientOrderId);
  }
}

async function emulatedEntry(iocEmulationMs: number) {
  const rec: { v?: ThinningVenue } = {};
  const o: ScalpHarnessOptions = {
    books: { simB: { mid: 100_600 } },
    balanceUsd: 8_800,
    scalp: { notional_per_trade_max: 500, ioc_emulation_ms: iocEmulationMs },
    capabilities: { simA: { ioc: false, timeInForce: ["gtc", "post_only"] } },
    wrapVenue: (id, v) => {
      if (id !== "simA") return v;
      rec.v = new ThinningVenue(v);
      return rec.v as Venue;
    },
  };
  const h = await ScalpHarness.start(o);
  harnesses.push(h);
  const venue = rec.v!;
  venue.now = () => h.clock.now();
  let thinned = false;
  venue.onEntry = () => {
    if (thinned) return;
    thinned = true;
    h.frozen.add("simA");
    thin(h.venues.simA, h.clock.now());
  };
  // sample simA's open orders every 50 ms until the entry has settled
  const resting: { at: number; filledLots: number }[] = [];
  for (let t = 0; t < 3 * SEC + iocEmulationMs; t += 50) {
    await h.advance(50);
    for (const r of await h.venues.simA.openOrders("s1"))
      resting.push({ at: h.clock.now(), filledLots: r.filledLots });
    const c = venue.cancels[0];
    if (c !== undefined && h.clock.now() > c.at + 200) h.frozen.delete("simA");
  }
  return { h, venue, resting };
}

/** simA's BTC book with 0.0012 BTC at the best ask and nothing behind it. */
function thin(v: SimVenue, ts: number): void {
  const inst = v.instruments().find((i) => i.spec.base === "BTC")!;
  const bid = inst.roundPrice(100_000 * (1 - 0.5 / 10_000), "sell", "down");
  v.feed({
    type: "book",
    venue: "simA",
    symbol: inst.symbol,
    ts,
    snapshot: true,
    bids: [{ price: inst.priceValue(bid), size: 1 }],
    asks: [{ price: inst.priceValue(bid + 10), size: 0.0012 }],
  });
}

test("scalp's leg on a venue without IOC: a GTC at the IOC's price rests, is cancelled after ioc_emulation_ms, and its partial fill is hedged", async () => {
  const { h, venue, resting } = await emulatedEntry(500);
  const [g] = await h.groups();
  assert.ok(g !== undefined, `an entry (rejections ${JSON.stringify(h.scalp.rejections)})`);
  assert.equal(g.entry.kind, "ioc", "scalp asked for IOCs");
  const entry = venue.submits.find((s) => !s.order.reduceOnly)!;
  assert.equal(entry.order.tif, "gtc", "simA got a GTC limit, not the IOC it refuses");
  assert.equal(entry.order.side, "buy");
  assert.equal(entry.order.sizeLots, 400);
  // the limit is the IOC's: the touch seen at the decision plus scalp's allowance, never more
  const inst = h.venues.simA.instrument("BTC");
  const limit = inst.priceValue(entry.order.priceTicks);
  const touch = Number(g.meta.touchBuy);
  const slip = Number(g.meta.slipBps);
  assert.ok(
    limit >= touch && limit <= touch * (1 + slip / 10_000) + 1e-9,
    `limit ${limit} vs touch ${touch} + ${slip} bps`,
  );
  // it rested with its 0.0012 BTC fill, and was cancelled 500 ms after it was sent
  assert.ok(resting.length >= 5, `seen resting ${resting.length} times`);
  assert.ok(resting.every((r) => r.filledLots === 120 && r.at < entry.at + 500));
  assert.deepEqual(
    venue.cancels.map((c) => [c.at - entry.at, c.clientOrderId]),
    [[500, entry.order.clientOrderId]],
  );
  assert.deepEqual(await h.venues.simA.openOrders("s1"), [], "nothing rests");
  // the filled part is the leg's; simB's 4 lots were trimmed to within one lot of it
  assert.equal(g.status, "open", `${g.status} ${g.failureReason} ${g.detail}`);
  const buy = g.legs.find((l) => l.venue === "simA")!;
  const sell = g.legs.find((l) => l.venue === "simB")!;
  assert.equal(buy.filledLots, 120);
  assert.equal(sell.filledLots, 4);
  assert.equal(sell.netLots, -1, "simB trimmed from 0.004 to 0.001 BTC");
  const pos = await h.positions();
  assert.deepEqual(pos, { "simA:BTC": 120, "simB:BTCUSDT": -1 });
  assert.ok(Math.abs(pos["simA:BTC"] * A_LOT + pos["simB:BTCUSDT"] * B_LOT) <= B_LOT);
  // scalp holds what the venues hold
  const p = h.scalp.positions.get(g.id)!;
  assert.ok(Math.abs(p.long.qty - 0.0012) < 1e-12, String(p.long.qty));
  assert.ok(Math.abs(p.short.qty - 0.001) < 1e-12, String(p.short.qty));
  await h.stop();
});

test("ioc_emulation_ms sets when scalp's stand-in is cancelled", async () => {
  const gap = async (ms: number) => {
    const { h, venue } = await emulatedEntry(ms);
    const entry = venue.submits.find((s) => !s.order.reduceOnly)!;
    assert.equal(venue.cancels.length, 1);
    const [g] = await h.groups();
    assert.equal(g.status, "open", `${g.status} ${g.detail}`);
    await h.stop();
    return venue.cancels[0].at - entry.at;
  };
  assert.equal(await gap(300), 300);
  assert.equal(await gap(1_200), 1_200);
});
