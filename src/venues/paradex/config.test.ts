import assert from "node:assert/strict";
import { test } from "node:test";
import { chainOf, parseParadexConfig, realMoney, signerSourceOf } from "./config.ts";

test("defaults: production host, mainnet chain, real money; the emulator's host is not", () => {
  const c = parseParadexConfig({ wallets: { w01: { account: "0xABC" } } });
  assert.equal(c.rest_url, "https://api.prod.paradex.trade/v1");
  assert.equal(chainOf(c), "PRIVATE_SN_PARACLEAR_MAINNET");
  assert.ok(realMoney(c));
  assert.deepEqual(signerSourceOf("w01", c.wallets.w01!), {
    walletId: "w01",
    scheme: "stark",
    venue: "paradex",
    field: "stark_private_key",
  });
  const local = parseParadexConfig({ rest_url: "http://127.0.0.1:4100/v1" });
  assert.ok(!realMoney(local));
  const testnet = parseParadexConfig({ rest_url: "https://api.testnet.paradex.trade/v1" });
  assert.equal(chainOf(testnet), "PRIVATE_SN_POTC_SEPOLIA");
  assert.ok(!realMoney(testnet));
});

test("bad input names venue, wallet and field", () => {
  assert.throws(
    () => parseParadexConfig({ wallets: { w07: { account: "4638e3" } } }),
    /venues\.paradex\.wallets\.w07\.account: expected the Paradex account \(Starknet address\)/,
  );
  assert.throws(
    () => parseParadexConfig({ wallets: { w02: { account: "0x1", key: "x" } } }),
    /venues\.paradex\.wallets\.w02: /,
  );
  assert.throws(
    () => parseParadexConfig({ jwt_refresh_after_ms: 400_000 }),
    /venues\.paradex\.jwt_refresh_after_ms: /,
  );
  assert.throws(() => parseParadexConfig({ chain: "SN_MAIN" }), /venues\.paradex\.chain: /);
});
