import assert from "node:assert/strict";
import { test } from "node:test";
import type { SimClock } from "../core/clock.ts";
import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type { OrderRequest } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import type { VenueCapabilities } from "../core/venue-capabilities.ts";
import { FAST, makeWorld, pairLegs, positionLots, type World } from "../testing/engine.ts";
import type { SimVenue } from "../venues/sim/sim-venue.ts";
import type { EngineSettings } from "./config.ts";
import { protectionPriceTicks } from "./orders/pricing.ts";

/**
 * IOC is a capability, emulated where a venue has none (STRATEGIES.md 2.1 and 2.3): the engine
 * sends a GTC limit at the IOC's price and cancels it once the emulation window has passed; what
 * it filled by then is the IOC's fill. simA here is a simulator declared without IOC, so it
 * refuses a real IOC: every order below that reaches it went as a GTC.
 */
const NO_IOC: Partial<VenueCapabilities> = { ioc: false, timeInForce: ["gtc", "post_only"] };

interface Sent {
  readonly at: number;
  readonly order: OrderRequest;
}

/** simA as the engine sees it, with every submit and cancel written down with its time. */
class Recording extends ForwardingVenue {
  readonly submits: Sent[] = [];
  readonly cancels: { at: number; clientOrderId: string }[] = [];
  private readonly clock: SimClock;
  constructor(inner: Venue, clock: SimClock) {
    super(inner);
    this.clock = clock;
  }
  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    this.submits.push({ at: this.clock.now(), order });
    return this.inner.submit(order);
  }
  override cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    this.cancels.push({ at: this.clock.now(), clientOrderId });
    return this.inner.cancel(account, symbol, clientOrderId);
  }
}

async function noIocWorld(settings: Partial<EngineSettings> = {}): Promise<{ w: World; rec: Recording }> {
  let rec: Recording | undefined;
  const w = await makeWorld({
    capabilitiesA: NO_IOC,
    settings: { ...FAST, ...settings },
    wrapA: (v: SimVenue, clock: SimClock) => {
      rec = new Recording(v, clock);
      return rec;
    },
  });
  return { w, rec: rec! };
}

/** Advance without new books (a fresh snapshot would fill a resting buy), until `p` settles. */
async function settleStill<T>(w: World, p: Promise<T>, each?: (now: number) => Promise<void>): Promise<T> {
  let done = false;
  const wrapped = p.finally(() => {
    done = true;
  });
  for (let i = 0; i < 400 && !done; i++) {
    await w.clock.advance(50);
    if (each !== undefined) await each(w.clock.now());
  }
  assert.ok(done, "the open settled");
  return wrapped;
}

/** 15 BTC bought on simA: its book holds 10 BTC within the allowance, so 5 BTC rest. */
const BIG_BUY = [{ venue: "simA", account: "w1", symbol: "BTC", side: "buy" as const, sizeLots: 1_500_000 }];

test("an IOC on a venue without IOC: a GTC limit at the IOC's price rests, is cancelled after iocEmulationMs, and what it filled is the leg's", async () => {
  const { w, rec } = await noIocWorld();
  try {
    w.refresh();
    const inst = w.simA.instrument("BTC");
    const ioc = protectionPriceTicks(inst, w.simA.book("BTC"), "buy", 20)!;
    const started = w.clock.now();
    const restingAt: number[] = [];
    const out = await settleStill(
      w,
      w.engine.openGroup(BIG_BUY, {
        groupId: "g-emulated",
        strategy: "farm",
        entry: { kind: "ioc", maxSlippageBps: 20, iocEmulationMs: 400 },
        fillTimeoutMs: 5_000,
        hedged: false,
      }),
      async (now) => {
        const open = await w.simA.openOrders("w1");
        if (open.some((o) => o.filledLots === 1_000_000 && o.sizeLots === 1_500_000)) restingAt.push(now);
      },
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    const [entry] = rec.submits;
    assert.equal(rec.submits.length, 1, "one order, not retried");
    assert.equal(entry.order.tif, "gtc", "a GTC limit, not the IOC the venue refuses");
    assert.equal(entry.order.type, "limit");
    assert.equal(entry.order.priceTicks, ioc, "at the price the IOC would have had");
    assert.equal(entry.order.reduceOnly, false);
    // it rested with its fill until the window ended, and not after it
    assert.ok(restingAt.length >= 5, `seen resting ${restingAt.length} times`);
    assert.ok(Math.max(...restingAt) < entry.at + 400);
    assert.deepEqual(
      rec.cancels.map((c) => [c.at - entry.at, c.clientOrderId]),
      [[400, entry.order.clientOrderId]],
      "cancelled once, iocEmulationMs after it was sent",
    );
    assert.ok(entry.at - started < 50);
    assert.deepEqual(await w.simA.openOrders("w1"), [], "nothing rests");
    // 10 of 15 BTC: the partial fill is the leg's, as an IOC's would be
    const [g] = await w.engine.groups({ groupIds: ["g-emulated"] });
    assert.equal(g.status, "open");
    assert.equal(g.legs[0].filledLots, 1_000_000);
    assert.equal(g.legs[0].netLots, 1_000_000);
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 1_000_000);
  } finally {
    await w.close();
  }
});

