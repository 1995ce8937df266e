/**
 * The Hibachi emulator's signature check, written from the venue's documented scheme and sharing
 * nothing with the connector (../signing.ts): its own byte layout with Buffer writers, its own
 * decimal scaling, `@noble/hashes` sha256 and `@noble/curves` recovery (the connector signs with
 * libsecp256k1 and hashes with node:crypto).
 *
 * Scheme (hibachi-xyz/hibachi_sdk python/hibachi_xyz/api.py, api-doc.hibachi.xyz "Signature"):
 * an order signs nonce(8) contractId(4) quantity(8) side(4) [price(8)] maxFeesPercent(8),
 * big-endian, quantity × 10^underlyingDecimals, side ASK=0 BID=1, price × 2^32 ×
 * 10^(settlementDecimals − underlyingDecimals) truncated, maxFeesPercent × 10^8; a cancel signs the
 * order id or nonce (8). Trustless accounts: 65-byte r‖s‖v hex over sha256(payload), the
 * recovered key must be the account's; managed accounts: hex HMAC-SHA256 keyed by the secret.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";

export interface EmuContract {
  readonly id: number;
  readonly underlyingDecimals: number;
  readonly settlementDecimals: number;
}

/** Integer of `text` × 10^k, or undefined when `text` is not a plain decimal or finer than 10^-k. */
function times10(text: string, k: number): bigint | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const [whole, frac = ""] = text.split(".");
  const f = frac.replace(/0+$/, "");
  if (f.length > k) return undefined;
  return BigInt(whole + f.padEnd(k, "0"));
}

/** The venue's fixed-point price, floor(p × 2^32 × 10^d) for d = settlement − underlying. */
function fixedPrice(text: string, c: EmuContract): bigint | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const [whole, frac = ""] = text.split(".");
  const num = BigInt(whole + frac) << 32n;
  const d = c.settlementDecimals - c.underlyingDecimals - frac.length;
  return d >= 0 ? num * 10n ** BigInt(d) : num / 10n ** BigInt(-d);
}

export interface OrderToCheck {
  readonly nonce: bigint;
  readonly quantity: string;
  readonly side: string;
  readonly price?: string;
  readonly maxFeesPercent: string;
}

/** The signed bytes of an order as the venue rebuilds them from the request, or a reason why not. */
export function orderBytes(c: EmuContract, o: OrderToCheck): Buffer | string {
  const q = times10(o.quantity, c.underlyingDecimals);
  if (q === undefined)
    return `quantity ${o.quantity} is not a decimal of at most ${c.underlyingDecimals} places`;
  const fee = times10(o.maxFeesPercent, 8);
  if (fee === undefined) return `maxFeesPercent ${o.maxFeesPercent} is not a decimal of at most 8 places`;
  if (o.side !== "BID" && o.side !== "ASK") return `side ${o.side} is neither BID nor ASK`;
  const buf = Buffer.alloc(o.price === undefined ? 32 : 40);
  buf.writeBigUInt64BE(o.nonce, 0);
  buf.writeUInt32BE(c.id, 8);
  buf.writeBigUInt64BE(q, 12);
  buf.writeUInt32BE(o.side === "BID" ? 1 : 0, 20);
  let at = 24;
  if (o.price !== undefined) {
    const p = fixedPrice(o.price, c);
    if (p === undefined) return `price ${o.price} is not a decimal`;
    buf.writeBigUInt64BE(p, at);
    at += 8;
  }
  buf.writeBigUInt64BE(fee, at);
  return buf;
}

export function cancelBytes(idOrNonce: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(idOrNonce, 0);
  return buf;
}

/** How an account proves its requests: its secp256k1 public key, or an HMAC secret. */
export type AccountKey =
  | { readonly kind: "trustless"; readonly publicKeyHex: string }
  | { readonly kind: "managed"; readonly secret: string };

/** True when `sigHex` is the account's signature over `bytes`. */
export function signatureValid(key: AccountKey, bytes: Uint8Array, sigHex: string): boolean {
  if (key.kind === "managed") {
    if (!/^[0-9a-f]{64}$/.test(sigHex)) return false;
    const want = createHmac("sha256", key.secret).update(bytes).digest();
    return timingSafeEqual(want, Buffer.from(sigHex, "hex"));
  }
  if (!/^[0-9a-fA-F]{130}$/.test(sigHex)) return false;
  const raw = Buffer.from(sigHex, "hex");
  const v = raw[64] >= 27 ? raw[64] - 27 : raw[64];
  if (v !== 0 && v !== 1) return false;
  try {
    const sig = secp256k1.Signature.fromBytes(raw.subarray(0, 64), "compact").addRecoveryBit(v);
    const recovered = sig.recoverPublicKey(sha256(bytes));
    const want = secp256k1.Point.fromHex(key.publicKeyHex);
    return recovered.equals(want);
  } catch {
    return false;
  }
}
