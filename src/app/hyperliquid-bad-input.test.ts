import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import type { LegSpec, OrderIntent } from "../engine/executor.ts";
import { agentKeyOf, type HlLive, hlLive } from "../testing/hl-live.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import type { LiveRun } from "./live-run.ts";

/**
 * Issue 12's bad input, through the live runtime (startLiveRun, as `perpbot run --live` starts
 * it) against the Hyperliquid emulator: a wrong key, an unapproved agent, an unknown symbol, a
 * size below the minimum, a price off the rules, a venue answer that does not parse. Each gives
 * an error naming the wallet, the symbol (where there is one) and the field, and leaves nothing
 * half-done: no order resting, no position, and an all-or-nothing group either not opened at all
 * or rolled back to flat on the venue.
 */

async function world(
  opts: Partial<Parameters<typeof hlLive>[0]> = {},
): Promise<{ emu: HyperliquidEmulator; live: HlLive; close(run?: LiveRun): Promise<void> }> {
  const emu = await startHyperliquidEmulator({ blockMs: 200, hourlyFunding: false });
  emu.driver.setBook({ coin: "BTC", bidPx: 96_999, askPx: 97_000, sz: 5, levels: 10, stepPx: 1 });
  const live = await hlLive({ emu, wallets: 3, ...opts });
  return {
    emu,
    live,
    async close(run) {
      await run?.stop({ flatten: false });
      await emu.close();
      live.cleanup();
    },
  };
}

/** nothing on the venue for any wallet: no order resting, no position */
function nothingOpen(emu: HyperliquidEmulator, live: HlLive): void {
  for (const m of live.masters) {
    assert.deepEqual(emu.driver.openOrders(m), [], `no order rests for ${m}`);
    assert.equal(emu.driver.position(m, "BTC"), "0", `no BTC position for ${m}`);
  }
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  return cond();
};

test("a wrong key (another wallet's agent) stops the start naming the wallet and the key's field; nothing connects", async () => {
  const w = await world({ storedAgentKey: (i) => agentKeyOf(i === 1 ? 0 : i) });
  try {
    const err = await w.live.start().catch((e: unknown) => e as Error);
    assert.ok(err instanceof Error, "the start failed");
    assert.match(
      err.message,
      new RegExp(
        `hyperliquid wallet w02 \\(signing with keystore field agent_private_key\\): .*the key signs as 0x[0-9a-f]{40}, an API wallet of ${w.live.masters[0]}, not a key of ${w.live.masters[1]}`,
      ),
    );
    assert.ok(await until(() => w.emu.driver.connections() === 0), "every socket was closed");
    for (const m of w.live.masters) assert.equal(w.emu.driver.orders(m).length, 0);
  } finally {
    await w.close();
  }
});

test("an unapproved agent stops the start naming the wallet, the field and what to run", async () => {
  const w = await world({ approved: (i) => i !== 2 });
  try {
    const err = await w.live.start().catch((e: unknown) => e as Error);
    assert.ok(err instanceof Error, "the start failed");
    assert.match(
      err.message,
      /hyperliquid wallet w03 \(signing with keystore field agent_private_key\): .*which the venue does not know: approve it .*perpbot hyperliquid approve-agent w03/,
    );
    assert.ok(await until(() => w.emu.driver.connections() === 0), "every socket was closed");
    nothingOpen(w.emu, w.live);
  } finally {
    await w.close();
  }
});

const legs = (sizes: readonly number[], symbol = "BTC"): LegSpec[] =>
  sizes.map((sizeLots, i) => ({
    venue: "hyperliquid",
    account: `w0${i + 1}`,
    symbol,
    side: i === 0 ? "buy" : "sell",
    sizeLots,
  }));

const IOC = { kind: "ioc", maxSlippageBps: 30 } as const;

