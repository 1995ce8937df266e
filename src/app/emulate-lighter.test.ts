import assert from "node:assert/strict";
import { test } from "node:test";
import { EMULATED_VENUES } from "./emulate.ts";

test("emulate lighter: books on every market, funded L1 addresses get accounts, and the start-up line says whose signatures are checked", async () => {
  const spec = EMULATED_VENUES.lighter;
  assert.ok(spec.account.test("0x15f43d1f2dee81424afd891943262aa90f22cc2a"));
  const addr = "0x15f43d1f2dee81424afd891943262aa90f22cc2a";
  const emu = await spec.start({ port: 0, fund: [{ address: addr, usdc: 1000 }] });
  try {
    assert.match(emu.label, /^lighter emulator \(Schnorr signatures checked for testnet, chain id 300\)/);
    assert.match(emu.label, new RegExp(`${addr}=account \\d+`));
    assert.deepEqual(emu.coins, ["ETH", "BTC"]);
    const acct = (await (await fetch(`${emu.url}/api/v1/account?by=l1_address&value=${addr}`)).json()) as {
      accounts: { collateral: string }[];
    };
    assert.equal(acct.accounts[0].collateral, "1000.000000");
    const details = (await (await fetch(`${emu.url}/api/v1/orderBookDetails`)).json()) as {
      order_book_details: unknown[];
    };
    assert.equal(details.order_book_details.length, 2);
  } finally {
    await emu.close();
  }
  const main = await spec.start({ port: 0, mainnet: true });
  try {
    assert.match(main.label, /Schnorr signatures checked for mainnet, chain id 304/);
  } finally {
    await main.close();
  }
});
