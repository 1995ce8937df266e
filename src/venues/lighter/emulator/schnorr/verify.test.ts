import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { fp5ToBytesLE, P } from "./field.ts";
import { publicKeyFromSecret, signatureToBytes, signHashedWithNonce } from "./schnorr.ts";
import {
  type OfficialSigner,
  officialSigner,
  officialSignerMissing,
  type SignResult,
} from "./test-signer.ts";
import { UNDECODABLE } from "./test-vectors.ts";
import { authTokenMessageHash, parseTxInfo, TESTNET_CHAIN_ID, txMessageHash } from "./tx-hash.ts";
import {
  lighterTxHash,
  parseTxInfoJson,
  verifyLighterAuthToken,
  verifyLighterSignature,
  verifyLighterSignatureOnChain,
} from "./verify.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Our own fixed-nonce signature over a txInfo (independent of the WASM). */
function ownSigned(sk: bigint, txType: number, info: Record<string, unknown>): Record<string, unknown> {
  const parsed = parseTxInfo(txType, { ...info, Sig: Buffer.alloc(80).toString("base64") });
  assert.ok(typeof parsed !== "string", String(parsed));
  const sig = signHashedWithNonce(txMessageHash(304, txType, parsed), sk, 0xabcdef123456789n);
  return { ...info, Sig: Buffer.from(signatureToBytes(sig)).toString("base64") };
}

const ORDER_INFO = {
  AccountIndex: 281474976710650,
  ApiKeyIndex: 4,
  MarketIndex: 1,
  ClientOrderIndex: 77,
  BaseAmount: 1000,
  Price: 40000,
  IsAsk: 0,
  Type: 0,
  TimeInForce: 1,
  ReduceOnly: 0,
  TriggerPrice: 0,
  OrderExpiry: 1800000000000,
  ExpiredAt: 1790000000000,
  Nonce: 5,
};

