import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import {
  hmacSignature,
  MicroNonce,
  paramString,
  signedV1Text,
  signedV3Text,
  signerAddress,
  signV3,
  v3Digest,
} from "./signing.ts";

/**
 * Published HMAC-SHA256 examples. Source: Binance API documentation, "SIGNED Endpoint Examples
 * for POST /api/v3/order" (spot, key vmPUZE6m…, examples 1 to 3: query only, body only, mixed),
 * and Binance USDⓈ-M Futures "SIGNED Endpoint Examples for POST /fapi/v1/order" (key dbefbc80…).
 * Aster's V1 futures API is that scheme unchanged.
 */
const SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const FUTURES_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";

/**
 * A V3 request signed by ccxt 4.5.84 (`aster.sign("order", "fapiPrivate", "POST", …)` with
 * milliseconds() fixed at 1 700 000 000 000 and the private key below): an implementation that
 * shares nothing with ours. ccxt puts nonce/user/signer first; the venue hashes whatever order
 * is sent, so the message is the body as ccxt sent it.
 */
const CCXT_KEY = "0123456789012345678901234567890123456789012345678901234567890123";
const CCXT_MSG =
  "nonce=1700000000000000&user=0x14791697260e4c9a71f18484c9f997b308e59325&signer=0x14791697260e4c9a71f18484c9f997b308e59325&symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.001&price=60000&timeInForce=GTC";
const CCXT_SIG =
  "0x117b0db5fedf4f8e45da00709180a90034435c4fec21a26208e1a097336a1b950e72c9892580bb59f7a613674d98671fdcd2e88f7d468483a78902350a10c1301b";

const signer = () => signerFromKeyBytes("secp256k1", Buffer.from(CCXT_KEY, "hex"), "aster test key");

/** Recover the signing address with noble (independent of the connector's libsecp256k1 signer). */
function recover(msg: string, sigHex: string): string {
  const raw = Buffer.from(sigHex.slice(2), "hex");
  const sig = secp256k1.Signature.fromBytes(raw.subarray(0, 64), "compact").addRecoveryBit(raw[64] - 27);
  const pub = sig.recoverPublicKey(v3Digest(msg)).toBytes(false);
  return `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString("hex")}`;
}

describe("aster V1 HMAC signing: Binance's published examples", () => {
  it("spot example 1: query string only", () => {
    const q =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert.equal(
      hmacSignature(SPOT_SECRET, q),
      "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
    );
  });

  it("spot example 3: query and body concatenated without a separator", () => {
    assert.equal(
      hmacSignature(
        SPOT_SECRET,
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
        "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
      ),
      "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
    );
  });

  it("USDⓈ-M futures example, built through signedV1Text", () => {
    const text = signedV1Text(
      [
        ["symbol", "BTCUSDT"],
        ["side", "BUY"],
        ["type", "LIMIT"],
        ["quantity", 1],
        ["price", 9000],
        ["timeInForce", "GTC"],
      ],
      FUTURES_SECRET,
      1591702613943,
      5000,
    );
    assert.equal(
      text,
      "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
    );
  });

  it("a changed byte changes the signature", () => {
    assert.notEqual(
      hmacSignature(SPOT_SECRET, "symbol=LTCBTC&quantity=1"),
      hmacSignature(SPOT_SECRET, "symbol=LTCBTC&quantity=2"),
    );
  });
});

describe("aster V3 EIP-712 signing", () => {
  it("reproduces ccxt's signature of the same message byte for byte (RFC 6979 nonces)", async () => {
    assert.equal(await signV3(signer(), CCXT_MSG), CCXT_SIG);
  });

  it("the signer's address is the one ccxt derived for the key", () => {
    assert.equal(signerAddress(signer()), "0x14791697260e4c9a71f18484c9f997b308e59325");
  });

  it("signs the exact text it sends: nonce, user, signer appended; noble recovers the API wallet", async () => {
    const s = signer();
    const addr = signerAddress(s);
    const user = "0x00000000000000000000000000000000000000aa";
    const text = await signedV3Text(
      [
        ["symbol", "BTCUSDT"],
        ["newClientOrderId", "a b/c"],
        ["reduceOnly", undefined],
      ],
      { user, signerAddress: addr, signer: s },
      1_700_000_000_123_456,
    );
    const cut = text.lastIndexOf("&signature=");
    const msg = text.slice(0, cut);
    assert.equal(
      msg,
      `symbol=BTCUSDT&newClientOrderId=a%20b%2Fc&nonce=1700000000123456&user=${user}&signer=${addr}`,
    );
    assert.equal(recover(msg, text.slice(cut + 11)), addr);
    // one byte different: another address comes out (the venue would refuse the request)
    assert.notEqual(recover(msg.replace("BTCUSDT", "ETHUSDT"), text.slice(cut + 11)), addr);
  });

  it("refuses an ed25519 signer", async () => {
    const ed = signerFromKeyBytes("ed25519", new Uint8Array(32).fill(7), "ed");
    await assert.rejects(signV3(ed, "a=1"), /secp256k1/);
  });
});

describe("aster request text", () => {
  it("paramString keeps the order given and leaves out undefined values", () => {
    assert.equal(
      paramString([
        ["b", 2],
        ["a", undefined],
        ["c", true],
      ]),
      "b=2&c=true",
    );
  });

  it("microsecond nonces strictly increase within one millisecond", () => {
    const n = new MicroNonce();
    const a = n.next(1000);
    const b = n.next(1000);
    const c = n.next(999);
    assert.equal(a, 1_000_000);
    assert.ok(b > a && c > b, `${a} ${b} ${c}`);
    assert.equal(n.next(2000), 2_000_000);
  });
});
