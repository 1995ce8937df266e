import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type { OrderRequest } from "../core/types.ts";
import { type Venue, VenueRejectError } from "../core/venue.ts";
import { ScalpHarness, type ScalpHarnessOptions } from "../testing/scalp-harness.ts";
import type { SimVenue } from "../venues/sim/sim-venue.ts";

/**
 * scalp on the simulated clock, two venues whose books the test shapes: the entry, every exit
 * rule with the reason stored on the group, and every rejection reason with its counter.
 * simA BTC: taker 4.5 bps, lot 0.00001; simB BTCUSDT: taker 4 bps, lot 0.001. $2,200 on each:
 * notional min(2200, 2200) x 0.05 = $110 -> 0.001 BTC on both legs.
 */
const harnesses: ScalpHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});
async function start(o: ScalpHarnessOptions = {}): Promise<ScalpHarness> {
  const h = await ScalpHarness.start(o);
  harnesses.push(h);
  return h;
}
/** simB 60 bps above simA: about 49 bps of edge net of 8.5 bps of taker fees and the buffer */
const DISLOCATED: ScalpHarnessOptions["books"] = { simB: { mid: 100_600 } };
const MIN = 60_000;

async function opened(h: ScalpHarness) {
  await h.advance(1000);
  const gs = await h.groups();
  assert.equal(gs.length, 1, `one scalp group (rejections ${JSON.stringify(h.scalp.rejections)})`);
  assert.equal(gs[0].status, "open", `${gs[0].status} ${gs[0].failureReason} ${gs[0].detail}`);
  return gs[0];
}

async function closedWith(h: ScalpHarness, reason: string, withinMs: number) {
  await h.advance(withinMs);
  const g = (await h.groups()).sort((x, y) => x.createdAt - y.createdAt)[0];
  assert.equal(g.status, "closed", `status ${g.status}, reason ${g.closeReason}`);
  assert.equal(g.closeReason, reason);
  assert.ok(
    g.legs.every((l) => l.netLots === 0),
    "both legs flat",
  );
  assert.ok((h.scalp.exits[reason] ?? 0) >= 1, "the exit counted by reason");
  // what the venues hold is exactly what the still-active groups hold (a re-entry may follow)
  const held: Record<string, number> = {};
  for (const x of await h.groups())
    for (const l of x.legs)
      if (l.netLots !== 0) held[`${l.venue}:${l.symbol}`] = (held[`${l.venue}:${l.symbol}`] ?? 0) + l.netLots;
  assert.deepEqual(await h.positions(), held, "nothing on the venues that no group owns");
  return g;
}

test("entry: buy the cheap venue, sell the dear one, one quantity, IOC, predicted edge in the group", async () => {
  const h = await start({ books: DISLOCATED });
  const g = await opened(h);
  const buy = g.legs.find((l) => l.side === "buy")!;
  const sell = g.legs.find((l) => l.side === "sell")!;
  assert.equal(buy.venue, "simA");
  assert.equal(sell.venue, "simB");
  assert.equal(g.entry.kind, "ioc");
  const pos = await h.positions();
  assert.equal(pos["simA:BTC"], 100, "0.001 BTC on simA's 0.00001 grid");
  assert.equal(pos["simB:BTCUSDT"], -1, "0.001 BTC on simB's 0.001 grid");
  const predicted = Number(g.meta.predictedEdgeBps);
  // (100600 x (1 - 4e-4) - 100000 x (1 + 4.5e-4)) / 100300 x 1e4 - 2, touches 0.5 bps off mid
  assert.ok(predicted > 45 && predicted < 52, String(predicted));
  assert.equal(Number(g.meta.takerFeeBuyBps), 4.5, "fees from the instrument");
  assert.equal(Number(g.meta.takerFeeSellBps), 4);
  const p = h.scalp.positions.get(g.id)!;
  assert.ok(Math.abs(p.entryEdgeBps - predicted) < 5, `at fill ${p.entryEdgeBps} vs ${predicted}`);
  assert.equal(h.scalp.view().groups.length, 1);
  await h.stop();
});

test("take_profit: the spread converges, net covers 15 % of the entry edge and min_profit_bps", async () => {
  const h = await start({ books: DISLOCATED });
  await opened(h);
  h.books.simB.mid = 100_000;
  const g = await closedWith(h, "take_profit", 1000);
  assert.ok(g.realisedPnlUsd - g.feesUsd > 0, "a winner after fees");
  await h.stop();
});

test("stop_loss: the spread widens past stop_loss_bps; the base is then bad-listed (bad_symbol)", async () => {
  const h = await start({ books: DISLOCATED });
  await opened(h);
  h.books.simB.mid = 101_200;
  await closedWith(h, "stop_loss", 1000);
  // still dislocated long after the cooldown: refused as bad-listed for bad_symbol_s
  await h.advance(20_000);
  assert.equal((await h.groups()).length, 1, "no second entry");
  assert.ok((h.scalp.rejections.bad_symbol ?? 0) > 0, JSON.stringify(h.scalp.rejections));
  assert.deepEqual((h.scalp.view().blocked as { bad: string[] }).bad, ["BTC"]);
  await h.stop();
});