describe("verifyLighterSignature: input handling (own fixed-nonce signatures)", () => {
  const sk = 0x1234567890abcdef1234567890abcdefn;
  const pk = `0x${hex(fp5ToBytesLE(publicKeyFromSecret(sk)))}`;
  const signed = ownSigned(sk, 14, ORDER_INFO);

  it("accepts a valid CreateOrder and the key with or without 0x", () => {
    assert.equal(verifyLighterSignature(14, signed, pk), undefined);
    assert.equal(verifyLighterSignature(14, signed, pk.slice(2).toUpperCase()), undefined);
    assert.equal(
      verifyLighterSignature(14, { ...signed, Price: "40000", Nonce: 5n }, pk),
      undefined,
      "decimal strings and bigints carry the same integers",
    );
  });

  it("names what is wrong", () => {
    assert.equal(verifyLighterSignature(99, signed, pk), "unknown tx type 99");
    assert.equal(verifyLighterSignature(14, { ...signed, Price: 40001 }, pk), "bad signature");
    assert.equal(verifyLighterSignatureOnChain(TESTNET_CHAIN_ID, 14, signed, pk), "bad signature");
    const { Price: _p, ...noPrice } = signed;
    assert.match(verifyLighterSignature(14, noPrice, pk) ?? "", /^bad txInfo for CreateOrder: Price: /);
    assert.match(
      verifyLighterSignature(14, { ...signed, BaseAmount: 1.5 }, pk) ?? "",
      /BaseAmount: expected a safe integer/,
    );
    assert.match(verifyLighterSignature(14, { ...signed, Nonce: "2e3" }, pk) ?? "", /Nonce: /);
    assert.match(
      verifyLighterSignature(14, { ...signed, Nonce: (1n << 64n).toString() }, pk) ?? "",
      /Nonce: outside the int64 range/,
    );
    assert.match(
      verifyLighterSignature(14, { ...signed, ApiKeyIndex: 256 }, pk) ?? "",
      /ApiKeyIndex: outside the uint8 range 0…255/,
    );
    assert.match(
      verifyLighterSignature(14, { ...signed, Price: -1 }, pk) ?? "",
      /Price: outside the uint32 range/,
    );
    assert.match(
      verifyLighterSignature(14, { ...signed, MarketIndex: 40000 }, pk) ?? "",
      /MarketIndex: outside the int16 range/,
    );
    assert.match(verifyLighterSignature(14, { ...signed, Sig: "AAAA" }, pk) ?? "", /Sig: expected 80 bytes/);
    assert.match(
      verifyLighterSignature(14, { ...signed, Sig: "not base64!" }, pk) ?? "",
      /Sig: expected base64/,
    );
    assert.match(
      verifyLighterSignature(14, signed, "0x1234") ?? "",
      /^bad public key: expected 40 bytes of hex/,
    );
    const undecodable = hex(fp5ToBytesLE(UNDECODABLE[0]!)); // TestBasicOps: encodes no point
    assert.equal(
      verifyLighterSignature(14, signed, undecodable),
      "bad public key: not a curve point encoding",
    );
  });

  it("keeps integers beyond 2^53 exact when parsing the JSON text", () => {
    const info = {
      FromAccountIndex: 9,
      ApiKeyIndex: 1,
      AssetIndex: 3,
      RouteType: 0,
      Amount: (1n << 60n) + 1n,
      ExpiredAt: 10,
      Nonce: 11,
    };
    const signedW = ownSigned(sk, 13, info);
    const text = JSON.stringify(signedW, (_k, v) =>
      typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v,
    ).replace(String(Number.MAX_SAFE_INTEGER), ((1n << 60n) + 1n).toString());
    const parsed = parseTxInfoJson(text);
    assert.ok(typeof parsed !== "string");
    assert.equal(parsed.Amount, (1n << 60n) + 1n);
    assert.equal(verifyLighterSignature(13, parsed, pk), undefined);
    assert.equal(
      verifyLighterSignature(13, JSON.parse(text), pk)?.startsWith(
        "bad txInfo for Withdraw: Amount: expected a safe integer",
      ),
      true,
    );
    assert.match(String(parseTxInfoJson("{")), /^bad txInfo: not JSON/);
    assert.equal(parseTxInfoJson("[1]"), "bad txInfo: expected a JSON object");
  });

  it("splits 64-bit amounts into 32-bit halves as Go does (arithmetic shift for int64)", () => {
    const base = {
      AccountIndex: 1,
      ApiKeyIndex: 0,
      MarketIndex: 2,
      Direction: 1,
      ExpiredAt: 3,
      Nonce: 4,
      Sig: signed.Sig,
    };
    const neg = parseTxInfo(29, { ...base, USDCAmount: -1 });
    assert.ok(typeof neg !== "string");
    assert.deepEqual(
      neg.elements.slice(5, 7),
      [0xffffffffn, (1n << 64n) - 1n - P],
      "-1 >> 32 = -1, as uint64 2^64 - 1, mod p",
    );
    const pos = parseTxInfo(29, { ...base, USDCAmount: 5_000_000_000 });
    assert.ok(typeof pos !== "string");
    assert.deepEqual(pos.elements.slice(5, 7), [5_000_000_000n & 0xffffffffn, 1n]);
  });

  it("hashes non-nil tx attributes into the message and ignores nil ones (tx_attributes.go)", () => {
    assert.equal(verifyLighterSignature(14, { ...signed, L2TxAttributes: null }, pk), undefined);
    assert.equal(
      verifyLighterSignature(14, { ...signed, L2TxAttributes: { "5": 255 } }, pk),
      undefined,
      "255 is CancelAllMarketIndex's nil",
    );
    assert.equal(verifyLighterSignature(14, { ...signed, L2TxAttributes: { "4": 1 } }, pk), "bad signature");
    const withSkip = ownSigned(sk, 14, { ...ORDER_INFO, L2TxAttributes: { "4": 1 } });
    assert.equal(verifyLighterSignature(14, withSkip, pk), undefined);
    assert.match(
      verifyLighterSignature(14, { ...signed, L2TxAttributes: { "9": 1 } }, pk) ?? "",
      /L2TxAttributes\.9: /,
    );
  });
});

