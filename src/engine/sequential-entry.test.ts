import assert from "node:assert/strict";
import { test } from "node:test";
import { allFlat, makeWorld, pairLegs, positionLots } from "../testing/engine.ts";

// STRATEGIES.md 1.1 "Entry": one leg first, then the other for what it filled.

const IOC = { kind: "ioc", maxSlippageBps: 20 } as const;

test("sequential entry: leg 1 goes only after leg 0 is done, for leg 0's partial fill in its own lots", async () => {
  // simA (0.00001 BTC lots) fills part of each IOC; simB's lot is 0.001 BTC
  const w = await makeWorld({ faultsA: { partialFillRate: 1 } });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-seq",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
        sequence: { first: 0 },
      }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    const orders = await w.store.orders.ofGroups(["g-seq"]);
    const a = orders.filter((o) => o.legIndex === 0 && o.purpose === "entry");
    const b = orders.filter((o) => o.legIndex === 1 && o.purpose === "entry");
    assert.equal(a.length, 1);
    assert.equal(b.length, 1);
    const filledA = a[0].filledLots;
    assert.ok(filledA > 0 && filledA < 10_000, `leg 0 filled part of its 10000 lots: ${filledA}`);
    // leg 1's order was created once leg 0's had ended, for leg 0's fill in simB lots
    assert.ok(
      b[0].createdAt >= a[0].updatedAt,
      `leg 1 sent at ${b[0].createdAt}, leg 0 ended ${a[0].updatedAt}`,
    );
    assert.equal(b[0].sizeLots, Math.round((filledA * 0.00001) / 0.001));
    assert.ok(b[0].sizeLots < 100, "not the leg's whole target");
    // no trim needed beyond the one-lot bound: the hedge was sized to the fill
    const long = w.simA.instrument("BTC").sizeValue(await positionLots(w.simA, "w1", "BTC"));
    const short = -w.simB.instrument("BTCUSDT").sizeValue(await positionLots(w.simB, "w2", "BTCUSDT"));
    assert.ok(Math.abs(long - short) <= 0.001 + 1e-12, `imbalance ${long - short} BTC`);
    const [rec] = await w.engine.groups({ groupIds: ["g-seq"] });
    assert.equal(rec.status, "open");
    assert.equal(rec.sequenceFirst, 0, "the journal says which leg went first");
  } finally {
    await w.close();
  }
});

test("sequential entry: the first leg fills nothing, the group fails flat and the other leg is never sent", async () => {
  const w = await makeWorld({ faultsB: { rejectRate: 1 } });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-none",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
        sequence: { first: 1 },
      }),
    );
    assert.ok(!out.ok && out.reason === "rejected" && out.status === "failed", JSON.stringify(out));
    assert.equal(out.sent, true, "the first leg's order reached the venue");
    const orders = await w.store.orders.ofGroups(["g-none"]);
    assert.deepEqual(
      orders.map((o) => [o.legIndex, o.purpose, o.status]),
      [[1, "entry", "rejected"]],
    );
    assert.equal((await w.simA.fills("w1")).length, 0, "nothing reached simA");
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});

test("sequential entry: beforeHedge says the edge is gone, the first leg is unwound (edge_decayed)", async () => {
  const w = await makeWorld();
  try {
    let asked = 0;
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-decay",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
        sequence: {
          first: 0,
          beforeHedge: (first) => {
            asked++;
            assert.equal(first.legIndex, 0);
            assert.equal(first.filledLots, 10_000, "asked with the first leg's fill");
            return false;
          },
        },
      }),
    );
    assert.ok(!out.ok && out.reason === "edge_decayed" && out.status === "failed", JSON.stringify(out));
    assert.equal(asked, 1);
    const orders = await w.store.orders.ofGroups(["g-decay"]);
    assert.deepEqual(orders.map((o) => [o.legIndex, o.purpose]).sort(), [
      [0, "entry"],
      [0, "unwind"],
    ]);
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});

test("sequential entry: a crash between the legs ends flat after the restart, the hedge never sent", async () => {
  const w = await makeWorld();
  try {
    let between = false;
    void w.engine.openGroup(pairLegs(), {
      groupId: "g-crash",
      strategy: "farm",
      entry: IOC,
      fillTimeoutMs: 5_000,
      sequence: {
        first: 0,
        // the process dies here: the hedge's decision never comes
        beforeHedge: () => {
          between = true;
          return new Promise<boolean>(() => {});
        },
      },
    });
    for (let i = 0; i < 100 && !between; i++) await w.advance(50);
    assert.ok(between, "leg 0 ended and the engine reached the hedge");
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 10_000, "leg 0 filled before the crash");
    const [before] = await w.engine.groups({ groupIds: ["g-crash"] });
    assert.equal(before.status, "opening");
    await w.restart();
    await w.advance(5_000);
    const [rec] = await w.engine.groups({ groupIds: ["g-crash"] });
    assert.equal(rec.status, "failed", JSON.stringify(rec));
    assert.equal(rec.failureReason, "not_filled");
    assert.match(rec.detail ?? "", /leg 1: never sent/);
    assert.equal(rec.sequenceFirst, 0);
    assert.ok(await allFlat(w), "leg 0 unwound after the restart");
    const orders = await w.store.orders.ofGroups(["g-crash"]);
    assert.ok(
      orders.every((o) => o.legIndex === 0),
      "the hedge was never sent",
    );
  } finally {
    await w.close();
  }
});

test("sequential entry: a bad first index is refused before anything is sent", async () => {
  const w = await makeWorld();
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-bad",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
        sequence: { first: 2 },
      }),
    );
    assert.ok(!out.ok && out.reason === "rejected" && !out.sent, JSON.stringify(out));
    assert.match(out.detail, /sequence\.first 2 must be a leg index from 0 to 1/);
  } finally {
    await w.close();
  }
});
