import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signerFromKeyBytes, withHmac } from "../../wallets/signer.ts";
import {
  bindingParts,
  EdgexConfigSchema,
  identityOf,
  PRODUCTION_WS_URL,
  signerSourceOf,
  wsUrlOf,
} from "./config.ts";
import { edgexVenueFactory } from "./factory.ts";

describe("edgex config", () => {
  it("defaults to the V2 production hosts and reads a wallet", () => {
    const c = EdgexConfigSchema.parse({
      wallets: { w01: { account_id: "543429922866069763", api_key: "k1" } },
    });
    assert.equal(c.rest_url, "https://edgex-prod-v2.edgex.exchange");
    assert.equal(wsUrlOf(c), PRODUCTION_WS_URL);
    assert.deepEqual(identityOf(c.wallets.w01), { address: "543429922866069763", apiKeyId: "k1" });
    assert.deepEqual(signerSourceOf("w01", c.wallets.w01), {
      walletId: "w01",
      scheme: "secp256k1",
      venue: "edgex",
      field: "trading_private_key",
      hmac: { field: "api_secret", key: "base64-text", passphrase: "api_passphrase" },
    });
    assert.equal(edgexVenueFactory.realMoney?.(c), true);
    assert.equal(
      edgexVenueFactory.realMoney?.(EdgexConfigSchema.parse({ rest_url: "http://127.0.0.1:9" })),
      false,
    );
  });

  it("a bad wallet entry names the wallet and the field", () => {
    const r = EdgexConfigSchema.safeParse({
      wallets: { w07: { account_id: "0xabc", api_key: "k" } },
    });
    assert.equal(r.success, false);
    const issue = r.error?.issues[0];
    assert.deepEqual(issue?.path, ["wallets", "w07", "account_id"]);
    assert.match(issue?.message ?? "", /EdgeX account id/);
    const extra = EdgexConfigSchema.safeParse({
      wallets: { w08: { account_id: "1", api_key: "k", secret_key: "x" } },
    });
    assert.deepEqual(extra.error?.issues[0]?.path, ["wallets", "w08"]);
    assert.match(extra.error?.issues[0]?.message ?? "", /Unrecognized key: "secret_key"/);
  });

  it("refuses a passphrase left in the config, saying it goes in the keystore now", () => {
    const r = EdgexConfigSchema.safeParse({
      wallets: { w09: { account_id: "1", api_key: "k", passphrase: "old-pass-9" } },
    });
    assert.equal(r.success, false);
    const issue = r.error?.issues[0];
    assert.deepEqual(issue?.path, ["wallets", "w09"]);
    assert.match(issue?.message ?? "", /passphrase is a secret .* keystore .*--secret api_passphrase/);
    assert.ok(!JSON.stringify(r.error?.issues).includes("old-pass-9"), "the value is not echoed");
  });

  it("a binding needs the passphrase in the signer, not in apiKeyId", () => {
    const signer = signerFromKeyBytes("secp256k1", Buffer.alloc(32, 3), "t");
    const identity = { address: "7", apiKeyId: "k" };
    const noPass = withHmac(signer, Buffer.from("c2VjcmV0"), "base64-text");
    assert.throws(
      () => bindingParts("edgex", { account: "w1", identity, signer: noPass }),
      /account w1: the signer carries no API passphrase .*--secret api_passphrase/,
    );
    const full = withHmac(signer, Buffer.from("c2VjcmV0"), "base64-text", Buffer.from("pp-1"));
    const parts = bindingParts("edgex", { account: "w1", identity, signer: full });
    assert.equal(parts.apiKey, "k");
    assert.equal(parts.passphrase, "pp-1");
  });
});
