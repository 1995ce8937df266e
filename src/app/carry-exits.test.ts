import assert from "node:assert/strict";
import { after, test } from "node:test";
import { type CarryHarness, carryStarter } from "../testing/carry-harness.ts";

/**
 * The carry exit rules carry-scenarios.test.ts does not run on the simulated clock (STRATEGIES.md
 * 1.1 "Exits"; the pure decisions: src/strategies/carry/decisions.test.ts, keys.test.ts): each
 * scenario drives the market until the rule fires and reads the reason, and the detail that says
 * which rule it was, from the engine's group record. Also a position whose legs are closed
 * outside the bot (`closed_externally`, found by the reconciler).
 */

const start = carryStarter(after);
const MIN = 60_000;
/** simA 0.15 %/h vs simB 0.01 %/h: 112 bps per 8 h, above high_yield_threshold_bps (100) */
const HIGH = { simA: 0.0015 } as const;

async function stillOpen(h: CarryHarness, id: string, why: string) {
  const g = (await h.groups()).find((x) => x.id === id)!;
  assert.equal(g.status, "open", `${why} (closed ${g.closeReason}: ${g.detail})`);
}

/** The group closed with `reason` (CarryHarness.closedWith's checks), and carry let it go. */
async function closedWith(h: CarryHarness, id: string, reason: string) {
  const g = await h.closedWith(id, reason);
  assert.equal(h.carry.positions.has(id), false, "carry no longer holds the position");
  return g;
}

test("rule 5, high-yield take-profit: MTM at high_yield_tp_pct_initial (2 %) of size closes at once", async () => {
  const h = await start({ rates: HIGH, carry: { max_scale_ups: 0 } });
  const g = await h.opened();
  assert.ok(Number(g.meta.entryYieldBps) >= 100, String(g.meta.entryYieldBps));
  // the short (simA) gains 250 bps: about 230 after fees, past 2 % of size (and past the windfall,
  // which comes later in the order)
  h.prices.simA.BTC = 97_500;
  await h.advance(MIN);
  const done = await closedWith(h, g.id, "take_profit");
  assert.match(done.detail ?? "", /^MTM \$\d+\.\d\d >= 2 % of size$/);
  await h.stop();
});

test("rule 5, high-yield take-profit: after high_yield_tp_decay_hours the target is high_yield_tp_pct_after_decay (1 %)", async () => {
  const h = await start({ rates: HIGH, carry: { max_scale_ups: 0, high_yield_tp_decay_hours: 1 } });
  const g = await h.opened();
  // +130 bps on the short: the MTM sits between 1 % and 2 % of size (and below mtm_tp_bps 150)
  h.prices.simA.BTC = 98_700;
  await h.advance(50 * MIN);
  const p = h.carry.positions.get(g.id)!;
  assert.ok(p.lastMtmBps >= 100 && p.lastMtmBps < 150, `MTM ${p.lastMtmBps} bps`);
  await stillOpen(h, g.id, "below 2 % before the decay");
  await h.advance(11 * MIN);
  const done = await closedWith(h, g.id, "take_profit");
  assert.match(done.detail ?? "", /^MTM \$\d+\.\d\d >= 1 % of size$/);
  await h.stop();
});

test("rule 6, windfall: MTM above mtm_tp_bps below the high-yield target closes as take_profit", async () => {
  const h = await start({ rates: HIGH, carry: { max_scale_ups: 0 } });
  const g = await h.opened();
  // +180 bps on the short: about 160 after fees, above mtm_tp_bps (150), below 2 % of size
  h.prices.simA.BTC = 98_200;
  await h.advance(MIN);
  const done = await closedWith(h, g.id, "take_profit");
  const m = /^MTM (\d+\.\d) bps > 150$/.exec(done.detail ?? "");
  assert.ok(m, `the windfall rule's detail: ${done.detail}`);
  assert.ok(Number(m[1]) < 200, "below the high-yield target: rule 5 did not fire");
  await h.stop();
});

