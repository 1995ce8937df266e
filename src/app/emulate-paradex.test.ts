import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { JwtSession } from "../venues/paradex/auth.ts";
import { ParadexHttp } from "../venues/paradex/http.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";
import { EMULATED_VENUES } from "./emulate.ts";

test("emulate paradex: --fund onboards and credits account:key, that key then gets a JWT and a balance; books start around the marks", async () => {
  const spec = EMULATED_VENUES.paradex!;
  const signer = signerFromKeyBytes("stark", Buffer.alloc(32, 2), "emulate test");
  const account = "0x5aa";
  const addr = `${account}:0x${signer.publicKey}`;
  assert.ok(spec.account.test(addr));
  assert.ok(!spec.account.test("0x5aa"), "an account without its key is refused");
  const emu = await spec.start({ port: 0, fund: [{ address: addr, usdc: 2500 }] });
  try {
    assert.match(emu.label, /matching, margin, continuous funding, XP/);
    assert.match(emu.label, /onboarded 0x5aa=2500 USDC/);
    assert.deepEqual(emu.coins, ["BTC-USD-PERP", "ETH-USD-PERP"]);
    const session = new JwtSession({
      http: new ParadexHttp(emu.url, 3000),
      clock: new SimClock(Date.now()),
      signer,
      account,
      chain: "PRIVATE_SN_PARACLEAR_MAINNET",
    });
    const jwt = await session.token();
    assert.match(jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const http = new ParadexHttp(emu.url, 3000);
    const balance = (await http.request({ method: "GET", path: "/balance", jwt })) as {
      results: { token: string; size: string }[];
    };
    assert.deepEqual(
      balance.results.map((r) => [r.token, r.size]),
      [["USDC", "2500"]],
    );
    const book = (await http.request({ method: "GET", path: "/bbo/BTC-USD-PERP" })) as {
      bid: string;
      ask: string;
    };
    assert.deepEqual([book.bid, book.ask], ["59999.9", "60000.1"]);
  } finally {
    await emu.close();
  }
});
