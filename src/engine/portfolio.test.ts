import assert from "node:assert/strict";
import { after, test } from "node:test";
import { makeWorld, pairLegs, type World } from "../testing/engine.ts";
import { EngineContext } from "./context.ts";

const worlds: World[] = [];
after(async () => {
  for (const w of worlds) await w.close();
});

async function world(settings = {}) {
  const w = await makeWorld({
    settings: { portfolioRefreshMs: 1_000, portfolioMaxAgeMs: 60_000, ...settings },
  });
  worlds.push(w);
  return w;
}

test("the portfolio follows fills at once and the venue's figures after the engine's next read", async () => {
  const w = await world();
  const p = w.engine.portfolio;
  // start read every managed account: equity known, no positions
  const before = p.account("simA", "w1");
  assert.ok(before && before.equityUsd > 99_000 && !before.stale);
  assert.equal(p.positions("simA", "w1").length, 0);
  const out = await w.drive(
    w.engine.openGroup(pairLegs(), {
      groupId: "g1",
      strategy: "s",
      entry: { kind: "ioc", maxSlippageBps: 50 },
      fillTimeoutMs: 5_000,
    }),
  );
  assert.ok(out.ok, JSON.stringify(out));
  // the fill moved the position before any read: size and entry from the fill, venue figures old
  const fromFill = p.position("simA", "w1", "BTC")!;
  assert.equal(fromFill.sizeLots, 10_000);
  assert.ok(fromFill.entryPrice > 59_000 && fromFill.entryPrice < 61_000);
  assert.equal(fromFill.stale, true);
  assert.equal(fromFill.liquidationPrice, null);
  assert.equal(p.account("simA", "w1")!.stale, true);
  // the refresh reads the touched accounts: the venue's own liquidation price and margin
  const reads = w.engine.refreshStats.accountsRead;
  await w.advance(1_500);
  assert.ok(w.engine.refreshStats.accountsRead > reads);
  const read = p.position("simA", "w1", "BTC")!;
  const venue = (await w.simA.positions("w1")).find((x) => x.symbol === "BTC")!;
  assert.equal(read.stale, false);
  assert.equal(read.sizeLots, venue.sizeLots);
  assert.equal(read.liquidationPrice, venue.liquidationPrice);
  assert.equal(read.entryPrice, venue.entryPrice);
  const acct = p.account("simA", "w1")!;
  const venueAcct = await w.simA.accountState("w1");
  assert.ok(Math.abs(acct.maintenanceMarginUsd - venueAcct.maintenanceMarginUsd) < 1e-6);
  // the mark moves unrealised PnL and equity without any read: the long gains when BTC rises
  const eq0 = p.account("simA", "w1")!.equityUsd;
  w.mid.simA = 61_000;
  w.refresh();
  w.simA.feed({
    type: "mark",
    venue: "simA",
    symbol: "BTC",
    ts: w.clock.now(),
    markPrice: 61_000,
    oraclePrice: 61_000,
  });
  assert.equal(p.position("simA", "w1", "BTC")!.markPrice, 61_000);
  assert.ok(p.position("simA", "w1", "BTC")!.unrealisedPnlUsd > 0);
  assert.ok(p.account("simA", "w1")!.equityUsd > eq0);
  // a close brings the position back to zero from the fills alone
  const closed = await w.drive(w.engine.closeGroup("g1", "manual"));
  assert.ok(closed.ok);
  assert.equal(p.position("simA", "w1", "BTC"), undefined);
  assert.equal(p.openOrders("simA", "w1").length, 0);
});

test("the engine journals funding payments itself", async () => {
  const w = await world();
  await w.drive(
    w.engine.openGroup(pairLegs(), {
      groupId: "g2",
      strategy: "s",
      entry: { kind: "ioc", maxSlippageBps: 50 },
      fillTimeoutMs: 5_000,
    }),
  );
  for (const v of [w.simA, w.simB])
    for (const inst of v.instruments())
      v.feed({ type: "funding", venue: v.id, symbol: inst.symbol, ts: w.clock.now(), ratePerHour: 0.0005 });
  await w.advance(3 * 3_600_000, 60_000);
  await w.engine.recordsSettled();
  const rows = await w.store.funding.list({});
  assert.ok(
    rows.some((r) => r.venue === "simA" && r.account === "w1"),
    `${rows.length} funding rows`,
  );
});