test("an unknown symbol or a size below the minimum refuses the whole group before any leg is sent", async () => {
  const w = await world();
  const run = await w.live.start();
  try {
    const engine = run.node!.engine;
    const unknown = await engine.openGroup(legs([200, 100, 100], "DOGE"), {
      groupId: "g-unknown",
      strategy: "test",
      entry: IOC,
      fillTimeoutMs: 3_000,
    });
    assert.ok(!unknown.ok);
    assert.match(
      unknown.detail,
      /^leg 0 \(wallet w01, DOGE, field symbol\): hyperliquid: no instrument "DOGE"/,
    );
    const small = await engine.openGroup(legs([205, 200, 5]), {
      groupId: "g-small",
      strategy: "test",
      entry: IOC,
      fillTimeoutMs: 3_000,
    });
    assert.ok(!small.ok && small.status === "failed");
    assert.match(
      small.detail,
      /leg 2 \(wallet w03, BTC, field sizeLots\): 0\.00005 at [\d.]+ is \$4\.\d\d, below the venue's minimum of \$10: no leg was sent/,
    );
    for (const m of w.live.masters)
      assert.equal(w.emu.driver.orders(m).length, 0, "no leg reached the venue");
    assert.deepEqual(
      (await engine.groups({ activeOnly: true })).map((g) => g.groupId),
      [],
      "no group is left active",
    );
    nothingOpen(w.emu, w.live);
  } finally {
    await w.close(run);
  }
});

function single(over: Partial<OrderIntent>): OrderIntent {
  return {
    strategy: "test",
    intentId: "single",
    venue: "hyperliquid",
    account: "w01",
    symbol: "BTC",
    side: "buy",
    sizeLots: 100,
    priceTicks: 960_000,
    type: "limit",
    tif: "gtc",
    reduceOnly: false,
    ...over,
  };
}

/** the journaled events of one order (the store's own file, read-only) */
function eventsOf(live: HlLive, clientOrderId: string): { kind: string; payload: string }[] {
  const db = new DatabaseSync(join(live.dir, "perpbot.db"), { readOnly: true });
  try {
    return db
      .prepare("SELECT kind, payload FROM order_events WHERE client_order_id = ? ORDER BY id")
      .all(clientOrderId) as { kind: string; payload: string }[];
  } finally {
    db.close();
  }
}

test("a price off the rules is refused before signing, naming wallet, symbol and field", async () => {
  const w = await world();
  const run = await w.live.start();
  try {
    // BTC: 5 significant figures; 96000.1 has 6
    const off = await run.node!.engine.placeOrder(single({ intentId: "px-off", priceTicks: 960_001 }));
    assert.ok(!off.ok && off.reason === "risk_refused", JSON.stringify(off));
    assert.match(
      off.detail,
      /^invalid_order: wallet w01, BTC, field priceTicks: 960001 ticks \(96000\.1\) breaks the hyperliquid:BTC price rule \(at most 5 significant figures and 1 decimals\): nothing was sent/,
    );
    assert.equal(w.emu.driver.orders(w.live.masters[0]).length, 0, "nothing reached the venue");
    assert.deepEqual(run.node!.engine.orders(), [], "the engine holds no order for it");
  } finally {
    await w.close(run);
  }
});

test("a venue answer that does not parse: the order's outcome is unknown, journaled with wallet, symbol and field, then resolved; nothing is left unknown", async () => {
  const w = await world();
  const run = await w.live.start();
  try {
    const engine = run.node!.engine;
    // the venue takes the order, its answer is JSON of a shape it never sends
    w.emu.driver.inject({ kind: "garbledAck" });
    const placed = await engine.placeOrder(single({ intentId: "garbled" }));
    assert.ok(placed.ok, JSON.stringify(placed));
    const id = placed.clientOrderId;
    const unparsed = () => eventsOf(w.live, id).find((e) => e.payload.includes("does not parse"));
    await until(() => unparsed() !== undefined);
    const unknown = unparsed();
    assert.ok(unknown, `the unreadable answer is journaled: ${JSON.stringify(eventsOf(w.live, id))}`);
    assert.match(
      unknown.payload,
      /hyperliquid wallet w01: order 0x[0-9a-f]{32} on BTC: outcome unknown \(hyperliquid \/exchange: answer does not parse: field response\.data: Invalid input: expected object, received number\)/,
    );
    // resolved: the engine knows the order rests, as the venue says; cancelling leaves nothing open
    assert.ok(await until(() => engine.orders().find((o) => o.clientOrderId === id)?.status === "open"));
    assert.equal(w.emu.driver.openOrders(w.live.masters[0]).length, 1, "one venue order for it");
    const cancel = await engine.cancelOrder(id);
    assert.ok(cancel.ok !== false, JSON.stringify(cancel));
    assert.ok(await until(() => w.emu.driver.openOrders(w.live.masters[0]).length === 0));
    nothingOpen(w.emu, w.live);
  } finally {
    await w.close(run);
  }
});
