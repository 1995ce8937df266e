import assert from "node:assert/strict";
import { test } from "node:test";
import { EMULATED_VENUES } from "./emulate.ts";

test("emulate grvt: books on both perpetuals and a funded sub-account its wallet may trade", async () => {
  const spec = EMULATED_VENUES.grvt;
  const wallet = `0x${"ab".repeat(20)}`;
  assert.ok(spec.account.test(`2147050003876484:${wallet}`));
  assert.ok(!spec.account.test(wallet));
  const emu = await spec.start({ port: 0, fund: [{ address: `2147050003876484:${wallet}`, usdc: 1000 }] });
  try {
    assert.deepEqual(emu.coins, ["BTC_USDT_Perp", "ETH_USDT_Perp"]);
    assert.match(emu.label, /chain 326/);
    const res = await fetch(`${emu.url}/full/v1/book`, {
      method: "POST",
      body: JSON.stringify({ instrument: "BTC_USDT_Perp", depth: 10 }),
    });
    const book = (await res.json()) as { result: { bids: { price: string }[]; asks: { price: string }[] } };
    assert.deepEqual([book.result.bids[0].price, book.result.asks[0].price], ["89999.9", "90000.1"]);
    // private reads need a wallet login first
    const denied = await fetch(`${emu.url}/full/v1/account_summary`, {
      method: "POST",
      body: JSON.stringify({ sub_account_id: "2147050003876484" }),
    });
    assert.equal(denied.status, 401);
  } finally {
    await emu.close();
  }
});