test("a context namespaces timers and state by instance, and refuses another instance's wallet", async () => {
  const w = await world();
  const ctx = (name: string, wallets: string[]) =>
    new EngineContext({
      engine: w.engine,
      store: w.store,
      venues: w.venues,
      clock: w.clock,
      spec: { name, kind: "farm", wallets, venues: ["simA", "simB"], seed: 1 },
    });
  const farm = ctx("farm", ["w1", "w2"]);
  const other = ctx("farm_b", ["w3", "w4"]);
  await farm.state.put("cooldown:w1", "123");
  // the legacy instance's keys are the ones the farm always wrote
  assert.equal(await w.store.kv.get("farm.cooldown:w1"), "123");
  assert.equal(await other.state.get("cooldown:w1"), undefined);
  const fired: string[] = [];
  farm.timers.on("close", (t) => {
    fired.push(`farm:${t.id}`);
  });
  other.timers.on("close", (t) => {
    fired.push(`farm_b:${t.id}`);
  });
  await farm.timers.schedule({
    id: "close:g9",
    kind: "close",
    dueAt: w.clock.now() + 1_000,
    payload: { groupId: "g9" },
  });
  await other.timers.schedule({
    id: "close:g9",
    kind: "close",
    dueAt: w.clock.now() + 2_000,
    payload: { groupId: "g9" },
  });
  await w.advance(3_000);
  assert.deepEqual(fired, ["farm:close:g9", "farm_b:close:g9"]);
  await assert.rejects(
    other.intents.openGroup(pairLegs(), {
      groupId: "x",
      entry: { kind: "ioc", maxSlippageBps: 50 },
      fillTimeoutMs: 5_000,
    }),
    /strategy farm_b: group x for wallet "w1", which is not one of its wallets/,
  );
  // single-order intents answer not_supported until the engine's are wired in
  const placed = await farm.intents.placeOrder({
    intentId: "i1",
    venue: "simA",
    account: "w1",
    symbol: "BTC",
    side: "buy",
    sizeLots: 1,
    priceTicks: 1,
    type: "limit",
    tif: "gtc",
    reduceOnly: false,
  });
  assert.equal(placed.ok, false);
});

test("a fill whose event was lost moves the position when the engine reads it from the fill history, before strategies hear of it; never twice", async () => {
  const w = await world();
  const p = w.engine.portfolio;
  const bid = w.simA.book("BTC").bestBidTicks()!;
  const placed = await w.drive(
    w.engine.placeOrder({
      strategy: "s",
      intentId: "rest",
      venue: "simA",
      account: "w1",
      symbol: "BTC",
      side: "buy",
      sizeLots: 1000,
      priceTicks: bid - 5,
      type: "limit",
      tif: "gtc",
      reduceOnly: false,
    }),
  );
  assert.ok(placed.ok, JSON.stringify(placed));
  // old enough for the engine's resting check (2 s), and read by the reconciler's last pass
  await w.advance(2_500);
  assert.equal(p.position("simA", "w1", "BTC"), undefined);
  const seen: (number | undefined)[] = [];
  w.engine.onOrderUpdate((u) => {
    if (u.event === "fill") seen.push(p.position("simA", "w1", "BTC")?.sizeLots);
  });
  w.simA.dropStream("account");
  w.mid.simA -= 50; // the market trades through the bid: it fills, and the fill event is lost
  w.refresh();
  await w.clock.advance(10);
  assert.equal((await w.simA.positions("w1")).find((x) => x.symbol === "BTC")?.sizeLots, 1000);
  assert.equal(p.position("simA", "w1", "BTC"), undefined, "no event, no position yet");
  // the next reconcile pass finds the order gone, asks its status and reads the fill history
  await w.advance(1_500);
  assert.deepEqual(seen, [1000], "the position the strategy reads holds the fill it is told of");
  assert.deepEqual(w.engine.orders({ openOnly: true }), [], "the order is no longer open in the engine");
  // later reads agree: the fill was counted once
  await w.advance(2_000);
  const read = p.position("simA", "w1", "BTC")!;
  assert.equal(read.sizeLots, 1000);
  assert.equal(read.stale, false);
  // a history fill the last read already holds (its time before the read) is not counted again,
  // nor one already applied; a newer one is
  const [fill] = await w.simA.fills("w1", 0);
  p.applyHistoryFill("simA", { ...fill, fillId: "older", ts: read.readAt - 1 });
  p.applyHistoryFill("simA", fill);
  assert.equal(p.position("simA", "w1", "BTC")!.sizeLots, 1000);
  p.applyHistoryFill("simA", { ...fill, fillId: "newer", sizeLots: 7, ts: read.readAt + 1 });
  assert.equal(p.position("simA", "w1", "BTC")!.sizeLots, 1007);
});