test("iocEmulationMs sets when the stand-in is cancelled; without it the engine's ioc_emulation_ms does", async () => {
  const cancelGap = async (entryMs: number | undefined, engineMs: number) => {
    const { w, rec } = await noIocWorld({ iocEmulationMs: engineMs });
    try {
      w.refresh();
      const entry =
        entryMs === undefined
          ? ({ kind: "ioc", maxSlippageBps: 20 } as const)
          : ({ kind: "ioc", maxSlippageBps: 20, iocEmulationMs: entryMs } as const);
      const out = await settleStill(
        w,
        w.engine.openGroup(BIG_BUY, {
          groupId: `g-${entryMs}-${engineMs}`,
          strategy: "farm",
          entry,
          fillTimeoutMs: 5_000,
          hedged: false,
        }),
      );
      assert.equal(out.ok, true, JSON.stringify(out));
      assert.equal(rec.cancels.length, 1);
      return rec.cancels[0].at - rec.submits[0].at;
    } finally {
      await w.close();
    }
  };
  assert.equal(await cancelGap(300, 500), 300);
  assert.equal(await cancelGap(1_200, 500), 1_200);
  assert.equal(await cancelGap(undefined, 700), 700, "the engine's window when the entry sets none");
  // a fill timeout shorter than the window ends the wait (and the order) first, as for any entry
  const { w, rec } = await noIocWorld();
  try {
    w.refresh();
    const out = await settleStill(
      w,
      w.engine.openGroup(BIG_BUY, {
        groupId: "g-short",
        strategy: "farm",
        entry: { kind: "ioc", maxSlippageBps: 20, iocEmulationMs: 3_000 },
        fillTimeoutMs: 600,
        hedged: false,
      }),
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    assert.equal(rec.cancels[0].at - rec.submits[0].at, 600);
  } finally {
    await w.close();
  }
});

test("a hedged pair whose emulated leg fills in part: the other leg is trimmed to it once the stand-in is cancelled", async () => {
  const { w, rec } = await noIocWorld();
  try {
    w.refresh();
    // simA's asks hold 0.04 BTC within the allowance: the 0.1 BTC buy fills that and rests the rest
    const inst = w.simA.instrument("BTC");
    const bid = inst.roundPrice(w.mid.simA, "buy", "down");
    w.simA.feed({
      type: "book",
      venue: "simA",
      symbol: "BTC",
      ts: w.clock.now(),
      snapshot: true,
      bids: [{ price: inst.priceValue(bid), size: 1 }],
      asks: [{ price: inst.priceValue(bid + 1), size: 0.04 }],
    });
    const net: number[] = [];
    const out = await settleStill(
      w,
      w.engine.openGroup(pairLegs(), {
        groupId: "g-pair",
        strategy: "farm",
        entry: { kind: "ioc", maxSlippageBps: 20, iocEmulationMs: 500 },
        fillTimeoutMs: 5_000,
      }),
      async () => {
        const a = await positionLots(w.simA, "w1", "BTC");
        const b = await positionLots(w.simB, "w2", "BTCUSDT");
        net.push(a * 0.00001 + b * 0.001);
      },
    );
    assert.equal(out.ok, true, JSON.stringify(out));
    const [g] = await w.engine.groups({ groupIds: ["g-pair"] });
    assert.equal(g.status, "open");
    assert.equal(g.legs[0].filledLots, 4_000, "simA: 0.04 BTC");
    assert.equal(g.legs[0].netLots, 4_000);
    assert.equal(g.legs[1].netLots, -40, "simB trimmed from 0.1 to 0.04 BTC");
    assert.equal(await positionLots(w.simB, "w2", "BTCUSDT"), -40);
    // the trim went after the stand-in's cancel, not before: its fill was final by then
    const cancelAt = rec.cancels[0].at;
    assert.equal(cancelAt - rec.submits[0].at, 500);
    // while the stand-in rested the pair was short 0.06 BTC net; trimmed at once after it
    const worst = Math.max(...net.map(Math.abs));
    assert.ok(worst <= 0.06 + 1e-9, `worst ${worst}`);
    const unbalancedSteps = net.filter((x) => Math.abs(x) > 0.001 + 1e-9).length;
    assert.ok(unbalancedSteps <= 500 / 50 + 1, `${unbalancedSteps} steps of 50 ms beyond one lot`);
    assert.ok(Math.abs(net.at(-1)!) < 1e-9, "hedged at the end");
  } finally {
    await w.close();
  }
});

test("closes on a venue without IOC go as reduce-only GTC limits the engine ends; the group closes flat", async () => {
  const { w, rec } = await noIocWorld();
  try {
    const opened = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-close",
        strategy: "farm",
        entry: { kind: "ioc", maxSlippageBps: 20 },
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(opened.ok, true, JSON.stringify(opened));
    const closed = await w.drive(w.engine.closeGroup("g-close", "time_limit"));
    assert.equal(closed.ok, true, JSON.stringify(closed));
    const close = rec.submits.filter((s) => s.order.reduceOnly);
    assert.equal(close.length, 1);
    assert.equal(close[0].order.tif, "gtc");
    assert.equal(close[0].order.side, "sell");
    assert.equal(await positionLots(w.simA, "w1", "BTC"), 0);
    assert.equal(await positionLots(w.simB, "w2", "BTCUSDT"), 0);
    const [g] = await w.engine.groups({ groupIds: ["g-close"] });
    assert.equal(g.status, "closed");
    assert.equal(g.closeReason, "time_limit");
  } finally {
    await w.close();
  }
});

test("a venue with neither IOC nor GTC: the IOC is refused before anything is sent, with the reason", async () => {
  let rec: Recording | undefined;
  const w = await makeWorld({
    capabilitiesA: { ioc: false, timeInForce: ["post_only"] },
    wrapA: (v, clock) => {
      rec = new Recording(v, clock);
      return rec;
    },
  });
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-none",
        strategy: "farm",
        entry: { kind: "ioc", maxSlippageBps: 20 },
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(out.ok, false);
    assert.match(
      JSON.stringify(out),
      /simA does not support IOC orders, nor GTC limits to emulate them with/,
    );
    assert.deepEqual(rec!.submits, [], "nothing reached simA");
    assert.equal(await positionLots(w.simB, "w2", "BTCUSDT"), 0, "simB's leg was unwound");
  } finally {
    await w.close();
  }
});

test("a group's iocEmulationMs must be a positive number: the open is refused naming the field", async () => {
  const w = await makeWorld();
  try {
    const out = await w.drive(
      w.engine.openGroup(pairLegs(), {
        groupId: "g-bad",
        strategy: "farm",
        entry: { kind: "ioc", maxSlippageBps: 20, iocEmulationMs: 0 },
        fillTimeoutMs: 5_000,
      }),
    );
    assert.equal(out.ok, false);
    assert.match(JSON.stringify(out), /entry\.iocEmulationMs 0 must be a finite number > 0/);
  } finally {
    await w.close();
  }
});
