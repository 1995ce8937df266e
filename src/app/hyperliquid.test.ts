import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { loadConfig } from "../config/load.ts";
import { startHyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import { PY_KEY } from "../venues/hyperliquid/fixtures/vectors.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import type { KdfParams } from "../wallets/payload.ts";
import { approveHyperliquidAgent } from "./hyperliquid.ts";

const FAST_KDF: KdfParams = {
  algorithm: "argon2id",
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
  keyLength: 32,
};
const PW = "approve test password";
const MASTER = "0x14791697260e4c9a71f18484c9f997b308e59325"; // PY_KEY's address
const AGENT_KEY = "5a".repeat(32);
const dir = mkdtempSync(join(tmpdir(), "perpbot-hl-approve-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("approve-agent: the wallet's keystore key signs the approval of its agent key, checked by the emulator's verifier", async () => {
  const emu = await startHyperliquidEmulator({
    universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 97_000 }],
    hourlyFunding: false,
  });
  emu.driver.fund(MASTER, 1_000);
  const url = emu.url;
  try {
    const ks = join(dir, "keystore.json");
    await createKeystore(ks, PW, FAST_KDF);
    await addWallets(ks, PW, [
      {
        id: "w01",
        key: Buffer.from(PY_KEY.slice(2), "hex"),
        venues: {
          hyperliquid: {
            identity: {},
            secrets: { agent_private_key: { bytes: Buffer.from(AGENT_KEY, "hex"), encoding: "hex" } },
          },
        },
      },
      { id: "w02", key: Buffer.from("6b".repeat(32), "hex") },
    ]);
    const file = join(dir, "perpbot.toml");
    writeFileSync(
      file,
      [
        `data_dir = "${join(dir, "data")}"`,
        "[venues.hyperliquid]",
        `url = "${url}"`,
        "[venues.hyperliquid.wallets.w01]",
        `address = "${MASTER}"`,
        "[venues.hyperliquid.wallets.w02]",
        `address = "${MASTER}"`,
      ].join("\n"),
    );
    const values = loadConfig({ file, env: {} }).values;
    const r = await approveHyperliquidAgent({
      values,
      keystorePath: ks,
      password: PW,
      wallet: "w01",
      name: "perpbot",
    });
    assert.equal(r.master, MASTER);
    assert.equal(r.network, "testnet");
    assert.deepEqual(emu.driver.agents(MASTER), [{ address: r.agent, name: "perpbot" }]);
    assert.match(r.agent, /^0x[0-9a-f]{40}$/);
    assert.notEqual(r.agent, MASTER);
    await assert.rejects(
      approveHyperliquidAgent({ values, keystorePath: ks, password: PW, wallet: "w02" }),
      /wallet w02: the keystore key of wallet w02 is 0x[0-9a-f]{40}, but the config's address is 0x1479/,
    );
    await assert.rejects(
      approveHyperliquidAgent({ values, keystorePath: ks, password: PW, wallet: "w03" }),
      /hyperliquid wallet w03 is not configured: add \[venues\.hyperliquid\.wallets\.w03\]/,
    );
  } finally {
    await emu.close();
  }
});
