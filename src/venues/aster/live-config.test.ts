import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "../../app/sections.ts";
import { checkLiveConfig } from "../../app/live-run.ts";
import { ConfigError } from "../../config/errors.ts";
import { loadConfig } from "../../config/load.ts";

/** `[venues.aster]` in perpbot.toml: what a live run reads from it before anything connects. */
const dir = mkdtempSync(join(tmpdir(), "perpbot-aster-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const ADDR = `0x${"Ab".repeat(20)}`;

function load(lines: string[]) {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, ['mode = "live"', ...lines].join("\n"));
  return loadConfig({ file, env: {}, live: true });
}

test("an aster wallet is a live account: its user address and the keystore field of its API wallet", () => {
  const plan = checkLiveConfig(load(["[venues.aster.wallets.w01]", `address = "${ADDR}"`]));
  assert.deepEqual(
    plan.venues.map((v) => [
      v.kind,
      v.accounts.map((a) => [a.account, a.identity.address, a.signer.venue, a.signer.field]),
    ]),
    [["aster", [["w01", ADDR.toLowerCase(), "aster", "api_wallet_private_key"]]]],
  );
  assert.deepEqual(plan.realMoney, ["aster"], "the venue's own URL trades real money");
  const emulated = checkLiveConfig(
    load([
      "[venues.aster]",
      'rest_url = "http://127.0.0.1:4000"',
      "[venues.aster.wallets.w01]",
      `address = "${ADDR}"`,
    ]),
  );
  assert.deepEqual(emulated.realMoney, [], "a loopback emulator does not");
});

test("a send expiry inside the nonce window plus the request timeout is refused, naming the key", () => {
  assert.throws(
    () =>
      checkLiveConfig(
        load([
          "[engine]",
          "send_expiry_ms = 30000",
          "[venues.aster]",
          "request_timeout_ms = 25000",
          "[venues.aster.wallets.w01]",
          `address = "${ADDR}"`,
        ]),
      ),
    (e: unknown) =>
      e instanceof ConfigError && /venues\.aster\.request_timeout_ms: .*above 35000/.test(e.message),
  );
});

test("a bad wallet address is refused with its key path", () => {
  assert.throws(
    () => checkLiveConfig(load(["[venues.aster.wallets.w01]", 'address = "0x12"'])),
    (e: unknown) => e instanceof ConfigError && /venues\.aster\.wallets\.w01\.address/.test(e.message),
  );
});
