import assert from "node:assert/strict";
import { test } from "node:test";
import ccxt from "ccxt";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { cancelBytes, orderBytes, signatureValid } from "./emulator/verify.ts";
import { ETH_CONTRACT, ETH_SCALE } from "./fixtures/eth-contract.ts";
import {
  cancelPayload,
  hmacSignature,
  orderBody,
  orderPayload,
  priceInternal,
  walletSignature,
} from "./signing.ts";

/**
 * Hibachi publishes no signing vector: hibachi_sdk's unit tests mock the HTTP layer and never
 * check a signature, and ccxt's request fixture (ccxt/ccxt ts/src/test/static/request/hibachi.json)
 * lists `signature` under skipKeys — its cancel-123 signature does not come from its own key
 * (checked: HMAC of u64(123) under that key is c5c3ef0e…, the fixture says 1714d09b…). So the
 * vectors here are cross-checks against ccxt's independent implementation (npm ccxt 4.5.x
 * js/src/hibachi.js `orderMessage`, `signMessage`, `cancelOrderRequest`), a devDependency used
 * only by tests, plus hand-derived bytes from the layout in hibachi_sdk api.py.
 */

const ETH_INFO = ETH_CONTRACT;
const ETH = ETH_SCALE;
// ccxt's fixture key: 44 characters, so an exchange-managed (HMAC) account
const MANAGED_SECRET = "AF4Edn4Qf3/QH0pCYGaaagg+I2DhgL5YyjvlWlMx4iE=";
const WALLET_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

function ccxtHibachi(privateKey: string) {
  // biome-ignore lint/suspicious/noExplicitAny: ccxt's exchange classes are untyped here
  const ex = new (ccxt as any).hibachi({ privateKey });
  ex.setMarkets([ex.parseMarket(ETH_INFO)]);
  return { ex, market: ex.market("ETH/USDT:USDT") };
}
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("limit order bytes by hand from the sdk's layout: 0.5 ETH BID at 2800.5, fee 0.00045", () => {
  const bytes = orderPayload(ETH, {
    nonce: 1754047202955n,
    quantity: "0.5",
    side: "BID",
    price: "2800.5",
    maxFeesPercent: "0.00045",
  });
  // nonce 0x198655c468b, contract 1, 0.5e9 = 0x1dcd6500, BID 1,
  // 2800.5 × 2^32 / 1000 = 12028055912.3 → 0x2cced9168 (truncated), 0.00045e8 = 45000 = 0xafc8
  assert.equal(
    hex(bytes),
    "00000198655c468b" +
      "00000001" +
      "000000001dcd6500" +
      "00000001" +
      "00000002cced9168" +
      "000000000000afc8",
  );
  assert.equal(priceInternal("2800.5", ETH), 12028055912n);
});

test("order bytes equal ccxt's orderMessage for limit and market orders on both sides", () => {
  const { ex, market } = ccxtHibachi(MANAGED_SECRET);
  const cases = [
    { type: "limit", side: "buy", amount: 0.5, price: 2800.5, fee: 0.00045, nonce: 1754047202955 },
    { type: "limit", side: "sell", amount: 1.25, price: 3123.456789, fee: 0.001, nonce: 1754047202956 },
    { type: "market", side: "buy", amount: 0.001, fee: 0.0025, nonce: 1754046927291 },
    { type: "market", side: "sell", amount: 12.000000001, fee: 0.00045, nonce: 1 },
  ] as const;
  for (const c of cases) {
    const want = ex.orderMessage(
      market,
      c.nonce,
      c.fee,
      c.type,
      c.side,
      c.amount,
      "price" in c ? c.price : undefined,
    );
    const mine = orderPayload(ETH, {
      nonce: BigInt(c.nonce),
      quantity: String(c.amount),
      side: c.side === "buy" ? "BID" : "ASK",
      price: "price" in c ? String(c.price) : undefined,
      maxFeesPercent: String(c.fee),
    });
    assert.equal(hex(mine), hex(want), `${c.type} ${c.side}`);
  }
});