describe("verifyLighterSignature against the official signer (Go→WASM)", {
  skip: officialSignerMissing,
}, () => {
  let s: OfficialSigner;
  let pub: string;
  const ACCOUNT = 123456;
  const KEY = 5;
  let nonce = 100;

  before(async () => {
    s = await officialSigner();
    const k = s.GenerateAPIKey();
    pub = k.publicKey;
    assert.equal(s.CreateClient("http://127.0.0.1:9", k.privateKey, 304, KEY, ACCOUNT).error, undefined);
  });

  function check(r: SignResult): Record<string, unknown> {
    assert.equal(r.error, undefined, r.error);
    const info = JSON.parse(r.txInfo) as Record<string, unknown>;
    const parsed = parseTxInfo(r.txType, info);
    assert.ok(typeof parsed !== "string", String(parsed));
    assert.equal(
      hex(fp5ToBytesLE(txMessageHash(304, r.txType, parsed))),
      r.txHash,
      "our message hash is the signer's txHash",
    );
    assert.equal(lighterTxHash(304, r.txType, info), r.txHash, "and so is the emulator's tx hash");
    assert.equal(verifyLighterSignature(r.txType, info, pub), undefined);
    return info;
  }

  it("CreateOrder signatures verify: limit, market, ask, reduce-only, stop-loss", () => {
    const orders: number[][] = [
      [0, 1, 1000, 40000, 0, 0, 1, 0, 0, 1800000000000],
      [3, 2, 5, 1, 1, 1, 0, 0, 0, 0],
      [1, 3, 281474976710655, 4294967295, 1, 0, 2, 1, 0, 1800000000000],
      [2, 281474976710655, 7, 123, 0, 2, 0, 1, 120, 1800000000000],
    ];
    for (const o of orders) check(s.SignCreateOrder(...o, nonce++, KEY, ACCOUNT));
  });

  it("CancelOrder, CancelAllOrders, ModifyOrder, UpdateLeverage, Withdraw, UpdateMargin, ChangePubKey signatures verify", () => {
    check(s.SignCancelOrder(3, 281474976710700, nonce++, KEY, ACCOUNT));
    check(s.SignCancelAllOrders(1, 1800000000000, nonce++, KEY, ACCOUNT));
    check(s.SignModifyOrder(3, 281474976710700, 2000, 41000, 0, nonce++, KEY, ACCOUNT));
    check(s.SignUpdateLeverage(3, 500, 1, nonce++, KEY, ACCOUNT));
    check(s.SignWithdraw(3, 0, 5_000_000_000, nonce++, KEY, ACCOUNT)); // Amount split in 32-bit halves
    check(s.SignUpdateMargin(2, 5_000_000_000, 1, nonce++, KEY, ACCOUNT));
    const cp = check(s.SignChangePubKey(pub, nonce++, KEY, ACCOUNT));
    assert.equal(Buffer.from(String(cp.PubKey), "base64").toString("hex"), pub.slice(2));
  });

  it("an auth token verifies, and a changed one does not", () => {
    const tok = s.CreateAuthToken(1800000000, KEY, ACCOUNT).authToken;
    assert.deepEqual(verifyLighterAuthToken(tok, pub), {
      deadline: 1800000000,
      accountIndex: ACCOUNT,
      apiKeyIndex: KEY,
    });
    assert.equal(verifyLighterAuthToken(tok.replace("1800000000:", "1800000001:"), pub), "bad signature");
    assert.match(String(verifyLighterAuthToken("1:2:3:abc", pub)), /^bad auth token/);
    assert.ok(authTokenMessageHash("1:2:3").length === 5);
  });

  it("any tampered field, signature byte, key or chain is rejected", () => {
    const info = check(
      s.SignCreateOrder(1, 42, 1000, 40000, 0, 0, 1, 0, 0, 1800000000000, nonce++, KEY, ACCOUNT),
    );
    for (const field of Object.keys(info)) {
      if (field === "Sig") continue;
      const v = info[field] as number;
      assert.equal(
        verifyLighterSignature(14, { ...info, [field]: v + 1 }, pub),
        "bad signature",
        `${field} + 1`,
      );
    }
    const sig = Buffer.from(String(info.Sig), "base64");
    for (const byte of [0, 17, 39, 40, 63, 79]) {
      const t = Buffer.from(sig);
      t[byte]! ^= 0x01;
      assert.equal(
        verifyLighterSignature(14, { ...info, Sig: t.toString("base64") }, pub),
        "bad signature",
        `Sig byte ${byte}`,
      );
    }
    const other = s.GenerateAPIKey().publicKey;
    assert.equal(verifyLighterSignature(14, info, other), "bad signature");
    assert.equal(verifyLighterSignatureOnChain(TESTNET_CHAIN_ID, 14, info, pub), "bad signature");
    assert.equal(
      verifyLighterSignature(15, info, pub)?.startsWith("bad txInfo for CancelOrder: Index"),
      true,
    );
  });

  it("a testnet client's signatures verify on chain 300 only", () => {
    const k = s.GenerateAPIKey();
    assert.equal(s.CreateClient("http://127.0.0.1:9", k.privateKey, TESTNET_CHAIN_ID, 2, 9).error, undefined);
    const r = s.SignCancelOrder(0, 281474976710656, 1, 2, 9);
    const info = JSON.parse(r.txInfo) as Record<string, unknown>;
    assert.equal(verifyLighterSignatureOnChain(TESTNET_CHAIN_ID, 15, info, k.publicKey), undefined);
    assert.equal(verifyLighterSignature(15, info, k.publicKey), "bad signature");
  });
});
