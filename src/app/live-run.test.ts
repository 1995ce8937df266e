import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { checkLiveConfig } from "./live-run.ts";

/** What a live run checks in the config before anything connects. */
const dir = mkdtempSync(join(tmpdir(), "perpbot-live-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const ADDR = `0x${"ab".repeat(20)}`;

function load(lines: string[]) {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, ['mode = "live"', ...lines].join("\n"));
  return loadConfig({ file, env: {}, live: true });
}

test("a live run needs a venue with accounts, names the key otherwise", () => {
  assert.throws(
    () => checkLiveConfig(load([])),
    (e: unknown) =>
      e instanceof ConfigError && /venues: mode = "live" needs a live venue with accounts/.test(e.message),
  );
});

test("testnet by default; mainnet is reported as real money", () => {
  const wallet = ["[venues.hyperliquid.wallets.w01]", `address = "${ADDR}"`];
  const testnet = checkLiveConfig(load(["[venues.hyperliquid]", ...wallet]));
  assert.deepEqual(
    testnet.venues.map((v) => [
      v.kind,
      v.accounts.map((a) => [a.account, a.identity.address, a.signer.field]),
    ]),
    [["hyperliquid", [["w01", ADDR, "agent_private_key"]]]],
  );
  assert.deepEqual(testnet.realMoney, []);
  const mainnet = checkLiveConfig(load(["[venues.hyperliquid]", "testnet = false", ...wallet]));
  assert.deepEqual(mainnet.realMoney, ["hyperliquid"]);
});

test("an order expiry the engine's send expiry does not cover is refused, naming both keys", () => {
  const wallet = ["[venues.hyperliquid.wallets.w01]", `address = "${ADDR}"`];
  for (const expiry of [0, 40_000])
    assert.throws(
      () =>
        checkLiveConfig(
          load([
            "[engine]",
            "send_expiry_ms = 30000",
            "[venues.hyperliquid]",
            `order_expiry_ms = ${expiry}`,
            ...wallet,
          ]),
        ),
      (e: unknown) =>
        e instanceof ConfigError &&
        new RegExp(
          `venues.hyperliquid.order_expiry_ms: ${expiry} must be between 1 and engine.send_expiry_ms \\(30000\\)`,
        ).test(e.message),
    );
  checkLiveConfig(load(["[venues.hyperliquid]", "order_expiry_ms = 30000", ...wallet]));
});

const BP_KEY = Buffer.alloc(32, 7).toString("base64");

test("backpack: its wallets make it a live venue; the production host is real money, this machine's is not", () => {
  const wallet = ["[venues.backpack.wallets.w01]", `api_key = "${BP_KEY}"`];
  const prod = checkLiveConfig(load(["[venues.backpack]", ...wallet]));
  assert.deepEqual(
    prod.venues.map((v) => [v.kind, v.accounts.map((a) => [a.account, a.identity.apiKeyId, a.signer.field])]),
    [["backpack", [["w01", BP_KEY, "api_secret"]]]],
  );
  assert.deepEqual(prod.realMoney, ["backpack"]);
  const local = checkLiveConfig(load(["[venues.backpack]", 'rest_url = "http://127.0.0.1:9"', ...wallet]));
  assert.deepEqual(local.realMoney, []);
  // no wallets: not a live venue, whatever else its table says
  assert.throws(() => checkLiveConfig(load(["[venues.backpack]", "window_ms = 6000"])), ConfigError);
});

test("backpack: an X-Window longer than the engine's send expiry is refused; a bad api_key names its key", () => {
  const wallet = ["[venues.backpack.wallets.w01]", `api_key = "${BP_KEY}"`];
  assert.throws(
    () =>
      checkLiveConfig(
        load(["[engine]", "send_expiry_ms = 30000", "[venues.backpack]", "window_ms = 40000", ...wallet]),
      ),
    (e: unknown) =>
      e instanceof ConfigError &&
      /venues.backpack.window_ms: 40000 must be at most engine.send_expiry_ms \(30000\)/.test(e.message),
  );
  assert.throws(
    () => load(["[venues.backpack.wallets.w01]", 'api_key = "0xabc"']),
    (e: unknown) =>
      e instanceof ConfigError &&
      /venues.backpack.wallets.w01.api_key: expected the API key as Backpack shows it/.test(e.message),
  );
});