test("HMAC (managed account) and secp256k1 (wallet account) signatures equal ccxt's signMessage", async () => {
  const payload = orderPayload(ETH, {
    nonce: 7n,
    quantity: "0.5",
    side: "ASK",
    price: "2800",
    maxFeesPercent: "1",
  });
  const managed = ccxtHibachi(MANAGED_SECRET).ex;
  assert.equal(hmacSignature(MANAGED_SECRET, payload), managed.signMessage(payload, MANAGED_SECRET));
  const wallet = ccxtHibachi(`0x${WALLET_KEY}`).ex;
  const signer = signerFromKeyBytes("secp256k1", Buffer.from(WALLET_KEY, "hex"), "test wallet");
  assert.equal(await walletSignature(signer, payload), wallet.signMessage(payload, `0x${WALLET_KEY}`));
  // cancel: the order id as u64, as ccxt's cancelOrderRequest signs it
  const cancel = managed.cancelOrderRequest("589562638199161856");
  assert.equal(cancel.signature, hmacSignature(MANAGED_SECRET, cancelPayload(589562638199161856n)));
});

test("the emulator's own verifier accepts both signatures and refuses any tampered field", async () => {
  const order = {
    nonce: 1754047202955n,
    quantity: "0.5",
    side: "BID" as const,
    price: "2800.5",
    maxFeesPercent: "0.00045",
  };
  const signer = signerFromKeyBytes("secp256k1", Buffer.from(WALLET_KEY, "hex"), "test wallet");
  const sig = await walletSignature(signer, orderPayload(ETH, order));
  const trustless = { kind: "trustless", publicKeyHex: signer.publicKey } as const;
  const rebuilt = orderBytes(ETH, order);
  assert.ok(Buffer.isBuffer(rebuilt));
  assert.equal(hex(rebuilt), hex(orderPayload(ETH, order)));
  assert.ok(signatureValid(trustless, rebuilt, sig));
  for (const tampered of [
    { ...order, quantity: "0.6" },
    { ...order, price: "2800.6" },
    { ...order, side: "ASK" as const },
    { ...order, nonce: order.nonce + 1n },
    { ...order, maxFeesPercent: "0.0005" },
    { ...order, price: undefined },
  ]) {
    const bytes = orderBytes(ETH, tampered);
    assert.ok(Buffer.isBuffer(bytes));
    assert.ok(
      !signatureValid(trustless, bytes, sig),
      JSON.stringify(tampered, (_, v) => String(v)),
    );
  }
  const managed = { kind: "managed", secret: MANAGED_SECRET } as const;
  const mac = hmacSignature(MANAGED_SECRET, cancelPayload(42n));
  assert.ok(signatureValid(managed, cancelBytes(42n), mac));
  assert.ok(!signatureValid(managed, cancelBytes(43n), mac));
  assert.ok(!signatureValid({ kind: "managed", secret: "other" }, cancelBytes(42n), mac));
});

test("values finer than the venue's precision are refused with the field named, never truncated", () => {
  const base = { nonce: 1n, quantity: "0.5", side: "BID" as const, maxFeesPercent: "0.00045" };
  assert.throws(
    () => orderPayload(ETH, { ...base, quantity: "0.0000000001" }),
    /ETH\/USDT-P order 1: quantity.*more than 9 decimals/,
  );
  assert.throws(
    () => orderPayload(ETH, { ...base, maxFeesPercent: "0.000000001" }),
    /maxFeesPercent.*more than 8 decimals/,
  );
  assert.throws(() => orderPayload(ETH, { ...base, quantity: "0" }), /quantity "0" must be positive/);
  assert.throws(
    () => orderPayload(ETH, { ...base, quantity: "-1" }),
    /quantity: "-1" is not a non-negative decimal/,
  );
  assert.throws(() => orderPayload({ ...ETH, id: -1 }, base), /contractId: -1 is not a 32-bit/);
});

test("the order body carries exactly the signed values", () => {
  const o = { nonce: 5n, quantity: "0.1", side: "BID" as const, price: "100", maxFeesPercent: "0.00045" };
  assert.deepEqual(orderBody(ETH, o, 13787, "ab"), {
    accountId: 13787,
    symbol: "ETH/USDT-P",
    nonce: 5,
    orderType: "LIMIT",
    side: "BID",
    quantity: "0.1",
    price: "100",
    maxFeesPercent: "0.00045",
    signature: "ab",
  });
  assert.equal(orderBody(ETH, { ...o, price: undefined }, 1, "ab").orderType, "MARKET");
});
