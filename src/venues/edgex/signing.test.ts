import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import ccxt from "ccxt";
import { signerFromKeyBytes, withHmac } from "../../wallets/signer.ts";
import { TYPES } from "./emulator/verify.ts";
import {
  contentOf,
  domainSeparator,
  hmacHex,
  type LimitOrderMessage,
  nonceOf,
  orderDigest,
  queryContent,
  signedText,
  signerAddress,
  signOrder,
} from "./signing.ts";

/**
 * HMAC vectors: produced by running the official SDK's own functions (edgex-Tech/edgex-python-sdk
 * commit ba99804, `edgex_sdk/internal/auth.py` `get_value` and `build_hmac_signature`, stdlib
 * only) on these inputs; the query sort is `make_authenticated_request`'s. EdgeX publishes no
 * order-signature vector (the SDK's `tests/test_eip712_signing.py` only checks lengths), so the
 * EIP-712 digest is cross-checked byte for byte against ccxt's independent TypedDataEncoder
 * (`Exchange.ethEncodeStructuredData`, ccxt 4.5.84) on the SDK's own domain and message shape,
 * and the signature is recovered with @noble/curves.
 */
const SECRET = "bG9yZW0taXBzdW0tc2VjcmV0LWZvci10ZXN0cw";
const TS = "1736313025024";

// the SDK's test key and domain (tests/test_client.py, tests/test_eip712_signing.py)
const KEY = Buffer.from("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "hex");
const CONTRACT = "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1";

describe("edgex HMAC request auth (official SDK vectors)", () => {
  it("flattens a body as get_value does: sorted keys, lists joined by &, false, null as empty", () => {
    const body = {
      accountId: "12345",
      clientOrderIdList: ["7001", "7002"],
      reduceOnly: false,
      openTp: null,
      nested: { b: 1, a: "x" },
    };
    assert.equal(
      contentOf(body),
      "accountId=12345&clientOrderIdList=7001&7002&nested=a=x&b=1&openTp=&reduceOnly=false",
    );
    const text = signedText(TS, "post", "/api/v2/private/order/cancelOrderByClientOrderId", contentOf(body));
    assert.equal(hmacHex(SECRET, text), "ea6d1af1475d4815cfd2b9649c66e9dd05de934df032c7d7aa82a59df8bff1b2");
  });

  it("signs a GET over its sorted query pairs", () => {
    const q = queryContent({
      accountId: "544159487963955214",
      size: "10",
      filterTypeList: "SETTLE_FUNDING_FEE",
    });
    assert.equal(q, "accountId=544159487963955214&filterTypeList=SETTLE_FUNDING_FEE&size=10");
    const text = signedText(TS, "GET", "/api/v2/private/account/getPositionTransactionPage", q);
    assert.equal(hmacHex(SECRET, text), "0c1fa11f77ceda9d03d5fbd3af1d7446db8a33d2c1c3e11a6738dfa069beacc4");
    assert.notEqual(hmacHex(`${SECRET}x`, text), hmacHex(SECRET, text));
  });

  it("the keystore signer's HMAC (key form base64-text) gives the same signature", () => {
    const signer = withHmac(
      signerFromKeyBytes("secp256k1", KEY, "hmac test"),
      Buffer.from(SECRET),
      "base64-text",
    );
    const text = signedText(
      TS,
      "GET",
      "/api/v2/private/account/getPositionTransactionPage",
      "accountId=544159487963955214&filterTypeList=SETTLE_FUNDING_FEE&size=10",
    );
    const mac = signer.hmacSha256?.(new TextEncoder().encode(text));
    assert.ok(mac !== undefined);
    assert.equal(
      Buffer.from(mac).toString("hex"),
      "0c1fa11f77ceda9d03d5fbd3af1d7446db8a33d2c1c3e11a6738dfa069beacc4",
    );
    assert.equal(signer.scheme, "secp256k1");
    assert.doesNotMatch(JSON.stringify(signer), new RegExp(SECRET));
  });

  it("derives l2Nonce from the client order id as calc_nonce does", () => {
    assert.equal(nonceOf("client-1"), 1459936792n);
    assert.equal(nonceOf("1733000000000000001"), 1574726153n);
  });
});

describe("edgex EIP-712 order signature", () => {
  const signer = signerFromKeyBytes("secp256k1", KEY, "edgex signing test");
  const address = signerAddress(signer);
  const msg: LimitOrderMessage = {
    nonce: nonceOf("client-1"),
    signer: address,
    accountId: 12345n,
    expirationTimestamp: 1_718_000_000n,
    // tests/test_order_requests.py: size 0.1 at 123.45, resolution 1000 / 1000000, fee 0.001 ceil
    amountSynthetic: 100n,
    amountCollateral: 12_345_000n,
    amountFee: 1_000_000n,
    assetIdSynthetic: 10000001n,
    assetIdCollateral: 1000n,
    isBuyingSynthetic: true,
  };
  const domain = { chainId: 33431n, verifyingContract: CONTRACT };

  it("the digest equals ccxt's TypedDataEncoder of the SDK's typed data", () => {
    const ex = new ccxt.Exchange();
    // the emulator's copy of the SDK's type lists (eip712.py), which shares nothing with signing.ts
    const types = { OrderBase: TYPES.OrderBase, LimitOrderParams: TYPES.LimitOrderParams };
    const message = {
      base: {
        nonce: msg.nonce.toString(),
        signer: address,
        accountId: "12345",
        expirationTimestamp: "1718000000",
      },
      amountSynthetic: "100",
      amountCollateral: "12345000",
      amountFee: "1000000",
      assetIdSynthetic: "10000001",
      assetIdCollateral: "1000",
      isBuyingSynthetic: true,
      parentOrderHash: `0x${"00".repeat(32)}`,
      subOrderIndex: "0",
    };
    const encoded = ex.ethEncodeStructuredData(
      { name: "EdgeX", version: "1", chainId: 33431, verifyingContract: CONTRACT },
      types,
      message,
    );
    const theirs = Buffer.from(keccak_256(encoded)).toString("hex");
    assert.equal(Buffer.from(orderDigest(domainSeparator(domain), msg)).toString("hex"), theirs);
    // a different side is a different digest
    const sell = orderDigest(domainSeparator(domain), { ...msg, isBuyingSynthetic: false });
    assert.notEqual(Buffer.from(sell).toString("hex"), theirs);
  });

  it("the signature is r‖s‖v and recovers (noble) to the trading key's address", async () => {
    const digest = orderDigest(domainSeparator(domain), msg);
    const hex = await signOrder(signer, digest);
    assert.match(hex, /^[0-9a-f]{130}$/);
    const v = Number.parseInt(hex.slice(128), 16);
    assert.ok(v === 27 || v === 28);
    const sig = Buffer.from(hex, "hex");
    const recovered = secp256k1.Signature.fromBytes(sig.subarray(0, 64), "compact")
      .addRecoveryBit(v - 27)
      .recoverPublicKey(digest)
      .toBytes(false);
    const addr = `0x${Buffer.from(keccak_256(recovered.subarray(1)).subarray(12)).toString("hex")}`;
    assert.equal(addr, address);
    // the address tests/test_order_requests.py pairs with the SDK test key (0xFCAd0B19…377c)
    assert.equal(address, "0xfcad0b19bb29d4674531d6f115237e16afce377c");
  });
});
