import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Venue } from "../core/venue.ts";
import { storeInternals } from "../store/store.ts";
import { CarryHarness, type CarryHarnessOptions, carryStarter } from "../testing/carry-harness.ts";
import { RefusingEntries } from "../testing/refusing-venue.ts";

const start = carryStarter(after);
const MIN = 60_000;
const HOUR = 3_600_000;

/** After `withinMs`, the first group closed with `reason` (CarryHarness.closedWith's checks). */
async function closedWith(h: CarryHarness, reason: string, withinMs: number) {
  await h.advance(withinMs);
  return h.closedWith((await h.groups())[0].id, reason);
}

test("entry on a funding differential: long the lower rate, short the higher, after the confirmations", async () => {
  // the entry alone: no scale-up after its first hour (carry-scale.test.ts has those)
  const h = await start({ carry: { max_scale_ups: 0 } });
  await h.advance(14_000);
  assert.equal((await h.groups()).length, 0, "one scan is not enough: required_confirms 2");
  const g = await h.opened();
  const buy = g.legs.find((l) => l.side === "buy")!;
  const sell = g.legs.find((l) => l.side === "sell")!;
  assert.equal(buy.venue, "simB", "long where funding is lower");
  assert.equal(sell.venue, "simA", "short where funding is higher");
  assert.ok(Math.abs(Number(g.meta.entryYieldBps) - 72) < 1e-6);
  const pos = await h.positions();
  assert.ok(pos["simB:BTCUSDT"] > 0 && pos["simA:BTC"] < 0);
  // same base quantity on both legs: 0.001 BTC on the coarser simB grid = 100 lots of simA
  assert.equal(pos["simB:BTCUSDT"], 1);
  assert.equal(pos["simA:BTC"], -100);
  // funding: simA (short, receives 0.1 %/h) settles every hour; the ledger takes the payments
  await h.advance(2 * HOUR);
  const p = h.carry.positions.get(g.id)!;
  assert.ok(
    p.ledgers.short.settledUsd > 0.19 && p.ledgers.short.settledUsd < 0.21,
    String(p.ledgers.short.settledUsd),
  );
  await h.stop();
});

test("time_limit: hold_max_hours", async () => {
  // a one-hour horizon needs a steep differential to pay for the round trip: 0.5 %/h vs 0.01 %/h
  const h = await start({
    carry: { hold_min_hours: 1, hold_max_hours: 1, min_funding_bps: 20 },
    rates: { simA: 0.005 },
  });
  await h.opened();
  await closedWith(h, "time_limit", HOUR);
  await h.stop();
});

test("liquidation_guard: a leg nearer its venue liquidation price than liquidation_close_pct", async () => {
  const h = await start();
  await h.opened();
  // the short (simA, 3x isolated) is about 33 % from liquidation; +20 % leaves about 11 %
  h.prices.simA.BTC = 120_000;
  h.prices.simB.BTC = 120_000;
  await closedWith(h, "liquidation_guard", 2 * MIN);
  await h.stop();
});

test("stale_data: a leg with no BBO for stale_exit_checks checks is closed once it can be", async () => {
  const h = await start();
  const g = await h.opened();
  h.empty.add("simB");
  await h.advance(7 * 30_000);
  // the decision was taken (the close is working); the book comes back and the close completes
  h.empty.delete("simB");
  const done = await closedWith(h, "stale_data", MIN);
  assert.equal(done.id, g.id);
  await h.stop();
});

test("stop_loss: the basis moves against the position past the tier's stop, after the grace", async () => {
  const h = await start();
  await h.opened();
  await h.advance(31 * MIN);
  h.prices.simA.BTC = 104_000; // the short leg loses 400 bps; the stop is at -200 (tier >= 60)
  await closedWith(h, "stop_loss", MIN);
  await h.stop();
});

