import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { usd } from "../../core/money.ts";
import { feedBook, feedMark, fillsOf, flush, harness, order, T0 } from "../../testing/sim.ts";
import { catalogInstruments } from "./catalog.ts";
import { simStateWritable } from "./sqlite-store.ts";

const dir = mkdtempSync(join(tmpdir(), "perpbot-sim-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;

test("a restart on the same SQLite file keeps balances, positions, resting orders, sinks and the funding clock", async () => {
  const dbPath = join(dir, "restart.sqlite");
  const clock = new SimClock(T0 + 10 * 60_000);
  const first = harness({ dbPath }, clock);
  const btc = first.venue.instrument("BTC");
  first.venue.deposit("alice", usd(50_000));
  first.venue.deposit("bob", usd(20_000));
  first.venue.feed({ type: "funding", venue: "simA", symbol: "BTC", ts: clock.now(), ratePerHour: 0.0001 });
  feedBook(first.venue, btc, 60_000, 1);
  feedMark(first.venue, btc, 60_000);
  await first.venue.setLeverage("alice", "BTC", 5, "isolated");
  await first.venue.submit(order("BTC", "buy", 60_001, 2000, { account: "alice" }));
  await first.venue.submit(
    order("BTC", "sell", 61_000, 1000, { account: "alice", tif: "gtc", clientOrderId: "tp" }),
  );
  await first.venue.submit(order("BTC", "sell", 60_000, 500, { account: "bob" }));
  await clock.runUntil(T0 + HOUR + 1); // one settlement
  const before = {
    snapshot: first.venue.snapshot(),
    positions: await first.venue.positions("alice"),
    open: await first.venue.openOrders("alice"),
    alice: await first.venue.accountState("alice"),
    fills: await first.venue.fills("alice"),
    funding: await first.venue.fundingPayments("alice"),
  };
  assert.equal(before.funding.length, 1);
  first.venue.close();

  const second = harness({ dbPath }, clock);
  assert.equal(second.venue.snapshot(), before.snapshot);
  assert.deepEqual(await second.venue.positions("alice"), before.positions);
  assert.deepEqual(await second.venue.openOrders("alice"), before.open);
  assert.deepEqual(await second.venue.accountState("alice"), before.alice);
  assert.deepEqual(await second.venue.fills("alice"), before.fills);
  assert.deepEqual(await second.venue.fundingPayments("alice"), before.funding);
  assert.equal(second.venue.conservationResidual(), 0n);
  assert.equal((await second.venue.orderStatus("alice", before.fills[0].clientOrderId))?.status, "filled");
  // the resting take-profit still works after the restart
  feedBook(second.venue, btc, 61_000, 1, 5, 61_001);
  await flush();
  assert.deepEqual(
    fillsOf(second.events).map((f) => [f.clientOrderId, f.priceTicks, f.liquidity]),
    [["tp", 61_000, "maker"]],
  );
  // the funding clock carries on: the next boundary settles once, not twice
  await clock.runUntil(T0 + 2 * HOUR + 1);
  assert.equal((await second.venue.fundingPayments("alice")).length, 2);
  // the same client order id is still a duplicate after the restart
  await assert.rejects(
    second.venue.submit(order("BTC", "buy", 61_001, 100, { account: "alice", clientOrderId: "tp" })),
    /already used/,
  );
  second.venue.close();
});

test("boundaries passed while the process was down are settled at restart", async () => {
  const dbPath = join(dir, "catchup.sqlite");
  const clock = new SimClock(T0);
  const first = harness({ dbPath }, clock);
  const btc = first.venue.instrument("BTC");
  first.venue.deposit("alice", usd(50_000));
  first.venue.feed({ type: "funding", venue: "simA", symbol: "BTC", ts: T0, ratePerHour: 0.0001 });
  feedBook(first.venue, btc, 60_000, 1);
  feedMark(first.venue, btc, 60_000);
  await first.venue.submit(order("BTC", "buy", 60_001, 10_000));
  first.venue.close();
  await clock.runUntil(T0 + 3 * HOUR + 5); // down for three boundaries
  const second = harness({ dbPath }, clock);
  const paid = await second.venue.fundingPayments("alice");
  assert.deepEqual(
    paid.map((p) => [(p.ts - T0) / HOUR, p.amount]),
    [
      [1, -usd(0.6)],
      [2, -usd(0.6)],
      [3, -usd(0.6)],
    ],
  );
  second.venue.close();
});

test("continuous funding: the steps passed while the process was down are settled at restart, each for its own length", async () => {
  const dbPath = join(dir, "continuous.sqlite");
  const clock = new SimClock(T0);
  const continuousFunding = { stepMs: 60_000 };
  const first = harness({ dbPath, continuousFunding }, clock);
  const btc = first.venue.instrument("BTC");
  first.venue.deposit("alice", usd(50_000));
  first.venue.feed({ type: "funding", venue: "simA", symbol: "BTC", ts: T0, ratePerHour: 0.0006 });
  feedBook(first.venue, btc, 60_000, 1);
  feedMark(first.venue, btc, 60_000);
  await first.venue.submit(order("BTC", "buy", 60_001, 10_000)); // 0.1 BTC
  await clock.runUntil(T0 + 2 * 60_000);
  first.venue.close();
  await clock.runUntil(T0 + 5 * 60_000 + 5); // down for three steps
  const second = harness({ dbPath, continuousFunding }, clock);
  const paid = await second.venue.fundingPayments("alice");
  // 0.1 x 60000 x 0.0006 x 1 min / 60 min = 0.06 a step, once per step
  assert.deepEqual(
    paid.map((p) => [(p.ts - T0) / 60_000, p.amount]),
    [1, 2, 3, 4, 5].map((m) => [m, -usd(0.06)]),
  );
  second.venue.close();
});

test("two venues share one file without seeing each other's state", async () => {
  const dbPath = join(dir, "shared.sqlite");
  const clock = new SimClock(T0);
  const a = harness({ dbPath }, clock);
  const b = harness({ dbPath, id: "simB", instruments: catalogInstruments("simB") }, clock);
  a.venue.deposit("alice", usd(100));
  b.venue.deposit("alice", usd(200));
  a.venue.close();
  b.venue.close();
  const a2 = harness({ dbPath }, clock);
  const b2 = harness({ dbPath, id: "simB", instruments: catalogInstruments("simB") }, clock);
  assert.equal(a2.venue.cashOf("alice"), usd(100));
  assert.equal(b2.venue.cashOf("alice"), usd(200));
  a2.venue.close();
  b2.venue.close();
});

test("a second SimVenue on the same file takes the venue over: the stale copy saves nothing more", async () => {
  const dbPath = join(dir, "taken.sqlite");
  const clock = new SimClock(T0);
  const failures: Error[] = [];
  const stale = harness({ dbPath, latencyMs: 5, onStoreFailure: (e) => failures.push(e) }, clock);
  const btc = stale.venue.instrument("BTC");
  stale.venue.deposit("alice", usd(50_000));
  feedBook(stale.venue, btc, 60_000, 1);
  // a request on its way when the process paused; another copy opens the file meanwhile
  const inFlight = assert.rejects(
    stale.venue.submit(order("BTC", "buy", 60_001, 1000, { clientOrderId: "late" })),
    /opened again by another SimVenue .*this copy is stale/,
  );
  const fresh = harness({ dbPath }, clock);
  assert.equal(fresh.venue.cashOf("alice"), usd(50_000));
  feedBook(fresh.venue, fresh.venue.instrument("BTC"), 60_000, 1);
  await fresh.venue.submit(order("BTC", "buy", 60_001, 500, { clientOrderId: "mine" }));
  // the paused copy resumes: its request reaches its (stale) exchange, which may not save it
  await clock.advance(5);
  await inFlight;
  feedBook(stale.venue, btc, 60_000, 1);
  assert.ok(failures.length >= 1 && failures.every((e) => /this copy is stale/.test(e.message)));
  const down = assert.rejects(stale.venue.positions("alice"), /venue down/);
  await clock.advance(5);
  await down;
  const fills = (await fresh.venue.fills("alice")).map((f) => [f.clientOrderId, f.fillId]);
  stale.venue.close();
  fresh.venue.close();
  // the file holds the fresh copy's state alone, and a third opening carries on from it
  const third = harness({ dbPath }, clock);
  assert.deepEqual(
    (await third.venue.fills("alice")).map((f) => [f.clientOrderId, f.fillId]),
    fills,
  );
  assert.equal(await third.venue.orderStatus("alice", "late"), undefined);
  assert.equal(third.venue.conservationResidual(), 0n);
  third.venue.close();
});

test("simStateWritable waits for another connection's write lock without blocking the event loop", async () => {
  const dbPath = join(dir, "locked.sqlite");
  harness({ dbPath }).venue.close();
  const other = new DatabaseSync(dbPath);
  other.exec("BEGIN IMMEDIATE"); // a process paused inside a commit
  let released = false;
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  setTimeout(() => {
    released = true;
    other.exec("COMMIT");
  }, 150);
  const release = await simStateWritable(dbPath, 10_000, 10);
  clearInterval(ticker);
  assert.equal(released, true, "resolved only once the lock was released");
  assert.ok(ticks > 3, `the event loop ran meanwhile (${ticks} ticks)`);
  other.close();
  // the check's connection stays open until released: the venue opened meanwhile is not its
  // file's first connection, and the check's close is not its last (no checkpoint on the way)
  const venue = harness({ dbPath }).venue;
  release();
  release(); // twice is harmless
  venue.close();
  // no file yet: at once
  (await simStateWritable(join(dir, "none.sqlite")))();
});
