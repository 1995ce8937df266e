import assert from "node:assert/strict";
import { test } from "node:test";
import { ccxtGrvt } from "../../../testing/grvt-ccxt.ts";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { createOrderBody, type InstrumentScale, type OrderInput, signOrder } from "../signing.ts";
import {
  type AssetInfo,
  checkOrderSignature,
  grvtDomain,
  orderStructHash,
  type WireOrder,
} from "./verify.ts";

const KEY = "f7934647276a6e1fa0af3f4467b4b8ddaf45d25a7368fa1a295eef49a446819d";
const BTC: InstrumentScale = { instrument: "BTC_USDT_Perp", instrumentHash: "0x030501", baseDecimals: 9 };
const ASSETS = (i: string): AssetInfo | undefined =>
  i === "BTC_USDT_Perp" ? { hash: "0x030501", baseDecimals: 9 } : undefined;
const NOW = 1_767_000_000_000;

const ORDER: OrderInput = {
  subAccountId: "8289849667772468",
  isMarket: false,
  timeInForce: "GOOD_TILL_TIME",
  postOnly: true,
  reduceOnly: false,
  legs: [{ instrument: "BTC_USDT_Perp", size: "0.013", limitPrice: "68900.5", isBuyingAsset: true }],
  nonce: 12345,
  expirationNs: BigInt(NOW + 60_000) * 1_000_000n,
  clientOrderId: "77",
};

async function signed(chainId = 325): Promise<WireOrder> {
  const s = signerFromKeyBytes("secp256k1", Buffer.from(KEY, "hex"), "test");
  const sig = await signOrder(s, ORDER, new Map([[BTC.instrument, BTC]]), chainId);
  return createOrderBody(ORDER, sig).order as WireOrder;
}

test("the domain separator the emulator computes is the one grvt-pysdk publishes for testnet", () => {
  // tests/pysdk/test_grvt_raw_signing_intermediate_steps.py "header" (chain 326)
  assert.equal(
    Buffer.from(grvtDomain(326)).toString("hex"),
    "1254f97f8495f704630a238cbcd898a4b8ab20d77bb93e17049d3445f4f81f16",
  );
});

test("a connector-signed order verifies; every tampered signed field fails with 2002", async () => {
  const o = await signed();
  const ok = checkOrderSignature(o, 325, NOW, ASSETS);
  assert.deepEqual(ok, { ok: true, signer: o.signature.signer });
  const leg = o.legs[0];
  const tampered: WireOrder[] = [
    { ...o, sub_account_id: "8289849667772469" },
    { ...o, post_only: false },
    { ...o, reduce_only: true },
    { ...o, is_market: true },
    { ...o, time_in_force: "IMMEDIATE_OR_CANCEL" },
    { ...o, legs: [{ ...leg, size: "0.014" }] },
    { ...o, legs: [{ ...leg, limit_price: "68900.6" }] },
    { ...o, legs: [{ ...leg, is_buying_asset: false }] },
    { ...o, signature: { ...o.signature, nonce: 12346 } },
    { ...o, signature: { ...o.signature, expiration: String(BigInt(o.signature.expiration) + 1n) } },
    { ...o, signature: { ...o.signature, signer: "0x0000000000000000000000000000000000000001" } },
  ];
  for (const t of tampered) {
    const r = checkOrderSignature(t, 325, NOW, ASSETS);
    assert.equal(r.ok, false, JSON.stringify(t));
    if (!r.ok) assert.equal(r.code, 2002);
  }
  // trailing zeros in the text do not change the scaled value, so the signature still holds
  assert.equal(checkOrderSignature({ ...o, legs: [{ ...leg, size: "0.0130" }] }, 325, NOW, ASSETS).ok, true);
});

test("wrong chain, expired, too far out, bad v / r: the venue's codes", async () => {
  const o = await signed(326);
  const code = (x: WireOrder, chain = 326, now = NOW) => {
    const r = checkOrderSignature(x, chain, now, ASSETS);
    return r.ok ? 0 : r.code;
  };
  assert.equal(code(o), 0);
  assert.equal(code(o, 325), 1012);
  assert.equal(code(o, 326, NOW + 61_000), 2001);
  const far = {
    ...o,
    signature: { ...o.signature, expiration: String(BigInt(NOW + 31 * 86_400_000) * 1_000_000n) },
  };
  assert.equal(code(far), 2008);
  assert.equal(code({ ...o, signature: { ...o.signature, v: 29 } }), 2005);
  assert.equal(code({ ...o, signature: { ...o.signature, r: o.signature.r.slice(0, 60) } }), 2006);
});

test("an order signed by ccxt (builder struct, its default) is accepted too", () => {
  const ex = ccxtGrvt(KEY, true);
  const req = {
    sub_account_id: "8289849667772468",
    time_in_force: "GOOD_TILL_TIME",
    legs: [{ instrument: "BTC_USDT_Perp", size: "0.005", limit_price: "97000.1", is_buying_asset: false }],
    signature: {
      signer: "",
      r: "",
      s: "",
      v: 0,
      expiration: String(BigInt(NOW + 30_000) * 1_000_000n),
      nonce: 99,
      chain_id: "325",
    },
    metadata: { client_order_id: "5" },
    is_market: false,
    post_only: false,
    reduce_only: false,
    builder: ex.options.builder,
    builder_fee: String(ex.options.builderRate),
  };
  const out = ex.createSignedRequest(req, "EIP712_ORDER_WITH_BUILDER_TYPE") as WireOrder;
  assert.equal(checkOrderSignature(out, 325, NOW, ASSETS).ok, true);
  assert.equal(checkOrderSignature({ ...out, builder_fee: "0.02" }, 325, NOW, ASSETS).ok, false);
});

test("grvt-pysdk's builder-fee vector: the verifier's struct hash and the published signature", () => {
  // tests/pysdk/test_grvt_raw_signing_intermediate_steps.py test_sign_order_with_builder_fee_table
  const o: WireOrder = {
    sub_account_id: "8289849667772468",
    is_market: false,
    time_in_force: "GOOD_TILL_TIME",
    post_only: false,
    reduce_only: false,
    legs: [{ instrument: "BTC_USDT_Perp", size: "1.013", limit_price: "68900.5", is_buying_asset: false }],
    builder: "0xAbC1230001230001230001230001230001230001",
    builder_fee: "0.001",
    signature: {
      signer: "0xee2060eECaC18beC7F8F670D751801294911E445",
      r: "0xdc2e5a8cf643d1634dfc46d58912b387aec669e1892d95df12d8a1f45255e48a",
      s: "0x08d91e7b7218ee70ec3cbd605ea7dfa197960468355e1971a5eb3502ed122871",
      v: 27,
      expiration: "1730800479321350000",
      nonce: 828700936,
      chain_id: "326",
    },
  };
  assert.equal(
    Buffer.from(orderStructHash(o, ASSETS) ?? []).toString("hex"),
    "e25016c55a8577506f3d6218b660fc3c663cdaf2eded6517c9d501ca9f4addde",
  );
  const before = 1730800479321 - 1000;
  assert.equal(checkOrderSignature(o, 326, before, ASSETS).ok, true);
  assert.equal(checkOrderSignature({ ...o, builder_fee: "0.002" }, 326, before, ASSETS).ok, false);
});
