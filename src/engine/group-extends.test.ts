import assert from "node:assert/strict";
import { test } from "node:test";
import { allFlat, makeWorld, pairLegs, positionLots } from "../testing/engine.ts";

const IOC = { kind: "ioc", maxSlippageBps: 20 } as const;
const o = (groupId: string, more: Record<string, unknown> = {}) => ({
  groupId,
  strategy: "carry",
  entry: IOC,
  fillTimeoutMs: 5_000,
  ...more,
});

test("a group that extends an open group of its strategy may add to its keys on the same side only", async () => {
  const w = await makeWorld();
  try {
    assert.equal((await w.drive(w.engine.openGroup(pairLegs(), o("g1")))).ok, true);
    const plain = await w.drive(w.engine.openGroup(pairLegs(), o("g2")));
    assert.equal(plain.ok, false);
    assert.match(plain.ok ? "" : plain.detail, /held by active group g1/);
    const other = await w.drive(w.engine.openGroup(pairLegs(), o("g3", { strategy: "farm", extends: "g1" })));
    assert.equal(other.ok, false, "another strategy's group is not extended");
    const flipped = pairLegs().map((l) => ({
      ...l,
      side: l.side === "buy" ? ("sell" as const) : ("buy" as const),
    }));
    const wrong = await w.drive(w.engine.openGroup(flipped, o("g4", { extends: "g1" })));
    assert.equal(wrong.ok, false);
    assert.match(wrong.ok ? "" : wrong.detail, /on the other side/);
    const more = await w.drive(w.engine.openGroup(pairLegs(), o("g5", { extends: "g1" })));
    assert.equal(more.ok, true, JSON.stringify(more));
    // a third one extends the first while the second holds the keys too
    assert.equal((await w.drive(w.engine.openGroup(pairLegs(), o("g6", { extends: "g1" })))).ok, true);
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 30_000);
    assert.equal(await positionLots(w.simB, "w2", "BTCUSDT"), -300);
    // each closes reduce-only on its own lots
    assert.equal((await w.drive(w.engine.closeGroup("g5", "manual"))).ok, true);
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 20_000);
    const [g1] = await w.engine.groups({ groupIds: ["g1"] });
    assert.equal(g1.status, "open");
    assert.equal((await w.drive(w.engine.closeGroup("g1", "manual"))).ok, true);
    assert.equal((await w.drive(w.engine.closeGroup("g6", "manual"))).ok, true);
    assert.ok(await allFlat(w));
  } finally {
    await w.close();
  }
});