test("rule 8, reversal after hold_min_hours: a differential gone to zero closes once the minimum hold is up", async () => {
  // a one-hour horizon needs a steep differential to pay for the round trip (as time_limit's)
  const h = await start({
    rates: { simA: 0.005 },
    carry: { hold_min_hours: 1, min_funding_bps: 20, max_scale_ups: 0 },
  });
  const g = await h.opened();
  await h.advance(29 * MIN);
  // the rates meet (cy 0: not below -5, so no early reversal) and the basis moves a little
  // against the position (MTM below 0, so no low_yield exit)
  h.setRate("simA", 0.0001);
  h.setRate("simB", 0.0001);
  h.prices.simA.BTC = 100_500;
  await h.advance(25 * MIN);
  const p = h.carry.positions.get(g.id)!;
  assert.ok(p.lastMtmUsd < 0 && Math.abs(p.lastCy) < 1, `MTM $${p.lastMtmUsd}, cy ${p.lastCy}`);
  await stillOpen(h, g.id, "before hold_min_hours");
  await h.advance(10 * MIN);
  const done = await closedWith(h, g.id, "reversal");
  assert.match(done.detail ?? "", /^yield -?0\.0 bps\/8h < 1 after 1\.\d h$/);
  await h.stop();
});

test("a stale BBO defers a due liquidation_guard, which is forced after deferred_exit_max_s; the record says so", async () => {
  const h = await start({ carry: { max_scale_ups: 0 } });
  const g = await h.opened();
  h.frozen.add("simB"); // simB's book stops updating: every decision on the position is deferred
  // the short (simA, 3x isolated) is about 33 % from liquidation; +20 % leaves about 11 %
  h.prices.simA.BTC = 120_000;
  await h.advance(4 * MIN);
  await stillOpen(h, g.id, "deferred while simB's BBO is stale");
  assert.ok(h.carry.positions.get(g.id)!.deferredChecks > 0, "the deferred checks are counted");
  await h.advance(2 * MIN);
  const done = await closedWith(h, g.id, "liquidation_guard");
  assert.match(
    done.detail ?? "",
    /^a leg is \d+\.\d\d % from liquidation \(close below 15 %\); deferred 10 checks over 300 s for a stale BBO \(simB:BTCUSDT \d+\.\d s old\), forced past deferred_exit_max_s 300$/,
  );
  h.frozen.delete("simB");
  await h.stop();
});

test("closed_externally: both legs closed outside the bot; the reconciler closes the group and carry lets the position go", async () => {
  const h = await start({ carry: { max_scale_ups: 0 } });
  const g = await h.opened();
  // someone closes both legs by hand on the venues, reduce-only at the touch
  for (const [id, symbol] of [
    ["simA", "BTC"],
    ["simB", "BTCUSDT"],
  ] as const) {
    const lots = (await h.positions())[`${id}:${symbol}`];
    const side = lots > 0 ? "sell" : "buy";
    const inst = h.venues[id].instrument(symbol);
    await h.clock.drive(
      h.venues[id].submit({
        clientOrderId: `by-hand-${id}`,
        account: "c1",
        symbol,
        side,
        type: "limit",
        priceTicks: inst.roundPrice(100_000 * (side === "buy" ? 1.01 : 0.99), side, "down"),
        sizeLots: Math.abs(lots),
        tif: "ioc",
        reduceOnly: true,
      }),
    );
  }
  assert.deepEqual(await h.positions(), {}, "nothing left on the venues");
  await h.advance(MIN);
  const done = (await h.groups()).find((x) => x.id === g.id)!;
  assert.equal(done.status, "closed");
  assert.equal(done.closeReason, "closed_externally");
  assert.deepEqual(
    done.legs.map((l) => l.externalReason),
    ["closed_externally", "closed_externally"],
  );
  // carry counts the exit under the group's reason, keeps what it held, and holds it no more
  assert.equal(h.carry.positions.has(g.id), false, "the position was let go");
  assert.equal((h.carry.view().exits as Record<string, number>).closed_externally, 1);
  assert.ok(await h.store.kv.get(`carry_a.closed:${g.id}`), "kept as a closed position");
  // the base is free again: the differential still pays, so carry enters it anew
  await h.advance(MIN);
  const next = (await h.groups()).filter((x) => x.id !== g.id);
  assert.equal(next.length, 1, "a new entry on BTC");
  assert.equal(next[0].status, "open");
  await h.stop();
});
