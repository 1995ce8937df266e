import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Venue } from "../core/venue.ts";
import { pairsSchema } from "../strategies/pairs/config.ts";
import { type CarryHarness, type CarryHarnessOptions, carryStarter } from "../testing/carry-harness.ts";
import { RefusingEntries } from "../testing/refusing-venue.ts";

/**
 * Scale-up, scale-down, optimisation and predicted funding of carry on the simulated clock
 * (STRATEGIES.md 1.1 scan step 5, "Scale-up"): each key group changes what happens, and every
 * group the strategy opens or closes carries its reason.
 */

const start = carryStarter(after);
const MIN = 60_000;
const BTC_ETH = pairsSchema.parse({ allowlist: ["BTC", "ETH"] });

/** 0.2 %/h against 0.01 %/h: 152 bps per 8 h, net ~130 over the horizon; entry $300 (3 simB lots) */
const STEEP = { simA: 0.002 } as const;
/** room for two slices of $200 under max_position_usd */
const ROOMY = { max_position_usd: 2_000 } as const;

async function entryGroup(h: CarryHarness) {
  await h.advance(MIN);
  const gs = await h.groups();
  assert.equal(gs.length, 1, "one carry group");
  assert.equal(gs[0].status, "open");
  // the short's venue moves 20 bps its way: the position is in profit (a first slice needs it)
  h.prices.simA.BTC = 99_800;
  return gs[0];
}

const slicesOf = async (h: CarryHarness, parent: string) =>
  (await h.groups()).filter((g) => g.meta.scaleUpOf === parent);

/** what the venues hold equals what the active groups hold */
async function venuesMatchGroups(h: CarryHarness): Promise<Record<string, number>> {
  const held: Record<string, number> = {};
  for (const g of await h.groups())
    for (const l of g.legs)
      if (l.netLots !== 0) held[`${l.venue}:${l.symbol}`] = (held[`${l.venue}:${l.symbol}`] ?? 0) + l.netLots;
  assert.deepEqual(await h.positions(), held, "nothing on the venues that no group owns");
  return held;
}

test("scale-up: after an hour in profit, slices of E x alloc x scale_up_slice_pct, scale_up_cooldown_s apart, at most max_scale_ups", async () => {
  const h = await start({ rates: STEEP, carry: ROOMY });
  const g = await entryGroup(h);
  await h.advance(58 * MIN);
  assert.equal((await slicesOf(h, g.id)).length, 0, "not before the position is an hour old");
  assert.ok((h.carry.scaleUps.too_young ?? 0) > 0);
  await h.advance(2 * MIN);
  const one = await slicesOf(h, g.id);
  assert.equal(one.length, 1, "one slice after an hour");
  assert.equal(one[0].status, "open");
  // E = 4000 (2 x 2000): 4000 x 0.5 x 0.10 = $200 = 2 simB lots of 0.001 BTC, 200 simA lots
  assert.equal(one[0].legs.find((l) => l.side === "buy")!.netLots, 2);
  assert.equal(one[0].legs.find((l) => l.side === "sell")!.netLots, -200);
  const p = h.carry.positions.get(g.id)!;
  assert.equal(p.slices.length, 1);
  assert.ok(Math.abs(p.long.qty - 0.005) < 1e-12, `merged long qty ${p.long.qty}`);
  assert.ok(Math.abs(p.ledgers.short.qty - 0.005) < 1e-12, "the ledger accrues on the merged quantity");
  assert.ok(Math.abs(p.sizeUsd - 500) < 5, String(p.sizeUsd));
  assert.deepEqual(await venuesMatchGroups(h), { "simA:BTC": -500, "simB:BTCUSDT": 5 });
  await h.advance(3 * MIN);
  assert.equal((await slicesOf(h, g.id)).length, 1, "scale_up_cooldown_s 300 holds the next one");
  assert.ok((h.carry.scaleUps.cooldown ?? 0) > 0);
  await h.advance(3 * MIN);
  assert.equal((await slicesOf(h, g.id)).length, 2, "the second after the cooldown");
  await h.advance(10 * MIN);
  assert.equal((await slicesOf(h, g.id)).length, 2, "max_scale_ups 2");
  assert.ok((h.carry.scaleUps.max_scale_ups ?? 0) > 0);
  assert.deepEqual(await venuesMatchGroups(h), { "simA:BTC": -700, "simB:BTCUSDT": 7 });
  await h.stop();
});

