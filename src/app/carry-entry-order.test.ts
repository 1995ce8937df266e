import assert from "node:assert/strict";
import { after, test } from "node:test";
import { type CarryHarness, carryStarter } from "../testing/carry-harness.ts";

// STRATEGIES.md 1.1 "Entry": the thinner leg first, the other for what it filled

const start = carryStarter(after);

/** Run until the default entry (long simB, short simA) opens; its group and entry orders. */
async function entry(thinB: boolean) {
  const h = await start({ carry: { max_scale_ups: 0 } });
  // simB's levels $200 each (still past the 5-level depth gate at this size), simA's $5,000,000
  if (thinB) h.levelUsd.simB = 200;
  await h.advance(60_000);
  const gs = await h.groups();
  assert.equal(gs.length, 1, "one carry group");
  assert.equal(gs[0].status, "open");
  const orders = (await h.store.orders.ofGroups([gs[0].id])).filter((o) => o.purpose === "entry");
  await h.stop();
  return { g: gs[0], orders };
}

test("carry entry: the leg on the thin book goes first, the other after it ended", async () => {
  const { g, orders } = await entry(true);
  const long = g.legs.find((l) => l.side === "buy")!;
  assert.equal(long.venue, "simB");
  assert.equal(g.meta.firstLeg, "long", "simB's book is the thinner");
  assert.equal(g.sequenceFirst, long.legIndex);
  const first = orders.filter((o) => o.legIndex === long.legIndex);
  const hedge = orders.filter((o) => o.legIndex !== long.legIndex);
  assert.ok(first.length > 0 && hedge.length > 0);
  const firstEnded = Math.max(...first.map((o) => o.updatedAt));
  assert.ok(
    hedge.every((o) => o.createdAt >= firstEnded),
    `hedge sent at ${hedge.map((o) => o.createdAt)}, the first leg ended at ${firstEnded}`,
  );
});

test("carry entry: equal books, the first venue by name goes first (simA, the short)", async () => {
  const { g } = await entry(false);
  const short = g.legs.find((l) => l.side === "sell")!;
  assert.equal(short.venue, "simA");
  assert.equal(g.meta.firstLeg, "short");
  assert.equal(g.sequenceFirst, short.legIndex);
});

test("carry entry: the hedge's book moved against the entry after the first leg, the hedge is not sent (edge_decayed)", async () => {
  let moved = false;
  const box: { h?: CarryHarness } = {};
  const h = await start({
    carry: { max_scale_ups: 0 },
    log: (_instance, _level, msg) => {
      // the decision is made and the entry about to go: simA's bids (the short's hedge, simB
      // being the thinner leg) drop 1 %, more than the entry's net edge
      const hh = box.h;
      if (moved || hh === undefined || !msg.startsWith("carry entry ")) return;
      moved = true;
      hh.prices.simA.BTC = 99_000;
      const inst = hh.venues.simA.instrument("BTC");
      const bid = inst.roundPrice(99_000, "sell", "down");
      const px = (t: number) => inst.priceValue(t);
      hh.venues.simA.feed({
        type: "book",
        venue: "simA",
        symbol: "BTC",
        ts: hh.clock.now(),
        snapshot: true,
        bids: Array.from({ length: 10 }, (_, i) => ({ price: px(bid - i), size: 50 })),
        asks: Array.from({ length: 10 }, (_, i) => ({ price: px(bid + 1 + i), size: 50 })),
      });
    },
  });
  box.h = h;
  h.levelUsd.simB = 200;
  await h.advance(60_000);
  assert.ok(moved, "an entry was decided");
  const g = (await h.groups()).sort((a, b) => a.createdAt - b.createdAt)[0];
  assert.equal(g.status, "failed", JSON.stringify({ status: g.status, detail: g.detail }));
  assert.equal(g.failureReason, "edge_decayed", g.detail ?? "");
  assert.equal(g.meta.firstLeg, "long");
  const orders = await h.store.orders.ofGroups([g.id]);
  assert.ok(orders.length > 0);
  assert.ok(
    orders.every((o) => o.venue === "simB"),
    `only the first leg traded: ${orders.map((o) => `${o.venue} ${o.purpose}`)}`,
  );
  assert.deepEqual([...new Set(orders.map((o) => o.purpose))].sort(), ["entry", "unwind"]);
  assert.deepEqual(
    Object.entries(await h.positions()).filter(([, v]) => v !== 0),
    [],
    "flat on both venues",
  );
  await h.stop();
});
