import assert from "node:assert/strict";
import { test } from "node:test";
import { chainIdOf, GrvtConfigSchema, hostsOf, isRealMoney } from "./config.ts";

test("defaults: mainnet hosts, chain 325, real money; testnet hosts and 326; an emulator URL serves all", () => {
  const c = GrvtConfigSchema.parse({});
  assert.deepEqual(hostsOf(c), {
    edge: "https://edge.grvt.io",
    trades: "https://trades.grvt.io",
    market: "https://market-data.grvt.io",
    tradesWs: "wss://trades.grvt.io",
    marketWs: "wss://market-data.grvt.io",
  });
  assert.equal(chainIdOf(c.network), 325);
  assert.equal(isRealMoney(c), true);
  const t = GrvtConfigSchema.parse({ network: "testnet" });
  assert.equal(hostsOf(t).edge, "https://edge.testnet.grvt.io");
  assert.equal(chainIdOf(t.network), 326);
  assert.equal(isRealMoney(t), false);
  const e = GrvtConfigSchema.parse({ rest_url: "http://127.0.0.1:9000/" });
  assert.equal(hostsOf(e).trades, "http://127.0.0.1:9000");
  assert.equal(hostsOf(e).marketWs, "ws://127.0.0.1:9000");
  assert.equal(isRealMoney(e), false);
});

test("bad wallets name the wallet and the field", () => {
  const bad = (w: unknown) => GrvtConfigSchema.safeParse({ wallets: { w07: w } });
  const r1 = bad({ sub_account_id: "0x12" });
  assert.equal(r1.success, false);
  if (!r1.success) {
    assert.deepEqual(r1.error.issues[0].path, ["wallets", "w07", "sub_account_id"]);
    assert.match(r1.error.issues[0].message, /trading sub-account id: decimal digits/);
  }
  const r2 = bad({ sub_account_id: "99999999999999999999" });
  assert.equal(r2.success, false);
  if (!r2.success) assert.match(r2.error.issues[0].message, /uint64/);
  const r3 = bad({ sub_account_id: "1", api_secret: "x" });
  assert.equal(r3.success, false);
  if (!r3.success) assert.deepEqual(r3.error.issues[0].path, ["wallets", "w07"]);
  assert.equal(bad({ sub_account_id: "2147050003876484" }).success, true);
});
