import assert from "node:assert/strict";
import { test } from "node:test";
import { makeWorld, pairLegs } from "../testing/engine.ts";
import type { OrderIntent } from "./executor.ts";

/**
 * A venue's word that a book stream went stale reaches the risk gate: while simA's BTC book
 * stream is dropped, new opens on simA:BTC are refused (the books the world feeds stay fresh, so
 * only the stream signal can refuse them), one warning is raised, and the recovery clears it
 * with an info. Other instruments and reductions are not held back.
 */

function buy(intentId: string, priceTicks: number, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    strategy: "maker",
    intentId,
    venue: "simA",
    account: "w1",
    symbol: "BTC",
    side: "buy",
    sizeLots: 1000,
    priceTicks,
    type: "limit",
    tif: "gtc",
    reduceOnly: false,
    ...over,
  };
}

test("a stale book stream refuses new opens on its instrument, alerts once, and recovery clears it", async () => {
  const w = await makeWorld();
  try {
    const stop = w.simA.subscribe({ symbol: "BTC", channel: "book" });
    const bid = () => w.simA.book("BTC").bestBidTicks()!;
    const streamAlerts = () => w.alerts.filter((a) => a.key.includes("book_stream"));

    w.simA.dropStream("book:BTC");
    await w.advance(200);
    const refused = await w.drive(w.engine.placeOrder(buy("during", bid() - 10)));
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, "risk_refused");
    assert.match(!refused.ok ? refused.detail : "", /stale_book.*book stream stale/);
    // a group with a leg on the stale instrument is refused too; the other venue is not held back
    const group = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-stale",
        strategy: "farm",
        entry: { kind: "ioc", maxSlippageBps: 50 },
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(group.ok, false, JSON.stringify(group));
    const other = await w.drive(
      w.engine.placeOrder(
        buy("other", w.simB.book("BTCUSDT").bestBidTicks()! - 10, {
          venue: "simB",
          symbol: "BTCUSDT",
          sizeLots: 10,
        }),
      ),
    );
    assert.equal(other.ok, true, JSON.stringify(other));
    // a second drop report changes nothing: one warning
    w.simA.dropStream("book:BTC");
    await w.advance(200);
    assert.deepEqual(
      streamAlerts().map((a) => [a.severity, a.key]),
      [["warning", "engine.book_stream_stale:simA:BTC"]],
    );

    w.simA.restoreStream("book:BTC");
    await w.advance(200);
    assert.deepEqual(
      streamAlerts().map((a) => a.severity),
      ["warning", "info"],
      "the recovery raises an info",
    );
    const placed = await w.drive(w.engine.placeOrder(buy("after", bid() - 10)));
    assert.equal(placed.ok, true, JSON.stringify(placed));
    stop();
  } finally {
    await w.close();
  }
});
