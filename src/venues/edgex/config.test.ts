import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EdgexConfigSchema, identityOf, PRODUCTION_WS_URL, signerSourceOf, wsUrlOf } from "./config.ts";
import { edgexVenueFactory } from "./factory.ts";

describe("edgex config", () => {
  it("defaults to the V2 production hosts and reads a wallet", () => {
    const c = EdgexConfigSchema.parse({
      wallets: { w01: { account_id: "543429922866069763", api_key: "k1", passphrase: "p1" } },
    });
    assert.equal(c.rest_url, "https://edgex-prod-v2.edgex.exchange");
    assert.equal(wsUrlOf(c), PRODUCTION_WS_URL);
    assert.deepEqual(identityOf(c.wallets.w01), { address: "543429922866069763", apiKeyId: "k1:p1" });
    assert.deepEqual(signerSourceOf("w01", c.wallets.w01), {
      walletId: "w01",
      scheme: "secp256k1",
      venue: "edgex",
      field: "trading_private_key",
      hmac: { field: "api_secret", key: "base64-text" },
    });
    assert.equal(edgexVenueFactory.realMoney?.(c), true);
    assert.equal(
      edgexVenueFactory.realMoney?.(EdgexConfigSchema.parse({ rest_url: "http://127.0.0.1:9" })),
      false,
    );
  });

  it("a bad wallet entry names the wallet and the field", () => {
    const r = EdgexConfigSchema.safeParse({
      wallets: { w07: { account_id: "0xabc", api_key: "k", passphrase: "p" } },
    });
    assert.equal(r.success, false);
    const issue = r.error?.issues[0];
    assert.deepEqual(issue?.path, ["wallets", "w07", "account_id"]);
    assert.match(issue?.message ?? "", /EdgeX account id/);
    const extra = EdgexConfigSchema.safeParse({
      wallets: { w08: { account_id: "1", api_key: "k", passphrase: "p", secret_key: "x" } },
    });
    assert.deepEqual(extra.error?.issues[0]?.path, ["wallets", "w08"]);
  });
});