test("trailing_stop: the MTM gives back more than the trail from its peak", async () => {
  const h = await start({
    carry: { high_yield_threshold_bps: 50, high_yield_tp_pct_initial: 0.05, mtm_tp_bps: 1000 },
  });
  await h.opened();
  await h.advance(31 * MIN);
  h.prices.simA.BTC = 98_300; // short gains ~170 bps: peak ~ +150 after fees
  await h.advance(MIN);
  assert.equal((await h.groups())[0].status, "open");
  h.prices.simA.BTC = 99_700; // back to ~ +10: below peak - 100
  await closedWith(h, "trailing_stop", MIN);
  await h.stop();
});

test("take_profit: the MTM beats the entry yield", async () => {
  const h = await start();
  await h.opened();
  h.prices.simA.BTC = 99_000; // short gains 100 bps, about 80 after fees: >= 72
  await closedWith(h, "take_profit", MIN);
  await h.stop();
});

test("low_yield: the differential fell below low_yield_exit_bps while the position is in profit", async () => {
  const h = await start();
  await h.opened();
  h.prices.simA.BTC = 99_500; // +50 bps before fees: in profit, below the entry yield
  h.setRate("simA", 0.0005); // 32 bps per 8 h
  await h.advance(25 * MIN);
  assert.equal((await h.groups())[0].status, "open", "not before half an hour");
  await closedWith(h, "low_yield", 6 * MIN);
  await h.stop();
});

test("reversal: the rates flip; two reversals block the base, and the block survives a restart", async () => {
  const h = await start();
  await h.opened();
  h.setRate("simA", 0.0001);
  h.setRate("simB", 0.001);
  await closedWith(h, "reversal", 6 * MIN);
  // the flipped differential is an entry the other way round; flip it back and reverse again
  await h.advance(MIN);
  const second = (await h.groups()).find((g) => g.status === "open");
  assert.ok(second, "re-entered the other way");
  assert.equal(second.legs.find((l) => l.side === "sell")!.venue, "simB");
  h.setRate("simA", 0.001);
  h.setRate("simB", 0.0001);
  await h.advance(6 * MIN);
  const all = await h.groups();
  assert.deepEqual(
    all.map((g) => g.closeReason),
    ["reversal", "reversal"],
  );
  assert.deepEqual(h.carry.view().blocked, ["BTC"]);
  await h.advance(5 * MIN);
  assert.equal((await h.groups()).length, 2, "blocked: no new entry");
  const dir = h.dir;
  const clock = h.clock;
  await h.stop();
  const again = await CarryHarness.start({ dir, clock });
  await again.advance(2 * MIN);
  assert.deepEqual(again.carry.view().blocked, ["BTC"], "the block is in the state slot");
  assert.equal((await again.groups()).length, 2);
  await again.stop();
});

test("loss blocklist: a realised loss above pnl_blocklist_usd blocks the base, across a restart, for pnl_blocklist_hours", async () => {
  // a small threshold and a short block, so one stop-loss trips it and the test sees it end
  const carry = { pnl_blocklist_usd: 1, pnl_blocklist_hours: 1, max_scale_ups: 0 };
  const h = await start({ carry });
  const g = await h.opened();
  await h.advance(31 * MIN);
  h.prices.simA.BTC = 104_000; // the short loses 400 bps of about $100: a loss of about $4
  await closedWith(h, "stop_loss", MIN);
  const closedAt = (await h.groups())[0].closedAt!;
  h.prices.simA.BTC = 100_000; // the differential is there to enter again
  assert.deepEqual(h.carry.view().blocked, ["BTC"]);
  const b = h.carry.blocks.blocked.BTC;
  assert.match(b.why, /^realised loss \$\d+\.\d\d$/);
  assert.equal(b.until, closedAt + HOUR, "blocked for pnl_blocklist_hours from the close");
  const dir = h.dir;
  const clock = h.clock;
  await h.stop();
  const again = await CarryHarness.start({ dir, clock, carry });
  // past forced_exit_cooldown_minutes (10) of the stop-loss: only the loss block keeps BTC out
  await again.advance(15 * MIN);
  assert.deepEqual(again.carry.view().blocked, ["BTC"], "the block is in the state slot");
  assert.ok((again.carry.rejections.blocked ?? 0) > 0, JSON.stringify(again.carry.rejections));
  assert.deepEqual(
    (await again.groups()).map((x) => x.id),
    [g.id],
    "no entry while blocked",
  );
  // the block ends pnl_blocklist_hours after the close: the base is entered again
  await again.advance(closedAt + HOUR - again.clock.now() + MIN);
  assert.deepEqual(again.carry.view().blocked, []);
  const next = (await again.groups()).filter((x) => x.id !== g.id);
  assert.deepEqual(
    next.map((x) => x.status),
    ["open"],
  );
  await again.stop();
});

