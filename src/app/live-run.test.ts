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
