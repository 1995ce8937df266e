import assert from "node:assert/strict";
import { test } from "node:test";
import type { FillRecord } from "../store/records.ts";
import { AnswerLossVenue, allFlat, makeWorld, pairLegs, positionLots } from "../testing/engine.ts";

const IOC = { kind: "ioc", maxSlippageBps: 20 } as const;

test("a hedged pair opens on both venues, is journaled, and closes flat", async () => {
  const w = await makeWorld();
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), { groupId: "g1", strategy: "farm", entry: IOC, fillTimeoutMs: 5_000 }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 10_000);
    assert.equal(await positionLots(w.simB, "w2", "BTCUSDT"), -100);
    const [rec] = await w.engine.groups({ groupIds: ["g1"] });
    assert.equal(rec.status, "open");
    assert.deepEqual(
      rec.legs.map((l) => [l.filledLots, l.netLots]),
      [
        [10_000, 10_000],
        [100, -100],
      ],
    );
    assert.ok(rec.legs[0].avgPrice >= 60_001 && rec.legs[0].avgPrice <= 60_001 * 1.002);
    assert.ok(rec.feesUsd > 0);
    const closed = await w.drive(w.engine.closeGroup("g1", "time_limit"));
    assert.equal(closed.ok, true, JSON.stringify(closed));
    assert.ok(await allFlat(w));
    const [after] = await w.engine.groups({ groupIds: ["g1"] });
    assert.equal(after.status, "closed");
    assert.equal(after.closeReason, "time_limit");
    assert.deepEqual(
      after.legs.map((l) => l.netLots),
      [0, 0],
    );
    assert.deepEqual(await w.store.integrityCheck(), []);
  } finally {
    await w.close();
  }
});

test("one leg rejected: the filled leg is unwound with reduce-only orders and the group fails flat", async () => {
  const w = await makeWorld({ faultsB: { rejectRate: 1 } });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-rej",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(out.ok, false);
    assert.ok(!out.ok && out.reason === "rejected" && out.status === "failed", JSON.stringify(out));
    assert.equal(out.sent, true, "the entries reached the venue before one was rejected");
    assert.ok(await allFlat(w));
    const fills = await w.simA.fills("w1");
    // the entry bought, the unwind sold the same lots, reduce-only
    assert.equal(
      fills.filter((f) => f.side === "buy").reduce((s, f) => s + f.sizeLots, 0),
      10_000,
    );
    assert.equal(
      fills.filter((f) => f.side === "sell").reduce((s, f) => s + f.sizeLots, 0),
      10_000,
    );
    const orders = await w.store.orders.ofGroups(["g-rej"]);
    assert.deepEqual(orders.map((o) => [o.purpose, o.status, o.reduceOnly ? 1 : 0]).sort(), [
      ["entry", "filled", 0],
      ["entry", "rejected", 0],
      ["unwind", "filled", 1],
    ]);
    const [rec] = await w.engine.groups({ groupIds: ["g-rej"] });
    assert.equal(rec.status, "failed");
    assert.equal(rec.failureReason, "rejected");
  } finally {
    await w.close();
  }
});

test("one leg partially filled: the other leg is trimmed to within one lot and the group opens hedged", async () => {
  const w = await makeWorld({ faultsA: { partialFillRate: 1 } });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-part",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    const long = w.simA.instrument("BTC").sizeValue(await positionLots(w.simA, "w1", "BTC"));
    const short = -w.simB.instrument("BTCUSDT").sizeValue(await positionLots(w.simB, "w2", "BTCUSDT"));
    assert.ok(long > 0 && long < 0.1, `the partial fill left ${long} BTC long`);
    // one lot of the coarser instrument (simB, 0.001 BTC) is the bound
    assert.ok(Math.abs(long - short) <= 0.001 + 1e-12, `imbalance ${long - short} BTC after the trim`);
    const trims = (await w.store.orders.allEngine()).filter((o) => o.purpose === "trim");
    assert.equal(trims.length, 1);
    assert.equal(trims[0].reduceOnly, true);
    assert.equal(trims[0].venue, "simB");
  } finally {
    await w.close();
  }
});

test("an answer lost on an order that filled (timeout, events on the stream): no second order", async () => {
  const w = await makeWorld({ faultsA: { timeoutRate: 1 } });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-lost",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    const fills = await w.simA.fills("w1");
    assert.equal(new Set(fills.map((f) => f.clientOrderId)).size, 1, "exactly one order reached simA");
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 10_000);
    const kinds = await eventKinds(w, "simA");
    assert.ok(kinds.includes("timeout"), kinds.join(","));
  } finally {
    await w.close();
  }
});

