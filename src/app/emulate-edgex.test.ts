import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../core/clock.ts";
import { EdgexHttp } from "../venues/edgex/http.ts";
import { signerAddress } from "../venues/edgex/signing.ts";
import { signerFromKeyBytes, withHmac } from "../wallets/signer.ts";
import { EMULATED_VENUES } from "./emulate.ts";

test("emulate edgex: --fund registers accountId:apiKey:passphrase:secret:address, whose signed read then sees the credit", async () => {
  const spec = EMULATED_VENUES.edgex!;
  const signer = withHmac(
    signerFromKeyBytes("secp256k1", Buffer.alloc(32, 3), "emulate test"),
    Buffer.from("c2VjcmV0"),
    "base64-text",
  );
  const fund = `12345:key-1:pass-1:c2VjcmV0:${signerAddress(signer)}`;
  assert.ok(spec.account.test(fund));
  assert.ok(!spec.account.test("12345:key-1"), "an account without its credentials is refused");
  const emu = await spec.start({ port: 0, fund: [{ address: fund, usdc: 2500 }] });
  try {
    assert.match(emu.label, /edgex emulator \(V2/);
    assert.deepEqual(emu.coins, ["BTCUSD", "ETHUSD"]);
    const http = new EdgexHttp(emu.url, 3000, new WallClock());
    const asset = (await http.request({
      method: "GET",
      path: "/api/v2/private/account/getAccountAsset",
      query: { accountId: "12345" },
      auth: { signer, apiKey: "key-1", passphrase: "pass-1" },
    })) as { collateralList: { amount: string }[] };
    assert.equal(Number(asset.collateralList[0].amount), 2500);
  } finally {
    await emu.close();
  }
});
