import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { loadConfig } from "../config/load.ts";
import { WallClock } from "../core/clock.ts";
import { FAST_KDF } from "../testing/keystore.ts";
import { LighterConfigSchema, signerSourceOf } from "../venues/lighter/config.ts";
import { startLighterEmulator } from "../venues/lighter/emulator/start.ts";
import { LighterVenue } from "../venues/lighter/venue.ts";
import { privateKeyToAddress } from "../wallets/address.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import { openKeystore } from "../wallets/keystore.ts";
import { signerFromKeystore } from "../wallets/signer.ts";
import { registerLighterKey } from "./lighter.ts";

const PW = "lighter register test password";
const dir = mkdtempSync(join(tmpdir(), "perpbot-lighter-register-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("register-key: the wallet's L1 key authorises a new API key (checked by the emulator); the keystore key then trades", async () => {
  const emu = await startLighterEmulator({ scheduledFunding: false });
  try {
    const l1Key = randomBytes(32);
    const l1 = privateKeyToAddress(l1Key, "test").toLowerCase();
    const index = emu.driver.createAccount(l1, 5_000);
    const ks = join(dir, "keystore.json");
    await createKeystore(ks, PW, FAST_KDF);
    await addWallets(ks, PW, [
      { id: "w01", key: Buffer.from(l1Key) },
      { id: "w02", label: "no key" },
    ]);
    const file = join(dir, "perpbot.toml");
    writeFileSync(
      file,
      ["[venues.lighter]", 'network = "testnet"', `rest_url = "${emu.url}"`, `ws_url = "${emu.wsUrl}"`].join(
        "\n",
      ),
    );
    const values = loadConfig({ file, env: {} }).values;
    const r = await registerLighterKey({ values, keystorePath: ks, password: PW, wallet: "w01" });
    assert.equal(r.accountIndex, index, "the account found by the wallet's L1 address");
    assert.equal(r.apiKeyIndex, 3, "the default index is not 0");
    await new Promise((res) => setTimeout(res, 30));
    assert.equal(
      emu.driver.publicKey(index, 3),
      r.publicKey,
      "registered on the venue after its L1 signature was verified",
    );
    const store = await openKeystore(ks, PW);
    try {
      assert.deepEqual(store.identity("w01", "lighter"), {
        account_index: String(index),
        api_key_index: "3",
      });
      const holder = await signerFromKeystore(store, signerSourceOf("w01"));
      const venue = new LighterVenue(
        LighterConfigSchema.parse({
          network: "testnet",
          rest_url: emu.url,
          ws_url: emu.wsUrl,
          ack_timeout_ms: 1500,
        }),
        new WallClock(),
      );
      try {
        await venue.connect();
        await venue.bindAccount({
          account: "w01",
          identity: { subAccount: String(index), apiKeyId: "3" },
          signer: holder,
        });
        const inst = venue.instrument("ETH");
        const { venueOrderId } = await venue.submit({
          clientOrderId: "77",
          account: "w01",
          symbol: "ETH",
          side: "buy",
          type: "limit",
          priceTicks: inst.price(2500),
          sizeLots: inst.size("0.01"),
          tif: "gtc",
          reduceOnly: false,
        });
        assert.equal(venueOrderId, String(emu.driver.orders(index)[0].orderIndex));
        assert.equal(emu.driver.nextNonce(index, 3), 2, "ChangePubKey used nonce 0, the order nonce 1");
      } finally {
        await venue.close();
      }
    } finally {
      store.close();
    }
    await assert.rejects(
      registerLighterKey({ values, keystorePath: ks, password: PW, wallet: "w01", apiKeyIndex: 0 }),
      /api key index 0 is the one Lighter's own apps use/,
    );
    await assert.rejects(
      registerLighterKey({ values, keystorePath: ks, password: PW, wallet: "w02" }),
      /lighter wallet w02: the keystore holds no L1 \(Ethereum\) key/,
    );
  } finally {
    await emu.close();
  }
});