test("an acknowledgement and every event lost: orderStatus resolves it before anything is resent", async () => {
  const passedOn: FillRecord[] = [];
  const w = await makeWorld({
    wrapA: (v) => new AnswerLossVenue(v, 1),
    onFill: (f, meta) => {
      if (meta.purpose === "entry") passedOn.push(f);
    },
  });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-blind",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(out.ok && out.legs[0].filledLots, 10_000, "the fill is recognised from the status report");
    const fills = await w.simA.fills("w1");
    assert.equal(new Set(fills.map((f) => f.clientOrderId)).size, 1, "exactly one order reached simA");
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 10_000);
    assert.deepEqual(await eventKinds(w, "simA"), ["submit_sent", "timeout", "status_report"]);
    // the next reconcile pass reads the lost fill back from simA's fill history: the store has it
    // with the venue's fee, and the trade log's hook got it once
    await w.advance(2_000);
    assert.deepEqual(await eventKinds(w, "simA"), ["submit_sent", "timeout", "status_report", "fill"]);
    const stored = await w.store.fills.list({ account: "w1" });
    assert.deepEqual(
      stored.map((f) => [f.fillId, f.fee]),
      fills.map((f) => [f.fillId, f.fee]),
    );
    assert.deepEqual(
      passedOn.filter((f) => f.venue === "simA").map((f) => f.fillId),
      fills.map((f) => f.fillId),
    );
    // and the group closes from what the status report told us
    const closed = await w.drive(w.engine.closeGroup("g-blind", "manual"));
    assert.equal(closed.ok, true, JSON.stringify(closed));
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});

async function eventKinds(w: Awaited<ReturnType<typeof makeWorld>>, venue: string): Promise<string[]> {
  const entries = (await w.store.orders.allEngine()).filter(
    (o) => o.venue === venue && o.purpose === "entry",
  );
  return (await w.store.orderEvents.of(entries.map((o) => o.clientOrderId))).map((e) => e.kind);
}

test("venue down during an unwind: retried with alerts, the group stays unwinding until flat, then fails flat", async () => {
  const w = await makeWorld({ faultsB: { rejectRate: 1 }, settings: { closeMaxAttempts: 3 } });
  try {
    const downUntil = w.clock.now() + 20_000;
    w.simA.onEvent((e) => {
      if (e.type === "fill" && e.fill.account === "w1" && e.fill.side === "buy") w.simA.goDown(downUntil);
    });
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-down",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
      }),
    );
    assert.ok(!out.ok && out.reason === "rejected" && out.status === "unwinding", JSON.stringify(out));
    assert.ok(w.clock.now() < downUntil);
    const [rec] = await w.engine.groups({ groupIds: ["g-down"] });
    assert.equal(rec.status, "unwinding");
    assert.ok(w.alerts.some((a) => a.key === "engine.not_flat:g-down"));
    assert.equal(await w.drive(positionLotsWhenUp(w)), 10_000, "still exposed while the venue is down");
    // the reconciler keeps at it once the venue is back
    await w.advance(downUntil - w.clock.now() + 5_000, 100);
    const [after] = await w.engine.groups({ groupIds: ["g-down"] });
    assert.equal(after.status, "failed");
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});

/** The position once the venue answers again (used while it is down: waits, then reads). */
async function positionLotsWhenUp(w: Awaited<ReturnType<typeof makeWorld>>): Promise<number> {
  for (;;) {
    try {
      return await positionLots(w.simA, "w1", "BTC");
    } catch {
      await w.clock.sleep(1_000);
    }
  }
}

test("maker-first: post-only at the touch, then an IOC for what is left after the maker timeout", async () => {
  const w = await makeWorld();
  try {
    const entry = { kind: "maker_first", makerTimeoutMs: 2_000, maxSlippageBps: 20 } as const;
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), { groupId: "g-mk", strategy: "farm", entry, fillTimeoutMs: 10_000 }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    const orders = await w.store.orders.ofGroups(["g-mk"]);
    const a = orders.filter((o) => o.venue === "simA");
    assert.deepEqual(
      a.map((o) => [o.tif, o.status, o.attempt]),
      [
        ["post_only", "canceled", 0],
        ["ioc", "filled", 1],
      ],
    );
    // the post-only joined the best bid, 60000
    assert.equal(a[0].priceTicks, 60_000);
  } finally {
    await w.close();
  }
});
