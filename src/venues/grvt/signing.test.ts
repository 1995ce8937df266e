import assert from "node:assert/strict";
import { test } from "node:test";
import { ccxtGrvt } from "../../testing/grvt-ccxt.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { hashStruct } from "../eip712/typed-data.ts";
import {
  createOrderBody,
  GRVT_CHAIN_IDS,
  grvtDomainSeparator,
  type InstrumentScale,
  ORDER_TYPES,
  type OrderInput,
  orderDigest,
  orderMessage,
  scaleDecimal,
  signOrder,
  walletLoginBody,
} from "./signing.ts";

/**
 * Vectors: `gravity-technologies/grvt-pysdk` tests/pysdk/test_grvt_raw_signing_intermediate_steps.py
 * (message data, domain separator "header", struct hash "body", digest, r/s/v and the signer
 * address, testnet chain 326) and tests/pysdk/test_grvt_raw_signing.py (r/s/v under a second key).
 * Mainnet (325) has no published vector: checked byte for byte against ccxt's own signer
 * (npm ccxt js/src/grvt.js `createSignedRequest`, builderFee off), a devDependency used only here.
 */
const BTC: InstrumentScale = { instrument: "BTC_USDT_Perp", instrumentHash: "0x030501", baseDecimals: 9 };
const INSTRUMENTS = new Map([[BTC.instrument, BTC]]);
const KEY_A = "c0663ca94684aead40c41a1cb3a94b68a24296e87245be3a186e882a29a15ee0";
const KEY_B = "f7934647276a6e1fa0af3f4467b4b8ddaf45d25a7368fa1a295eef49a446819d";
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const signer = (k: string) => signerFromKeyBytes("secp256k1", Buffer.from(k, "hex"), "test");

function order(size: string, limitPrice: string): OrderInput {
  return {
    subAccountId: "8289849667772468",
    isMarket: false,
    timeInForce: "GOOD_TILL_TIME",
    postOnly: false,
    reduceOnly: false,
    legs: [{ instrument: "BTC_USDT_Perp", size, limitPrice, isBuyingAsset: false }],
    nonce: 828700936,
    expirationNs: 1730800479321350000n,
    clientOrderId: "1",
  };
}

const CASES = [
  {
    name: "3 decimals",
    order: order("1.013", "68900.5"),
    contractSize: 1013000000n,
    limitPrice: 68900500000000n,
    body: "41650c08ab6e720f899307d7c2b4381a10c1301888375cec2dfefd6a583859eb",
    digest: "03cb7ca7b353969ab2c00ff92fd472f81f59a84d28fa1aa39128176f21062982",
    sigA: "205049c0db6e38fd88e4e46be81db7bc354520d52ec6268d210fa35b86c4f20a5c523d0ff8e6f12542fdcf34a6e6e2c547986b7c8fa53f86a5e656d9ab44b2fd1c",
    rB: "0xb00512d986a718b15136a8ba23de1c1ec84bbdb9958629cbbe4909bae620bb04",
    sB: "0x79f706de61c68cc14d7734594b5d8689df2b2a7b25951f9a3f61d799f4327ffc",
  },
  ...[
    ["9 decimals", "1.123123123", "68900.777123479"],
    ["10 decimals, rounded down", "1.1231231234", "68900.7771234794"],
    ["10 decimals ending in 9, still rounded down", "1.1231231239", "68900.7771234799"],
  ].map(([name, size, price]) => ({
    name,
    order: order(size, price),
    contractSize: 1123123123n,
    limitPrice: 68900777123479n,
    body: "e85ffec169d4ebd4b8057e5fbd31ed31d4511b2f2299bbce0adab6beb5fe2814",
    digest: "2d0a437f7d64523386974c2a729d69604f8e2a7f0684b7de923845d8b175ab69",
    sigA: "4279dbd734584fb07b016bce7d9f029e7f7f80e378dc65cddc06aa6b0c9e064a33835221a0fbcb700de3068169b45572a27756bff479f2887e8c89139e6f96091c",
    rB: "0x365ec79d299c8bcd5f2acff89faf741a90ca02a4b8a6b1b1a5d4f3d16130f9f0",
    sB: "0x465129bca7855f008ea5bc22fe3ee630e4a8e3b9b99c1745631deef29957048a",
  })),
];