test("trailing_stop: the net peaks above trailing_arm_bps, then gives back a quarter", async () => {
  const h = await start({ books: DISLOCATED, scalp: { min_profit_bps: 200 } });
  await opened(h);
  // 45 of the 60 bps converge: the net (after entry and projected exit fees) peaks near +20
  h.books.simB.mid = 100_150;
  await h.advance(500);
  assert.equal((await h.groups())[0].status, "open");
  const peak = h.scalp.positions.values().next().value!.peakBps;
  assert.ok(peak >= 10, String(peak));
  h.books.simB.mid = 100_300;
  await closedWith(h, "trailing_stop", 1000);
  await h.stop();
});

test("time_limit: max_hold_hours from the persisted entry time", async () => {
  const h = await start({ books: DISLOCATED });
  const g = await opened(h);
  await h.advance(9 * MIN);
  assert.equal((await h.groups())[0].status, "open");
  const closed = await closedWith(h, "time_limit", 2 * MIN);
  assert.ok(closed.closedAt! - g.createdAt >= 0.167 * 3_600_000);
  await h.stop();
});

test("liquidation_guard: a leg's venue liquidation price closer than liquidation_close_pct", async () => {
  // 3x isolated puts liquidation about 30 % away: inside a 0.5 guard
  const h = await start({ books: DISLOCATED, scalp: { liquidation_close_pct: 0.5 } });
  await opened(h);
  await closedWith(h, "liquidation_guard", 30_000);
  await h.stop();
});

test("stale_data: both books stop; no decision on them, then closed after stale_close_s", async () => {
  const h = await start({ books: DISLOCATED });
  await opened(h);
  h.frozen.add("simA");
  h.frozen.add("simB");
  h.books.simB.mid = 101_200; // not published: the frozen books show no loss
  await h.advance(20_000);
  assert.equal((await h.groups())[0].status, "open", "deferred, not decided");
  assert.ok(h.scalp.positions.values().next().value!.deferredSince !== null);
  h.frozen.clear();
  h.books.simB.mid = 100_600;
  h.frozen.add("simA");
  h.frozen.add("simB");
  await closedWith(h, "stale_data", 15_000);
  await h.stop();
});

// ---- rejections: each reason counted, and it is what stopped the entry ---------------------------

async function noEntry(h: ScalpHarness, ms: number, reason: string) {
  await h.advance(ms);
  assert.equal((await h.groups()).length, 0, `no entry (rejections ${JSON.stringify(h.scalp.rejections)})`);
  assert.ok((h.scalp.rejections[reason] ?? 0) > 0, `${reason} in ${JSON.stringify(h.scalp.rejections)}`);
  assert.ok((h.scalp.view().rejections as Record<string, number>)[reason] > 0, "shown in view()");
}

test("below_entry: aligned books offer no edge", async () => {
  const h = await start();
  await noEntry(h, 2000, "below_entry");
  await h.stop();
});

test("held_symbol and trade_gap while a scalp holds the base; cooldown after its close, then a re-entry", async () => {
  const h = await start({ books: DISLOCATED });
  await opened(h);
  assert.ok((h.scalp.rejections.trade_gap ?? 0) > 0, "updates within min_trade_gap_s of the entry");
  assert.ok((h.scalp.rejections.held_symbol ?? 0) > 0, JSON.stringify(h.scalp.rejections));
  h.books.simB.mid = 100_000;
  await h.advance(1000);
  assert.equal((await h.groups())[0].closeReason, "take_profit");
  h.books.simB.mid = 100_600;
  await h.advance(6000);
  assert.equal((await h.groups()).length, 1, "cooling down");
  assert.ok((h.scalp.rejections.cooldown ?? 0) > 0, JSON.stringify(h.scalp.rejections));
  await h.advance(6000);
  assert.equal((await h.groups()).length, 2, "re-entered after symbol_cooldown_s");
  await h.stop();
});

test("stale_bbo: one venue's book stops updating", async () => {
  const h = await start();
  await h.advance(1000);
  h.frozen.add("simA");
  // the jump lifts the floor (5 s range > 25 bps) for 5 s; after that only the stale leg stops it
  h.books.simB.mid = 100_600;
  await noEntry(h, 7000, "stale_bbo");
  h.frozen.clear();
  await h.advance(1000);
  assert.equal((await h.groups()).length, 1, "entered once both books were fresh");
  await h.stop();
});

test("wide_spread: a touch spread above max_spread_pct", async () => {
  const h = await start({ books: { simB: { mid: 101_300, halfSpreadBps: 60 } } });
  await noEntry(h, 2000, "wide_spread");
  await h.stop();
});

test("spread_cost: the edge does not cover 1.1 x (1.5 x both spreads + exit fees)", async () => {
  const h = await start({ books: { simA: { halfSpreadBps: 15 }, simB: { mid: 100_800 } } });
  await noEntry(h, 2000, "spread_cost");
  await h.stop();
});