test("scale-up keys: max_scale_ups 0 never scales, scale_up_slice_pct sets the slice, scale_up_cooldown_s the spacing", async () => {
  const none = await start({ rates: STEEP, carry: { ...ROOMY, max_scale_ups: 0 } });
  const g0 = await entryGroup(none);
  await none.advance(70 * MIN);
  assert.equal((await slicesOf(none, g0.id)).length, 0);
  assert.ok((none.carry.scaleUps.max_scale_ups ?? 0) > 0);
  await none.stop();

  const fast = await start({
    rates: STEEP,
    carry: { ...ROOMY, scale_up_slice_pct: 0.05, scale_up_cooldown_s: 60 },
  });
  const g1 = await entryGroup(fast);
  await fast.advance(62 * MIN);
  const s = await slicesOf(fast, g1.id);
  assert.equal(s.length, 2, "a minute apart, both within two minutes of the first chance");
  // 4000 x 0.5 x 0.05 = $100: one simB lot each
  for (const x of s) assert.equal(x.legs.find((l) => l.side === "buy")!.netLots, 1);
  await fast.stop();

  // max_position_usd caps the grown position: $300 + $200 = $500, then nothing fits
  const capped = await start({ rates: STEEP });
  const g2 = await entryGroup(capped);
  await capped.advance(75 * MIN);
  assert.equal((await slicesOf(capped, g2.id)).length, 1);
  assert.ok((capped.carry.scaleUps.slice_too_small ?? 0) > 0);
  await capped.stop();
});

test("max_pairs_with_scaleup: positions scaled up at once", async () => {
  const run = async (maxPairs: number) => {
    const h = await start({
      rates: STEEP,
      carry: { ...ROOMY, max_pairs_with_scaleup: maxPairs, pairs: BTC_ETH },
    });
    await h.advance(MIN);
    assert.equal((await h.groups()).length, 2, "BTC and ETH entered");
    h.prices.simA.BTC = 99_800;
    h.prices.simA.ETH = 3_493;
    await h.advance(62 * MIN);
    const scaled = [...h.carry.positions.values()].filter((p) => p.slices.length > 0).length;
    const refused = h.carry.scaleUps.max_pairs_with_scaleup ?? 0;
    await venuesMatchGroups(h);
    await h.stop();
    return { scaled, refused };
  };
  const one = await run(1);
  assert.equal(one.scaled, 1);
  assert.ok(one.refused > 0);
  const two = await run(2);
  assert.equal(two.scaled, 2);
  assert.equal(two.refused, 0);
});

test("scale-down: the yield falls below what the slices need; the newest slice closes with reason scale_down, the entry stays", async () => {
  const h = await start({ rates: STEEP, carry: ROOMY });
  const g = await entryGroup(h);
  await h.advance(61 * MIN);
  const [slice] = await slicesOf(h, g.id);
  assert.ok(slice, "scaled up once");
  h.setRate("simA", 0.0018); // 136 bps/8h: above 0.85 x 152 = 129.2, slices stay
  await h.advance(2 * MIN);
  assert.equal((await h.groups()).find((x) => x.id === slice.id)!.status, "open");
  h.setRate("simA", 0.0016); // 120 bps/8h < 129.2
  await h.advance(2 * MIN);
  const all = await h.groups();
  const down = all.filter((x) => x.closeReason === "scale_down");
  assert.ok(down.length >= 1, "a slice was scaled down");
  for (const x of down) assert.equal(x.meta.scaleUpOf, g.id);
  assert.match(String(down[0].detail), /yield 120\.0 bps\/8h < 129\.2/);
  assert.equal(all.find((x) => x.id === g.id)!.status, "open", "the entry's group stays");
  const p = h.carry.positions.get(g.id)!;
  assert.equal(p.slices.length, 0);
  assert.ok(Math.abs(p.long.qty - 0.003) < 1e-12, `back to the entry's quantity: ${p.long.qty}`);
  assert.ok(Math.abs(p.ledgers.long.qty - 0.003) < 1e-12);
  assert.ok(Math.abs(p.sizeUsd - p.initialSizeUsd) < 1e-6);
  assert.ok(Number.isFinite(p.bankedUsd) && p.bankedUsd !== 0, "the slice's result is banked in the MTM");
  assert.deepEqual(await venuesMatchGroups(h), { "simA:BTC": -300, "simB:BTCUSDT": 3 });
  await h.stop();
});

test("a full exit closes the entry and every slice with the exit's reason", async () => {
  const h = await start({ rates: STEEP, carry: ROOMY });
  const g = await entryGroup(h);
  await h.advance(61 * MIN);
  assert.equal((await slicesOf(h, g.id)).length, 1);
  // the differential flips; the position is in profit, so exit 3 (low yield) is the first match
  h.setRate("simA", 0.0001);
  h.setRate("simB", 0.002);
  await h.advance(3 * MIN);
  const gs = (await h.groups()).filter((x) => x.id === g.id || x.meta.scaleUpOf === g.id);
  assert.equal(gs.length, 2);
  for (const x of gs) {
    assert.equal(x.status, "closed");
    assert.equal(x.closeReason, "low_yield");
  }
  assert.ok(!h.carry.positions.has(g.id));
  await venuesMatchGroups(h);
  await h.stop();
});