test("grvt-pysdk intermediate vectors: message, domain separator, struct hash, digest, signature (testnet)", async () => {
  assert.equal(
    hex(grvtDomainSeparator(326)),
    "1254f97f8495f704630a238cbcd898a4b8ab20d77bb93e17049d3445f4f81f16",
  );
  for (const c of CASES) {
    const msg = orderMessage(c.order, INSTRUMENTS);
    const leg = (msg.legs as Record<string, unknown>[])[0];
    assert.equal(leg.contractSize, c.contractSize, c.name);
    assert.equal(leg.limitPrice, c.limitPrice, c.name);
    assert.equal(leg.assetID, "0x030501");
    assert.equal(msg.timeInForce, 1);
    assert.equal(hex(hashStruct("Order", msg, ORDER_TYPES)), c.body, c.name);
    assert.equal(hex(orderDigest(c.order, INSTRUMENTS, 326)), c.digest, c.name);
    const sig = await signOrder(signer(KEY_A), c.order, INSTRUMENTS, 326);
    assert.equal(sig.r.slice(2) + sig.s.slice(2) + sig.v.toString(16), c.sigA, c.name);
    assert.equal(sig.signer, "0xee2060eecac18bec7f8f670d751801294911e445");
    assert.equal(sig.expiration, "1730800479321350000");
    assert.equal(sig.chain_id, "326");
  }
});

test("grvt-pysdk test_sign_order_table: r, s, v under the second key (testnet)", async () => {
  for (const c of CASES) {
    const sig = await signOrder(signer(KEY_B), c.order, INSTRUMENTS, 326);
    assert.equal(sig.r, c.rB, c.name);
    assert.equal(sig.s, c.sB, c.name);
    assert.equal(sig.v, 28, c.name);
  }
});

const ccxtB = () => ccxtGrvt(KEY_B);

test("mainnet (325): byte-for-byte the same signature as ccxt's signer, market and post-only too", async () => {
  const ex = ccxtB();
  const variants: OrderInput[] = [
    {
      ...order("0.005", "97000.1"),
      legs: [{ instrument: "BTC_USDT_Perp", size: "0.005", limitPrice: "97000.1", isBuyingAsset: true }],
    },
    {
      ...order("0.01", "1"),
      isMarket: true,
      timeInForce: "IMMEDIATE_OR_CANCEL",
      reduceOnly: true,
      legs: [{ instrument: "BTC_USDT_Perp", size: "0.01", isBuyingAsset: false }],
    },
    { ...order("0.002", "95000"), postOnly: true, nonce: 4294967295 },
  ];
  for (const o of variants) {
    const ours = await signOrder(signer(KEY_B), o, INSTRUMENTS, GRVT_CHAIN_IDS.mainnet);
    const body = createOrderBody(o, { ...ours, r: "", s: "", v: 0, signer: "" }).order as Record<
      string,
      unknown
    >;
    const theirs = ex.createSignedRequest(structuredClone(body), "EIP712_ORDER_TYPE").signature;
    assert.equal(ours.r, theirs.r);
    assert.equal(ours.s, theirs.s);
    assert.equal(ours.v, theirs.v);
    assert.equal(ours.signer, theirs.signer.toLowerCase());
  }
});

test("scaling truncates, rejects what is not a plain decimal, and an unknown instrument throws", () => {
  assert.equal(scaleDecimal("0.1239", 3, "x"), 123n);
  assert.equal(scaleDecimal("7", 9, "x"), 7000000000n);
  assert.throws(() => scaleDecimal("-1", 9, "size"), /size "-1" is not a non-negative decimal/);
  assert.throws(() => scaleDecimal("1e3", 9, "size"), /not a non-negative decimal/);
  assert.throws(
    () =>
      orderMessage(
        { ...order("1", "1"), legs: [{ instrument: "ETH_USDT_Perp", size: "1", isBuyingAsset: true }] },
        INSTRUMENTS,
      ),
    /unknown instrument ETH_USDT_Perp/,
  );
});

test("wallet login: the same signature as ccxt's signInWithPrivateKey request (no published vector)", async () => {
  const ex = ccxtB();
  const expiration = 1767000030000000000n;
  const ours = await walletLoginBody(signer(KEY_B), 7, expiration, GRVT_CHAIN_IDS.mainnet);
  const req = {
    address: ours.address,
    signature: {
      signer: "",
      r: "",
      s: "",
      v: 0,
      expiration: expiration.toString(),
      nonce: 7,
      chain_id: "325",
    },
  };
  const theirs = ex.createSignedRequest(req, "EIP712_WALLETLOGIN_TYPE").signature;
  assert.equal(ours.signature.r, theirs.r);
  assert.equal(ours.signature.s, theirs.s);
  assert.equal(ours.signature.v, theirs.v);
  assert.equal(ours.address, theirs.signer.toLowerCase());
});
