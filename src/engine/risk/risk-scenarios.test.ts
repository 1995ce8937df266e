import assert from "node:assert/strict";
import { test } from "node:test";
import { usd } from "../../core/money.ts";
import { allFlat, makeWorld, pairLegs, positionLots } from "../../testing/engine.ts";

const IOC = { kind: "ioc", maxSlippageBps: 20 } as const;
const open = (id: string) => ({ groupId: id, strategy: "farm", entry: IOC, fillTimeoutMs: 5_000 });

test("kill switch on equity drawdown: REDUCING, every position on every venue flattened, alerted", async () => {
  const w = await makeWorld({
    depositUsd: 2_000,
    settings: { killSwitch: { maxDrawdownPct: 1, consecutiveDrops: 0 } },
  });
  try {
    assert.equal((await w.drive(w.engine.openGroup(pairLegs(), open("g-ks")))).ok, true);
    // an orphan on a third account: the kill switch takes it too
    await w.simA.submit({
      clientOrderId: "manual-1",
      account: "w3",
      symbol: "BTC",
      side: "buy",
      type: "limit",
      priceTicks: 60_100,
      sizeLots: 1_000,
      tif: "ioc",
      reduceOnly: false,
    });
    assert.equal(await positionLots(w.simA, "w3", "BTC"), 1_000);
    // BTC up 10% on simB only: the short there loses ~600 USD of ~16k, far past 1%
    w.mid.simB = 66_000;
    await w.advance(3_000);
    assert.equal(w.engine.tradingState, "REDUCING");
    assert.ok(w.alerts.some((a) => a.key === "engine.kill_switch" && a.severity === "emergency"));
    assert.ok(await allFlat(w), "every position on both venues is flat");
    const [g] = await w.engine.groups({ groupIds: ["g-ks"] });
    assert.equal(g.status, "closed");
    assert.equal(g.closeReason, "kill_switch");
    // and the state survives a restart
    await w.engine.stop();
    const again = await w.restart();
    assert.equal(again.tradingState, "REDUCING");
  } finally {
    await w.close();
  }
});

test("REDUCING refuses a new exposure and accepts a reduction", async () => {
  const w = await makeWorld();
  try {
    assert.equal((await w.drive(w.engine.openGroup(pairLegs(), open("g-r1")))).ok, true);
    await w.engine.setTradingState("REDUCING");
    const refused = await w.drive(
      w.engine.openGroup(
        pairLegs().map((l) => ({ ...l, account: l.account === "w1" ? "w3" : "w4" })),
        open("g-r2"),
      ),
    );
    assert.ok(
      !refused.ok && refused.reason === "risk_refused" && refused.detail.includes("reducing_only"),
      JSON.stringify(refused),
    );
    assert.equal(await positionLots(w.simA, "w3", "BTC"), 0, "nothing was sent");
    assert.equal(await positionLots(w.simB, "w4", "BTCUSDT"), 0);
    const closed = await w.drive(w.engine.closeGroup("g-r1", "manual"));
    assert.equal(closed.ok, true, JSON.stringify(closed));
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});

test("a stale book refuses a new exposure, but a close still goes through", async () => {
  const w = await makeWorld();
  try {
    assert.equal((await w.drive(w.engine.openGroup(pairLegs(), open("g-s1")))).ok, true);
    await w.clock.advance(2_000); // no book update for 2 s: older than max_book_age_ms 500
    const p = w.engine.openGroup(
      pairLegs().map((l) => ({ ...l, account: "w3" })),
      open("g-s2"),
    );
    await w.clock.advance(10);
    const refused = await p;
    assert.ok(
      !refused.ok && refused.reason === "risk_refused" && refused.detail.includes("stale_book"),
      JSON.stringify(refused),
    );
    assert.equal(refused.sent, false, "the gate refused before any order left");
    assert.equal((await w.simA.fills("w3")).length, 0, "nothing was sent");
    const [g2] = await w.engine.groups({ groupIds: ["g-s2"] });
    assert.equal(g2.status, "failed");
    assert.equal(g2.failureReason, "risk_refused");
    const closing = w.engine.closeGroup("g-s1", "manual");
    for (let i = 0; i < 100; i++) await w.clock.advance(50); // still no book update
    const closed = await closing;
    assert.equal(closed.ok, true, JSON.stringify(closed));
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});

test("max notional per instrument refuses an open that would exceed it", async () => {
  const w = await makeWorld({
    settings: { limits: { maxBookAgeMs: 500, maxNotionalPerInstrument: usd(5_000) } },
  });
  try {
    const out = await w.drive(w.engine.openGroup(pairLegs(), open("g-n")));
    assert.ok(
      !out.ok && out.reason === "risk_refused" && out.detail.includes("max_notional"),
      JSON.stringify(out),
    );
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});

test("venue down at the open: the outcome stays unknown until the venue answers, then the group fails flat", async () => {
  const w = await makeWorld();
  try {
    const upAt = w.clock.now() + 10_000;
    w.simA.goDown(upAt);
    const out = await w.drive(w.engine.openGroup(pairLegs(), open("g-u")));
    assert.ok(
      !out.ok && out.reason === "venue_unavailable" && out.status === "unwinding",
      JSON.stringify(out),
    );
    // what is known is unwound at once; the simA order stays unresolved until the venue answers
    assert.equal(await positionLots(w.simB, "w2", "BTCUSDT"), 0);
    const [during] = await w.engine.groups({ groupIds: ["g-u"] });
    assert.equal(during.status, "unwinding");
    await w.advance(upAt - w.clock.now() + 6_000, 100);
    const [g] = await w.engine.groups({ groupIds: ["g-u"] });
    assert.equal(g.status, "failed");
    assert.ok(await allFlat(w));
    const orders = (await w.store.orders.ofGroups(["g-u"])).filter((o) => o.venue === "simA");
    assert.equal(orders.length, 1, "no resend: the one simA order was proven absent, not retried");
    assert.equal(orders[0].status, "rejected");
    assert.equal(await w.simA.orderStatus("w1", orders[0].clientOrderId), undefined);
  } finally {
    await w.close();
  }
});
