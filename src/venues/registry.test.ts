import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { endpointsOf, hyperliquidConfigSchema, identityOf, signerSourceOf } from "./hyperliquid/config.ts";
import { createVenue, venueFactory, venueKinds } from "./registry.ts";
import { SimVenue } from "./sim/sim-venue.ts";

test("kind sim builds a catalogued simulated venue from its config section", async () => {
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const v = createVenue(
    "sim",
    { id: "simB", latency_ms: 5, faults: { enabled: true, reject_rate: 1 } },
    { clock },
  );
  try {
    assert.ok(v instanceof SimVenue);
    assert.equal(v.id, "simB");
    assert.ok(v.instruments().some((i) => i.symbol === "BTCUSDT"));
    // the fault rates of the config are honoured: every order is refused
    (v as SimVenue).deposit("w1", 1_000_000_000_000_000n);
    const inst = v.instrument("BTCUSDT");
    const order = {
      clientOrderId: "pb-registry-1",
      account: "w1",
      symbol: "BTCUSDT",
      side: "buy" as const,
      type: "limit" as const,
      priceTicks: inst.price(60_000),
      sizeLots: inst.size(0.01),
      tif: "gtc" as const,
      reduceOnly: false,
    };
    const answer = await clock.drive(
      v.submit(order).then(
        () => "acknowledged",
        (e: Error) => e.message,
      ),
      1,
    );
    assert.match(answer, /rejected \(injected\)/);
  } finally {
    await v.close();
  }
  assert.deepEqual(venueKinds(), ["aster", "backpack", "edgex", "hyperliquid", "lighter", "sim"]);
  assert.equal(venueFactory("sim").kind, "sim");
});

test("a bad config is refused with every problem and its key path; an unknown kind names the known ones", () => {
  const clock = new SimClock(0);
  assert.throws(
    () => createVenue("sim", { id: "simC", latency_ms: -1, typo: 1 }, { clock }, "venues.paper"),
    (e: Error) =>
      /venues\.paper\.id: /.test(e.message) &&
      /venues\.paper\.latency_ms: /.test(e.message) &&
      /venues\.paper: .*typo/.test(e.message),
  );
  assert.throws(
    () => createVenue("hyperliquidd", {}, { clock }),
    /unknown venue kind "hyperliquidd" \(known: aster, backpack, edgex, hyperliquid, lighter, sim\)/,
  );
  assert.throws(
    () =>
      createVenue(
        "hyperliquid",
        { testnet: "yes", wallets: { w1: { address: "0x12" } } },
        { clock },
        "venues.hyperliquid",
      ),
    (e: Error) =>
      /venues\.hyperliquid\.testnet: /.test(e.message) &&
      /venues\.hyperliquid\.wallets\.w1\.address: expected a 0x address/.test(e.message),
  );
});

test("kind hyperliquid: testnet unless asked for mainnet, endpoints from the flag or the config", () => {
  const testnet = hyperliquidConfigSchema.parse({});
  assert.deepEqual(endpointsOf(testnet), {
    url: "https://api.hyperliquid-testnet.xyz",
    wsUrl: "wss://api.hyperliquid-testnet.xyz/ws",
    mainnet: false,
  });
  assert.equal(
    endpointsOf(hyperliquidConfigSchema.parse({ testnet: false })).url,
    "https://api.hyperliquid.xyz",
  );
  const local = hyperliquidConfigSchema.parse({ url: "http://127.0.0.1:9001/" });
  assert.equal(endpointsOf(local).wsUrl, "ws://127.0.0.1:9001/ws");
  const w = hyperliquidConfigSchema.parse({
    wallets: {
      w1: {
        address: "0xABCDEF0123456789abcdef0123456789ABCDEF01",
        vault: "0x1111111111111111111111111111111111111111",
      },
    },
  }).wallets.w1;
  assert.deepEqual(identityOf(w), {
    address: "0xabcdef0123456789abcdef0123456789abcdef01",
    subAccount: "0x1111111111111111111111111111111111111111",
  });
  assert.deepEqual(signerSourceOf("w1", w), {
    walletId: "w1",
    scheme: "secp256k1",
    venue: "hyperliquid",
    field: "agent_private_key",
  });
  assert.deepEqual(signerSourceOf("w1", { ...w, agent_key: "master" }), {
    walletId: "w1",
    scheme: "secp256k1",
  });
  const v = createVenue("hyperliquid", { url: "http://127.0.0.1:9" }, { clock: new SimClock(0) });
  assert.equal(v.id, "hyperliquid");
  assert.equal(v.capabilities.accountSigner, "secp256k1");
});