test("volatility: a jump leaves a 5 s mid range above max_volatility_bps; the entry waits for it to pass", async () => {
  const h = await start();
  await h.advance(6000);
  h.books.simB.mid = 101_200;
  await noEntry(h, 3000, "volatility");
  await h.advance(4000);
  assert.equal((await h.groups()).length, 1, "entered once the jump left the window");
  await h.stop();
});

test("momentum: a move faster than 100 bps/s; the entry waits for it to settle", async () => {
  const h = await start({ scalp: { max_volatility_bps: 300, max_edge_bps: 400 } });
  await h.advance(6000);
  h.books.simB.mid = 103_000;
  await noEntry(h, 500, "momentum");
  await h.advance(2000);
  assert.equal((await h.groups()).length, 1, "entered once the move settled");
  await h.stop();
});

test("suspicious_edge: an edge above max_edge_bps is a glitch, not an opportunity", async () => {
  const h = await start({ books: { simB: { mid: 102_000 } } });
  await noEntry(h, 2000, "suspicious_edge");
  await h.stop();
});

test("insufficient_depth: the taken touch holds less than min_depth_multiple x the notional", async () => {
  const h = await start({ books: { simB: { mid: 100_600, touchUsd: 500 } } });
  await noEntry(h, 2000, "insufficient_depth");
  await h.stop();
});

test("edge_decay: at the VWAP for the quantity the edge falls below edge_decay_ratio x spread_entry_bps", async () => {
  const h = await start({
    scalp: { min_depth_multiple: 0.5 },
    books: { simA: { touchUsd: 60, levelStepBps: 60 }, simB: { mid: 100_600 } },
  });
  await noEntry(h, 2000, "edge_decay");
  await h.stop();
});

test("unconfirmed: required_confirms updates in a row before an entry", async () => {
  const h = await start({ books: DISLOCATED, scalp: { required_confirms: 3 } });
  await h.advance(1000);
  assert.equal((await h.groups()).length, 1);
  assert.equal(h.scalp.rejections.unconfirmed, 2, "two updates short of three");
  await h.stop();
});

test("no_allocation: min equity x alloc_frac_per_trade buys less than one lot of the coarser grid", async () => {
  const h = await start({ books: DISLOCATED, balanceUsd: 1000 });
  await noEntry(h, 2000, "no_allocation");
  await h.stop();
});

test("closes are priced by scalp: touch +- exit_slippage_bps, then +- max_slippage_bps after flatten_timeout_s, alerted", async () => {
  // simA refuses reduce-only orders for 20 s after the exit starts (an IOC that finds nothing):
  // the engine retries, re-priced at the touch each time; past flatten_timeout_s (15 s) wider
  const sent: { at: number; limit: number; touch: number }[] = [];
  let refuseUntil = Number.POSITIVE_INFINITY;
  let clockNow = () => 0;
  const wrap = (id: string, v: SimVenue): Venue =>
    id !== "simA"
      ? v
      : new (class extends ForwardingVenue {
          override submit(o: OrderRequest) {
            if (!o.reduceOnly) return this.inner.submit(o);
            const inst = this.inner.instrument(o.symbol);
            const bid = this.inner.book(o.symbol).bestBidTicks()!;
            sent.push({ at: clockNow(), limit: inst.priceValue(o.priceTicks!), touch: inst.priceValue(bid) });
            if (clockNow() < refuseUntil)
              return Promise.reject(new VenueRejectError("ioc_cancelled", "no fill"));
            return this.inner.submit(o);
          }
        })(v);
  const h = await start({ books: DISLOCATED, wrapVenue: wrap as ScalpHarnessOptions["wrapVenue"] });
  clockNow = () => h.clock.now();
  const alerts: string[] = [];
  h.node.alerts.subscribe((a) => alerts.push(a.key));
  const g = await opened(h);
  const exitAt = h.clock.now() + 10 * MIN + 10_000;
  refuseUntil = exitAt + 20_000;
  // simA is the cheap venue: scalp bought there, so its leg closes with a reduce-only sell
  await h.advance(12 * MIN);
  const done = (await h.groups()).find((x) => x.id === g.id)!;
  assert.equal(done.status, "closed", `${done.status} ${done.detail}`);
  assert.equal(done.closeReason, "time_limit");
  assert.ok(sent.length >= 3, `retries: ${sent.length}`);
  const start0 = sent[0].at;
  const bps = (s: (typeof sent)[number]) => (Math.abs(s.touch - s.limit) / s.touch) * 10_000;
  const early = sent.filter((s) => s.at - start0 < 15_000);
  const late = sent.filter((s) => s.at - start0 >= 15_000);
  assert.ok(early.length >= 1 && late.length >= 1, `${early.length} early, ${late.length} late`);
  for (const s of early) assert.ok(bps(s) <= 2 + 0.6, `early IOC ${bps(s).toFixed(2)} bps from the touch`);
  for (const s of late)
    assert.ok(bps(s) > 40 && bps(s) <= 50 + 0.6, `late IOC ${bps(s).toFixed(2)} bps from the touch`);
  assert.ok(alerts.includes(`engine.close_escalated:${g.id}`), alerts.join(", "));
  await h.stop();
});
