import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { JwtSession } from "../venues/paradex/auth.ts";
import { ParadexHttp } from "../venues/paradex/http.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";
import { EMULATED_VENUES } from "./emulate.ts";

test("emulate paradex: --fund onboards account:key, that key then gets a JWT, and the start-up line says what is missing", async () => {
  const spec = EMULATED_VENUES.paradex!;
  const signer = signerFromKeyBytes("stark", Buffer.alloc(32, 2), "emulate test");
  const account = "0x5aa";
  const addr = `${account}:0x${signer.publicKey}`;
  assert.ok(spec.account.test(addr));
  assert.ok(!spec.account.test("0x5aa"), "an account without its key is refused");
  const emu = await spec.start({ port: 0, fund: [{ address: addr, usdc: 0 }] });
  try {
    assert.match(emu.label, /no matching, balances or books yet/);
    assert.match(emu.label, /onboarded 0x5aa/);
    assert.deepEqual(emu.coins, ["BTC-USD-PERP", "ETH-USD-PERP"]);
    const session = new JwtSession({
      http: new ParadexHttp(emu.url, 3000),
      clock: new SimClock(Date.now()),
      signer,
      account,
      chain: "PRIVATE_SN_PARACLEAR_MAINNET",
    });
    assert.match(await session.token(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
  } finally {
    await emu.close();
  }
});
