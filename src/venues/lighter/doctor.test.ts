import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import type { DoctorAccount } from "../doctor-types.ts";
import { venueFactory } from "../registry.ts";
import { LighterConfigSchema } from "./config.ts";
import { lighterDoctor } from "./doctor.ts";
import { startLighterEmulator } from "./emulator/start.ts";
import { generateApiKey, LighterTxSigner, ORDER_TYPE, TIME_IN_FORCE } from "./signing.ts";

const L1 = `0x${"a1".repeat(20)}`;
const OTHER_L1 = `0x${"b2".repeat(20)}`;

/** A wallet of L1 as the doctor command hands it over: account, key index, the keystore key. */
const wallet = (id: string, key: Uint8Array, accountIndex: number, apiKeyIndex: number): DoctorAccount => ({
  account: id,
  identity: { address: L1, subAccount: String(accountIndex), apiKeyId: String(apiKeyIndex) },
  signsAsMaster: false,
  signer: signerFromKeyBytes("ecgfp5", Uint8Array.from(key), id),
  ownedOrders: new Set<string>(),
  ownedPositions: new Map<string, number>(),
});

/** `perpbot doctor`'s Lighter rows against the emulator: what is right, and what it says to fix. */
test("lighter doctor: ok rows, a wrong keystore key, an unregistered index, a stranger's account, an order perpbot did not place", async () => {
  const emu = await startLighterEmulator({ scheduledFunding: false });
  try {
    const index = emu.driver.createAccount(L1, 5_000);
    const other = emu.driver.createAccount(OTHER_L1, 100);
    const good = await generateApiKey();
    const stranger = await generateApiKey();
    emu.driver.registerKey(index, 3, good.publicKeyHex);
    emu.driver.registerKey(index, 4, good.publicKeyHex);
    // an order placed outside perpbot, with the registered key
    const market = emu.driver.markets()[0];
    const tx = await LighterTxSigner.create({
      holder: signerFromKeyBytes("ecgfp5", Uint8Array.from(good.privateKey), "by hand"),
      accountIndex: index,
      apiKeyIndex: 3,
      chainId: emu.chainId,
      url: emu.url,
    });
    const far = Date.now() + 3_600_000;
    const order = tx.createOrder(
      {
        marketIndex: market.marketId,
        clientOrderIndex: 4242,
        baseAmount: 0.1 * 10 ** market.sizeDecimals,
        price: Math.round(market.markPx * 0.7 * 10 ** market.priceDecimals),
        isAsk: 0,
        type: ORDER_TYPE.limit,
        timeInForce: TIME_IN_FORCE.gtt,
        reduceOnly: 0,
        triggerPrice: 0,
        orderExpiry: far,
      },
      0,
    );
    const sent = await fetch(`${emu.url}/api/v1/sendTx`, {
      method: "POST",
      body: new URLSearchParams({ tx_type: String(order.txType), tx_info: order.txInfo }),
    });
    assert.equal(sent.status, 200, await sent.text());
    const config = LighterConfigSchema.parse({ network: "testnet", rest_url: emu.url, ws_url: emu.wsUrl });
    const rows = await lighterDoctor(config, {
      clock: new WallClock(),
      accounts: [
        wallet("w01", good.privateKey, index, 3),
        wallet("w02", stranger.privateKey, index, 4),
        wallet("w03", good.privateKey, index, 7),
        wallet("w04", good.privateKey, other, 3),
      ],
      markets: [market.symbol, "NOPE"],
      maxSkewMs: 2000,
    });
    const all = JSON.stringify(rows, null, 1);
    const by = (w: string | null, c: string) => rows.find((r) => r.wallet === w && r.check === c);
    assert.equal(by(null, "reachable")?.status, "ok", all);
    assert.match(by(null, "reachable")?.detail ?? "", /local http:\/\/127\.0\.0\.1:\d+: \d+ active perps/);
    assert.equal(by(null, "clock")?.status, "ok", all);
    assert.equal(by(null, "markets")?.status, "warn");
    assert.match(by(null, "markets")?.detail ?? "", /NOPE/);
    // w01: everything right, and one order that is not perpbot's
    for (const c of [
      "account",
      "api key",
      "key match",
      "nonce",
      "balance",
      "margin",
      "positions",
      "rate limit",
    ])
      assert.equal(by("w01", c)?.status, "ok", `${c}: ${all}`);
    assert.match(by("w01", "nonce")?.detail ?? "", /next nonce 1/);
    assert.match(by("w01", "balance")?.detail ?? "", /equity 5,000\.00 USDC/);
    assert.match(
      by("w01", "rate limit")?.detail ?? "",
      /60 requests a rolling minute per L1 address \(standard account\); these checks used \d+/,
    );
    const orders = by("w01", "orders");
    assert.equal(orders?.status, "fail", all);
    assert.match(orders?.detail ?? "", /1 of 1 open orders are not perpbot's/);
    // w02: the index holds a key, not the keystore's
    const wrong = by("w02", "key match");
    assert.equal(wrong?.status, "fail", all);
    assert.match(wrong?.detail ?? "", /not the one registered at api_key_index 4/);
    assert.match(wrong?.fix ?? "", /perpbot lighter register-key --wallet w02 --api-key-index 4/);
    assert.equal(by("w02", "balance"), undefined, "no reads after a wrong key");
    // w03: nothing registered at index 7
    const unregistered = by("w03", "api key");
    assert.equal(unregistered?.status, "fail", all);
    assert.match(
      unregistered?.detail ?? "",
      new RegExp(`account ${index} has no API key at api_key_index 7`),
    );
    assert.match(unregistered?.fix ?? "", /perpbot lighter register-key --wallet w03 --api-key-index 7/);
    // w04: an account that is not the configured address's
    const foreign = by("w04", "account");
    assert.equal(foreign?.status, "fail", all);
    assert.match(
      foreign?.detail ?? "",
      new RegExp(`account ${other} is not ${L1}'s \\(its accounts: ${index}\\)`),
    );
    assert.match(foreign?.fix ?? "", /\[venues\.lighter\.wallets\.w04\] account_index/);
    // the factory runs these checks (perpbot doctor no longer prints a skip row for lighter)
    assert.equal(venueFactory("lighter").doctor, lighterDoctor);
  } finally {
    await emu.close();
  }
});

test("lighter doctor: an unreachable venue fails reachable with the fix, and runs no account check", async () => {
  const emu = await startLighterEmulator({ scheduledFunding: false });
  const url = emu.url;
  await emu.close();
  const key = await generateApiKey();
  const rows = await lighterDoctor(
    LighterConfigSchema.parse({ network: "testnet", rest_url: url, request_timeout_ms: 2000 }),
    {
      clock: new WallClock(),
      accounts: [wallet("w01", key.privateKey, 1, 3)],
      markets: ["ETH"],
      maxSkewMs: 2000,
    },
  );
  assert.equal(rows.length, 2, JSON.stringify(rows));
  assert.equal(rows[0].check, "reachable");
  assert.equal(rows[0].status, "fail");
  assert.match(rows[0].detail, /no answer/);
  assert.match(rows[0].fix ?? "", /\[venues\.lighter\] rest_url/);
  assert.deepEqual([rows[1].wallet, rows[1].check, rows[1].status], ["w01", "account", "skip"]);
});

test("lighter doctor: a request budget spent during the checks fails the rate limit row with what to do", async () => {
  // 5 requests a minute: the venue-wide reads and the first account reads fit, the rest get 429
  const emu = await startLighterEmulator({ scheduledFunding: false, perMinute: 5 });
  try {
    const index = emu.driver.createAccount(L1, 1_000);
    const key = await generateApiKey();
    emu.driver.registerKey(index, 3, key.publicKeyHex);
    const rows = await lighterDoctor(
      LighterConfigSchema.parse({ network: "testnet", rest_url: emu.url, ws_url: emu.wsUrl }),
      {
        clock: new WallClock(),
        accounts: [wallet("w01", key.privateKey, index, 3)],
        markets: ["ETH"],
        maxSkewMs: 2000,
      },
    );
    const all = JSON.stringify(rows, null, 1);
    assert.equal(rows.find((r) => r.check === "reachable")?.status, "ok", all);
    const limited = rows.find((r) => r.wallet === "w01" && r.check === "rate limit");
    assert.equal(limited?.status, "fail", all);
    assert.match(limited?.detail ?? "", /the venue answered 429 during the checks/);
    assert.match(limited?.fix ?? "", /wait a minute and retry/);
    assert.ok(
      rows.some((r) => r.wallet === "w01" && r.status === "fail" && /rate limited/.test(r.detail)),
      `the read that was refused says so: ${all}`,
    );
  } finally {
    await emu.close();
  }
});

/** The emulator's clock, 10 s ahead of ours. */
class AheadClock extends WallClock {
  override now(): number {
    return super.now() + 10_000;
  }
}

test("lighter doctor: a venue clock 10 s ahead, an empty account, a key that did not decrypt", async () => {
  const emu = await startLighterEmulator({ scheduledFunding: false, clock: new AheadClock() });
  try {
    const index = emu.driver.createAccount(L1, 0);
    const key = await generateApiKey();
    emu.driver.registerKey(index, 3, key.publicKeyHex);
    const rows = await lighterDoctor(
      LighterConfigSchema.parse({ network: "testnet", rest_url: emu.url, ws_url: emu.wsUrl }),
      {
        clock: new WallClock(),
        accounts: [
          wallet("w01", key.privateKey, index, 3),
          { ...wallet("w02", key.privateKey, index, 3), signer: undefined },
        ],
        markets: ["ETH"],
        maxSkewMs: 2000,
      },
    );
    const all = JSON.stringify(rows, null, 1);
    const by = (w: string | null, c: string) => rows.find((r) => r.wallet === w && r.check === c);
    const clock = by(null, "clock");
    assert.equal(clock?.status, "fail", all);
    assert.match(clock?.detail ?? "", /venue ahead by (9\d\d\d|10\d\d\d) ms/);
    assert.match(clock?.fix ?? "", /sync this machine's clock/);
    assert.equal(by("w01", "key match")?.status, "ok", all);
    const empty = by("w01", "balance");
    assert.equal(empty?.status, "fail", all);
    assert.match(empty?.detail ?? "", /equity 0\.00 USDC/);
    assert.match(empty?.fix ?? "", new RegExp(`deposit USDC to Lighter account ${index}`));
    assert.equal(by("w02", "key match")?.status, "skip", all);
    assert.equal(by("w02", "balance"), undefined, "no signed reads without the key");
  } finally {
    await emu.close();
  }
});