test("optimisation: at the total cap a better candidate replaces the worst position, gated by optimization_buffer_bps and rebalance_min_profit_bps", async () => {
  const run = async (keys: Partial<NonNullable<CarryHarnessOptions["carry"]>>) => {
    // one position fills the cap: E 4000 x 0.1 = $400
    const h = await start({
      rates: { simA: 0.0015 }, // BTC 112 bps/8h
      carry: {
        max_carry_total_alloc_pct: 0.1,
        max_symbol_alloc_pct: 0.1,
        carry_alloc_pct: 1,
        max_scale_ups: 0,
        pairs: BTC_ETH,
        ...keys,
      },
    });
    // ETH pays the same on both venues: nothing to collect yet
    h.venues.simA.feed({
      type: "funding",
      venue: "simA",
      symbol: "ETH",
      ts: h.clock.now(),
      ratePerHour: 0.0001,
    });
    await h.advance(MIN);
    const [btc] = await h.groups();
    assert.equal(btc.meta.base, "BTC");
    h.prices.simA.BTC = 99_500; // +50 bps on the short: MTM about +30 bps
    await h.advance(2 * MIN);
    // ETH now pays 0.4 %/h on simA: 312 bps/8h
    h.venues.simA.feed({
      type: "funding",
      venue: "simA",
      symbol: "ETH",
      ts: h.clock.now(),
      ratePerHour: 0.004,
    });
    await h.advance(3 * MIN);
    const gs = await h.groups();
    await h.stop();
    return { btc: gs.find((g) => g.id === btc.id)!, eth: gs.find((g) => g.meta.base === "ETH") };
  };
  const replaced = await run({});
  assert.equal(replaced.btc.status, "closed");
  assert.equal(replaced.btc.closeReason, "optimization");
  assert.match(String(replaced.btc.detail), /replaced by ETH simB>simA/);
  assert.equal(replaced.eth?.status, "open", "the candidate entered once the cap had room");
  const notProfitable = await run({ rebalance_min_profit_bps: 100 });
  assert.equal(notProfitable.btc.status, "open", "its MTM is below rebalance_min_profit_bps");
  assert.equal(notProfitable.eth, undefined);
  const notBeaten = await run({ optimization_buffer_bps: 500 });
  assert.equal(notBeaten.btc.status, "open", "the candidate does not beat it by optimization_buffer_bps");
});

test("predicted funding ranks entries: the venue's forecast, where it publishes one, decides", async () => {
  const run = async (predict: boolean) => {
    const h = await start({
      carry: {
        max_carry_total_alloc_pct: 0.1,
        max_symbol_alloc_pct: 0.1,
        carry_alloc_pct: 1,
        pairs: BTC_ETH,
      },
      rates: { simA: 0.002 },
    });
    // in force: BTC 152 bps/8h beats ETH 72; forecast: BTC's next settlement pays 0.08 %/h, ETH's 0.3 %/h
    h.venues.simA.feed({
      type: "funding",
      venue: "simA",
      symbol: "ETH",
      ts: h.clock.now(),
      ratePerHour: 0.001,
    });
    if (predict) {
      h.venues.simA.predictFunding("BTC", 0.0008);
      h.venues.simA.predictFunding("ETH", 0.003);
    }
    await h.advance(MIN);
    const gs = await h.groups();
    await h.stop();
    assert.equal(gs.length, 1, "the cap leaves room for one");
    return gs[0];
  };
  const current = await run(false);
  assert.equal(current.meta.base, "BTC");
  assert.deepEqual(current.meta.predicted, [false, false]);
  const forecast = await run(true);
  assert.equal(forecast.meta.base, "ETH");
  assert.ok(Math.abs(Number(forecast.meta.entryYieldBps) - (0.003 - 0.0001) * 8e4) < 1e-6);
  assert.deepEqual(forecast.meta.predicted, [false, true], "simB publishes none: its rate in force");
});

test("edge_decay_ratio: an edge that decayed between detection and entry starts its confirmations over", async () => {
  const run = async (ratio: number) => {
    const h = await start({ rates: STEEP, carry: { edge_decay_ratio: ratio } });
    // the scan at start sees no rate print yet (stale_rate); the one at 15 s detects ~133 bps net
    await h.advance(16_000);
    assert.equal(h.carry.confirms.size, 1);
    h.setRate("simA", 0.0015); // now ~93: 0.70 of it
    await h.advance(15_000); // the confirming scan
    const gs = await h.groups();
    const decayed = h.carry.rejections.edge_decayed ?? 0;
    await h.stop();
    return { groups: gs.length, decayed };
  };
  assert.deepEqual(await run(0.8), { groups: 0, decayed: 1 });
  assert.deepEqual(await run(0.6), { groups: 1, decayed: 0 });
});

