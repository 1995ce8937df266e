import assert from "node:assert/strict";
import { test } from "node:test";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import { makeWorld, pairLegs } from "../../testing/engine.ts";
import { ForwardingVenue } from "../../testing/forwarding-venue.ts";
import type { SimVenue } from "../../venues/sim/sim-venue.ts";

/** simA as a venue with other capabilities: what a live connector would declare. */
class DeclaredVenue extends ForwardingVenue {
  private readonly caps: VenueCapabilities;
  constructor(inner: SimVenue, caps: Partial<VenueCapabilities>) {
    super(inner);
    this.caps = { ...inner.capabilities, ...caps };
  }
  override get capabilities(): VenueCapabilities {
    return this.caps;
  }
}

const IOC = { kind: "ioc", maxSlippageBps: 20 } as const;

test("client order ids are spelled in each venue's declared format, from the same intent", async () => {
  const w = await makeWorld({
    wrapA: (v) => new DeclaredVenue(v, { clientOrderId: { kind: "hex", bytes: 16, prefix: "0x" } }),
  });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-ids",
        strategy: "farm",
        entry: IOC,
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    const [a] = await w.simA.fills("w1");
    const [b] = await w.simB.fills("w2");
    assert.match(a.clientOrderId, /^0x[0-9a-f]{32}$/);
    assert.match(b.clientOrderId, /^pb[A-Za-z0-9_-]{30}$/);
  } finally {
    await w.close();
  }
});

test("post-only on a venue without it is refused before anything is sent, with the reason", async () => {
  const w = await makeWorld({ wrapA: (v) => new DeclaredVenue(v, { postOnly: false }) });
  try {
    const entry = { kind: "maker_first", makerTimeoutMs: 2_000, maxSlippageBps: 20 } as const;
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), { groupId: "g-po", strategy: "farm", entry, fillTimeoutMs: 10_000 }),
    );
    assert.equal(out.ok, false);
    assert.match(JSON.stringify(out), /unsupported: simA does not support post-only orders/);
    assert.deepEqual(await w.simA.fills("w1"), []);
    assert.deepEqual(await w.simA.openOrders("w1"), []);
  } finally {
    await w.close();
  }
});

test("a metered venue spaces the engine's orders by its rate budget, on the simulated clock", async () => {
  const gapBetweenEntryAndClose = async (metered: boolean) => {
    const caps: Partial<VenueCapabilities> = metered
      ? {
          rateLimits: [
            { scope: "ip", name: "rest", capacity: 1, refillPerSecond: 0.2, weights: { submit: 1 } },
          ],
        }
      : {};
    const w = await makeWorld({ wrapA: (v) => new DeclaredVenue(v, caps) });
    try {
      const opts = { groupId: "g-rl", strategy: "farm", entry: IOC, fillTimeoutMs: 30_000 };
      assert.equal((await w.drive(w.engine.openGroup(pairLegs(), opts))).ok, true);
      const closed = await w.drive(w.engine.closeGroup("g-rl", "time_limit"));
      assert.equal(closed.ok, true, JSON.stringify(closed));
      const fills = await w.simA.fills("w1");
      assert.equal(fills.length, 2);
      return fills[1].ts - fills[0].ts;
    } finally {
      await w.close();
    }
  };
  // one token per 5 s: the close waits for it; unmetered it goes at once
  assert.ok((await gapBetweenEntryAndClose(true)) >= 5_000);
  assert.ok((await gapBetweenEntryAndClose(false)) < 1_000);
});
