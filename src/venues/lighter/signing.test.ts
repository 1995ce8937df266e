import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { generateApiKey, LighterTxSigner, ORDER_TYPE, TIME_IN_FORCE, TX_TYPE } from "./signing.ts";
import { LIGHTER_WASM_EXPORTS, LIGHTER_WASM_SHA256, loadLighterWasm, wasmDir } from "./wasm.ts";

async function signerFor(accountIndex: number, apiKeyIndex: number): Promise<LighterTxSigner> {
  const { privateKey } = await generateApiKey();
  const holder = signerFromKeyBytes("ecgfp5", privateKey, "test key");
  privateKey.fill(0);
  return LighterTxSigner.create({
    holder,
    accountIndex,
    apiKeyIndex,
    chainId: 300,
    url: "http://127.0.0.1:1",
  });
}

test("the pinned signer file is the one installed, and every expected global is exported", async () => {
  const bytes = readFileSync(join(wasmDir(), "lighter-signer.wasm"));
  assert.equal(createHash("sha256").update(bytes).digest("hex"), LIGHTER_WASM_SHA256);
  assert.ok(LIGHTER_WASM_SHA256.startsWith("8db3e934"));
  const wasm = (await loadLighterWasm()) as unknown as Record<string, unknown>;
  for (const name of LIGHTER_WASM_EXPORTS) assert.equal(typeof wasm[name], "function", name);
});

test("CreateOrder: the nonce, expiry, market, size and price given are the ones signed", async () => {
  const s = await signerFor(77, 3);
  const cases = [
    { marketIndex: 0, clientOrderIndex: 1, baseAmount: 1, price: 1, nonce: 1, expiry: 1_800_000_000_000 },
    {
      marketIndex: 1,
      clientOrderIndex: 123_456,
      baseAmount: 1000,
      price: 40_000,
      nonce: 42,
      expiry: 1_900_000_000_123,
    },
    {
      marketIndex: 7,
      clientOrderIndex: 2 ** 48 - 1,
      baseAmount: 2 ** 40,
      price: 2 ** 32 - 1,
      nonce: 2 ** 40 + 3,
      expiry: 2_000_000_000_000,
    },
  ];
  for (const c of cases) {
    const tx = s.createOrder(
      {
        marketIndex: c.marketIndex,
        clientOrderIndex: c.clientOrderIndex,
        baseAmount: c.baseAmount,
        price: c.price,
        isAsk: 1,
        type: ORDER_TYPE.limit,
        timeInForce: TIME_IN_FORCE.gtt,
        reduceOnly: 0,
        triggerPrice: 0,
        orderExpiry: c.expiry,
      },
      c.nonce,
    );
    assert.equal(tx.txType, TX_TYPE.createOrder);
    const info = JSON.parse(tx.txInfo);
    assert.equal(info.Nonce, c.nonce, "the nonce given, not 0");
    assert.equal(info.OrderExpiry, c.expiry);
    assert.equal(info.MarketIndex, c.marketIndex);
    assert.equal(info.BaseAmount, c.baseAmount);
    assert.equal(info.Price, c.price);
    assert.equal(info.ClientOrderIndex, c.clientOrderIndex);
    assert.equal(info.IsAsk, 1);
    assert.equal(info.AccountIndex, 77);
    assert.equal(info.ApiKeyIndex, 3);
    // the signer sets the transaction's own expiry (minutes ahead), not the order's
    assert.ok(info.ExpiredAt > Date.now() && info.ExpiredAt < Date.now() + 3_600_000, String(info.ExpiredAt));
    assert.equal(Buffer.from(info.Sig, "base64").length, 80, "Sig: s ‖ e, 40 bytes each");
    assert.match(tx.txHash, /^[0-9a-f]{80}$/);
  }
});

test("ccxt's 19-argument call of this build signs Nonce 0: the failure our read-back refuses", async () => {
  await signerFor(78, 4);
  const wasm = await loadLighterWasm();
  // ccxt passes extra arguments (integrator fields) before nonce; the 13-argument build reads
  // positions 10..12 as nonce, apiKeyIndex, accountIndex and the nonce it gets is not ours
  const r = wasm.SignCreateOrder(
    1,
    5,
    1000,
    40_000,
    0,
    0,
    1,
    0,
    0,
    1_900_000_000_000,
    0,
    0,
    0,
    0,
    0,
    0,
    42,
    4,
    78,
  );
  const info = JSON.parse(String(r.txInfo));
  assert.equal(info.Nonce, 0, "the misaligned call signs nonce 0, without an error");
});

test("CancelOrder, auth token and ChangePubKey sign what they were given", async () => {
  const s = await signerFor(79, 5);
  const c = JSON.parse(s.cancelOrder(2, 2 ** 48 + 9, 11).txInfo);
  assert.deepEqual(
    [c.MarketIndex, c.Index, c.Nonce, c.AccountIndex, c.ApiKeyIndex],
    [2, 2 ** 48 + 9, 11, 79, 5],
  );
  const deadline = Math.floor(Date.now() / 1000) + 3600;
  const token = s.authToken(deadline);
  assert.match(token, new RegExp(`^${deadline}:79:5:[0-9a-f]+$`));
  const { publicKeyHex } = await generateApiKey();
  const cp = s.changePubKey(publicKeyHex, 0);
  assert.equal(cp.txType, TX_TYPE.changePubKey);
  assert.equal(Buffer.from(JSON.parse(cp.txInfo).PubKey, "base64").toString("hex"), publicKeyHex);
  assert.match(cp.messageToSign, /^Register Lighter Account\n/);
  assert.match(cp.messageToSign, /account index: 0x000000000000004f/);
});

test("bad input: out-of-range fields and a non-Lighter key are refused, naming the field", async () => {
  const s = await signerFor(80, 6);
  const base = {
    marketIndex: 0,
    clientOrderIndex: 1,
    baseAmount: 10,
    price: 100,
    isAsk: 0 as const,
    type: 0,
    timeInForce: 1,
    reduceOnly: 0 as const,
    triggerPrice: 0,
    orderExpiry: 1_900_000_000_000,
  };
  assert.throws(() => s.createOrder({ ...base, baseAmount: 0 }, 1), /BaseAmount 0 must be an integer/);
  assert.throws(() => s.createOrder({ ...base, price: 1.5 }, 1), /Price 1.5/);
  assert.throws(() => s.createOrder(base, -1), /Nonce -1/);
  const ed = signerFromKeyBytes("ed25519", new Uint8Array(32).fill(1), "ed");
  await assert.rejects(
    LighterTxSigner.create({ holder: ed, accountIndex: 1, apiKeyIndex: 3, chainId: 300, url: "http://x" }),
    /needs a Lighter API key \(ecgfp5\), got a ed25519 signer/,
  );
  const holder = signerFromKeyBytes("ecgfp5", new Uint8Array(40).fill(2), "k");
  holder.handOff?.(() => undefined);
  assert.throws(() => holder.handOff?.(() => undefined), /handed off already/);
  assert.throws(() => signerFromKeyBytes("ecgfp5", new Uint8Array(32), "short"), /40 bytes, got 32/);
});