test("a scaled position survives a restart: its slices, merged legs and ledger resume, and its exit closes them all", async () => {
  const h = await start({ rates: STEEP, carry: ROOMY });
  const g = await entryGroup(h);
  await h.advance(61 * MIN);
  const before = h.carry.positions.get(g.id)!;
  assert.equal(before.slices.length, 1);
  const { dir, clock } = h;
  await h.stop();
  const again = await start({ dir, clock, rates: STEEP, carry: ROOMY });
  const p = again.carry.positions.get(g.id);
  assert.ok(p, "the position is back");
  assert.deepEqual(
    p.slices.map((s) => s.groupId),
    before.slices.map((s) => s.groupId),
  );
  assert.equal(p.long.qty, before.long.qty);
  assert.equal(p.ledgers.long.qty, before.ledgers.long.qty);
  assert.equal(p.sizeUsd, before.sizeUsd);
  // what the checks keep apart from the rest (serialiseParts' watched text) is back too
  for (const k of [
    "peakBps",
    "lastMtmUsd",
    "lastMtmBps",
    "lastCy",
    "missingBboChecks",
    "spikeUntil",
  ] as const)
    assert.equal(p[k], Number.isFinite(before[k]) ? before[k] : null, k);
  assert.deepEqual(p.samples, before.samples);
  assert.equal(p.ledgers.long.estimatedUsd, before.ledgers.long.estimatedUsd);
  assert.equal(p.ledgers.short.settledUsd, before.ledgers.short.settledUsd);
  assert.equal(again.carry.positions.size, 1, "the slice is not a position of its own");
  again.setRate("simA", 0.0001);
  again.setRate("simB", 0.002);
  await again.advance(3 * MIN);
  const gs = (await again.groups()).filter((x) => x.id === g.id || x.meta.scaleUpOf === g.id);
  assert.deepEqual(
    gs.map((x) => x.status),
    ["closed", "closed"],
  );
  // (a re-entry the other way round may follow: the venues hold exactly what active groups hold)
  await venuesMatchGroups(again);
  await again.stop();
});

test("stress: after three entries in an hour mostly ended unhedged, the next entry is halved", async () => {
  let refuse = true;
  const wrap = (id: string, v: Venue): Venue =>
    id !== "simA" ? v : new RefusingEntries(v, () => refuse, "insufficient_margin");
  const lines: string[] = [];
  const h = await start({
    rates: STEEP,
    wrapVenue: wrap as CarryHarnessOptions["wrapVenue"],
    log: (_i, _l, m) => lines.push(m),
  });
  // each failed entry cools the base down for entry_failure_cooldown_minutes (5)
  await h.advance(16 * MIN);
  const failed = (await h.groups()).filter((g) => g.status === "failed");
  assert.equal(failed.length, 3, "three refused entries");
  refuse = false;
  await h.advance(6 * MIN);
  const open = (await h.groups()).find((g) => g.status === "open");
  assert.ok(open, "the fourth entry went through");
  // unstressed: $300 = 3 simB lots; halved: $150 = 1 lot
  assert.equal(open.legs.find((l) => l.side === "buy")!.netLots, 1);
  assert.ok(lines.some((m) => /entries halved: 0 of 3 entries in the last hour ended hedged/.test(m)));
  await h.stop();
});

test("a held slice whose group is found closed at start (a scale-down cut short) is taken out of its position", async () => {
  const h = await start({ rates: STEEP, carry: ROOMY });
  const g = await entryGroup(h);
  await h.advance(61 * MIN);
  const [slice] = await slicesOf(h, g.id);
  assert.ok(slice);
  const { dir, clock } = h;
  await h.stop();
  const again = await start({ dir, clock, rates: STEEP, carry: ROOMY });
  await again.advance(1_000);
  const p = again.carry.positions.get(g.id)!;
  assert.equal(p.slices.length, 1);
  // as if the process died between the slice's close and carry's bookkeeping: close it on the
  // engine behind carry's back, then start again
  await again.clock.drive(again.node.engine.closeGroup(slice.id, "scale_down", "by hand"));
  const { dir: d2, clock: c2 } = again;
  await again.stop();
  const third = await start({ dir: d2, clock: c2, rates: STEEP, carry: ROOMY });
  await third.advance(1_000);
  const q = third.carry.positions.get(g.id)!;
  assert.equal(q.slices.length, 0, "the closed slice left the position");
  assert.ok(Math.abs(q.long.qty - 0.003) < 1e-12, String(q.long.qty));
  assert.ok(Math.abs(q.sizeUsd - q.initialSizeUsd) < 1e-6);
  assert.deepEqual(await venuesMatchGroups(third), { "simA:BTC": -300, "simB:BTCUSDT": 3 });
  await third.stop();
});
