import assert from "node:assert/strict";
import { test } from "node:test";
import { EMULATED_VENUES } from "./emulate.ts";

test("emulate hibachi: books on both contracts and a funded trustless account under its API key", async () => {
  const spec = EMULATED_VENUES.hibachi;
  const pub = `02${"ab".repeat(32)}`;
  assert.ok(spec.account.test(`101:myKey:${pub}`));
  assert.ok(!spec.account.test(`101:${pub}`));
  const emu = await spec.start({ port: 0, fund: [{ address: `101:myKey:${pub}`, usdc: 1000 }] });
  try {
    assert.deepEqual(emu.coins, ["ETH/USDT-P", "BTC/USDT-P"]);
    const prices = (await (
      await fetch(`${emu.url}/market/data/prices?symbol=ETH%2FUSDT-P`)
    ).json()) as Record<string, string>;
    assert.deepEqual([prices.bidPrice, prices.askPrice], ["2999.99", "3000.01"]);
    const info = await fetch(`${emu.url}/trade/account/info?accountId=101`, {
      headers: { Authorization: "myKey" },
    });
    assert.equal(info.status, 200);
    const body = (await info.json()) as { assets: { symbol: string; quantity: string }[] };
    assert.equal(body.assets[0]?.quantity, "1000");
    const wrong = await fetch(`${emu.url}/trade/account/info?accountId=101`, {
      headers: { Authorization: "other" },
    });
    assert.equal(wrong.status, 401);
  } finally {
    await emu.close();
  }
});