test("fault: one leg rejected at entry leaves nothing unhedged and the group says so", async () => {
  const wrap = (id: string, v: Venue): Venue =>
    id !== "simA" ? v : new RefusingEntries(v, () => true, "insufficient_margin");
  const h = await start({ wrapVenue: wrap as CarryHarnessOptions["wrapVenue"] });
  await h.advance(MIN);
  const [g] = await h.groups();
  assert.equal(g.status, "failed");
  assert.equal(g.failureReason, "rejected");
  assert.deepEqual(await h.positions(), {}, "the filled leg was unwound");
  assert.ok(
    g.legs.every((l) => l.netLots === 0),
    "the record shows every leg flat",
  );
  assert.equal(h.carry.positions.size, 0);
  // the base cools down (entry_failure_cooldown_minutes) instead of retrying every scan
  assert.match(JSON.stringify(h.carry.blocks.cooldowns), /BTC/);
  assert.equal((await h.groups()).length, 1);
  await h.stop();
});

test("every check saves each held position's watched text, and its held text only when that changed, stamped at the check", async () => {
  const h = await start({ carry: { max_scale_ups: 0 } });
  const g = await h.opened();
  const { deserialise, serialise, serialiseParts } = await import("../strategies/carry/position.ts");
  const stamp = async (key: string) =>
    Number(
      (
        await storeInternals(h.store)
          .db.selectFrom("kv")
          .select("updated_at")
          .where("key", "=", key === "watch" ? "carry_a.watch" : `carry_a.${key}:${g.id}`)
          .executeTakeFirstOrThrow()
      ).updated_at,
    );
  let heldBefore: { text: string | undefined; at: number } | undefined;
  for (let k = 0; k < 3; k++) {
    // one MTM check (mtm_check_interval_s 30): its writes are the position the strategy holds
    await h.advance(30_000);
    const p = h.carry.positions.get(g.id)!;
    const parts = serialiseParts(p);
    const held = await h.store.kv.get(`carry_a.pos:${g.id}`);
    // every position's watched text in one object by group id
    const watched = JSON.parse((await h.store.kv.get("carry_a.watch"))!)[g.id];
    assert.equal(held, parts.held);
    assert.deepEqual(watched, JSON.parse(parts.watched));
    const back = deserialise(held!, watched);
    assert.deepEqual(JSON.parse(serialise(back)), JSON.parse(serialise(p)), "the two give the position back");
    assert.equal(back.samples.at(-1)?.ts, p.samples.at(-1)?.ts);
    assert.ok(h.clock.now() - (await stamp("watch")) < 30_000, "watched: written by the last check");
    // held: written at the entry, then again only when it changed (no settlement in these 90 s)
    const heldAt = await stamp("pos");
    if (heldBefore !== undefined && heldBefore.text === held)
      assert.equal(heldAt, heldBefore.at, "held: not rewritten");
    heldBefore = { text: held, at: heldAt };
  }
  assert.ok(h.clock.now() - heldBefore!.at >= 60_000, "the held text was last written before these checks");
  await h.stop();
});
