import { createHash, createHmac, type KeyObject } from "node:crypto";
import { InvalidValueError } from "../../core/errors.ts";
import type { AccountSigner } from "../../core/venue-account.ts";

/**
 * Hibachi request signing (no I/O). Facts from hibachi-xyz/hibachi_sdk python/hibachi_xyz/api.py
 * (`__create_or_update_order_payload`, `price_to_bytes`, `__cancel_order_payload`,
 * `__sign_payload`) and ccxt js/src/hibachi.js (`orderMessage`, `signMessage`):
 *
 *   order (create and update) = nonce u64 ‖ contractId u32 ‖ quantity u64 ‖ side u32 ‖ [price u64] ‖ maxFees u64
 *
 * all big-endian; quantity = q × 10^underlyingDecimals, side ASK 0 / BID 1, price = p × 2^32 ×
 * 10^(settlementDecimals − underlyingDecimals) (absent for a market order), maxFeesPercent × 10^8,
 * each truncated toward zero by both clients. A cancel signs the order id (or the order's nonce)
 * as u64. Wallet ("trustless") accounts sign sha256(payload) with secp256k1 and send r ‖ s ‖ v
 * (v the recovery id) as 130 hex digits; exchange-managed accounts send hex HMAC-SHA256 of the
 * payload keyed with the API secret's text.
 *
 * Quantities and fee caps are never truncated here: one finer than its scale (a quantity below
 * 10^-underlyingDecimals, a fee below 1e-8) is refused with the field named, so the signed
 * integer is exactly the body's decimal. The price alone is truncated, as the venue itself does
 * when it rebuilds the bytes from the body's decimal price (the 2^32 grid is binary).
 */

/** The contract facts a payload needs (from /market/exchange-info `futureContracts`). */
export interface ContractScale {
  readonly symbol: string;
  readonly id: number;
  readonly underlyingDecimals: number;
  readonly settlementDecimals: number;
}

export type HibachiSide = "BID" | "ASK";

export interface OrderFields {
  readonly nonce: bigint;
  readonly quantity: string;
  readonly side: HibachiSide;
  /** absent: a market order */
  readonly price?: string;
  readonly maxFeesPercent: string;
}

const DEC_RE = /^(\d+)(?:\.(\d*))?$/;

/** An exact non-negative decimal text as numerator / 10^scale. */
export function parseDecimal(text: string, what: string): { n: bigint; scale: number } {
  const m = DEC_RE.exec(text);
  if (m === null) throw new InvalidValueError(`${what}: "${text}" is not a non-negative decimal number`);
  const frac = (m[2] ?? "").replace(/0+$/, "");
  return { n: BigInt(m[1] + frac), scale: frac.length };
}

/** `text` × 10^decimals as an integer; refuses digits finer than 10^-decimals. */
export function scaled(text: string, decimals: number, what: string): bigint {
  const { n, scale } = parseDecimal(text, what);
  if (scale > decimals)
    throw new InvalidValueError(
      `${what}: "${text}" has more than ${decimals} decimals, the venue's precision`,
    );
  return n * 10n ** BigInt(decimals - scale);
}

const U64_MAX = (1n << 64n) - 1n;
const TWO32 = 1n << 32n;

function u64(v: bigint, what: string): Uint8Array {
  if (v < 0n || v > U64_MAX) throw new InvalidValueError(`${what}: ${v} does not fit in 64 bits`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

function u32(v: number, what: string): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new InvalidValueError(`${what}: ${v} is not a 32-bit unsigned integer`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v);
  return out;
}

/**
 * A price as the venue's fixed point: p × 2^32 × 10^(settlement − underlying), truncated toward
 * zero as both clients do (the grid is binary, so a decimal tick rarely lands on it exactly).
 */
export function priceInternal(price: string, c: ContractScale): bigint {
  const { n, scale } = parseDecimal(price, `${c.symbol} price`);
  const shift = c.settlementDecimals - c.underlyingDecimals - scale;
  const num = n * TWO32 * (shift > 0 ? 10n ** BigInt(shift) : 1n);
  return shift >= 0 ? num : num / 10n ** BigInt(-shift);
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** The bytes a create-order or update-order request signs. */
export function orderPayload(c: ContractScale, o: OrderFields): Uint8Array {
  const w = `${c.symbol} order ${o.nonce}`;
  const qty = scaled(o.quantity, c.underlyingDecimals, `${w}: quantity`);
  if (qty === 0n) throw new InvalidValueError(`${w}: quantity "${o.quantity}" must be positive`);
  const parts = [
    u64(o.nonce, `${w}: nonce`),
    u32(c.id, `${w}: contractId`),
    u64(qty, `${w}: quantity`),
    u32(o.side === "ASK" ? 0 : 1, `${w}: side`),
  ];
  if (o.price !== undefined) parts.push(u64(priceInternal(o.price, c), `${w}: price`));
  parts.push(u64(scaled(o.maxFeesPercent, 8, `${w}: maxFeesPercent`), `${w}: maxFeesPercent`));
  return concat(parts);
}

/** The bytes a cancel signs: the order id, or the nonce the order was placed with, as u64. */
export function cancelPayload(idOrNonce: bigint): Uint8Array {
  return u64(idOrNonce, "cancel: orderId/nonce");
}

/** The digest a wallet account's secp256k1 signer signs. */
export function payloadDigest(payload: Uint8Array): Uint8Array {
  return createHash("sha256").update(payload).digest();
}

/** A wallet account's signature: 130 hex digits r ‖ s ‖ v (v = recovery id 0 or 1). */
export async function walletSignature(signer: AccountSigner, payload: Uint8Array): Promise<string> {
  if (signer.scheme !== "secp256k1")
    throw new InvalidValueError(`Hibachi wallet accounts sign with secp256k1, not ${signer.scheme}`);
  const sig = await signer.sign(payloadDigest(payload));
  if (sig.length !== 65) throw new InvalidValueError(`secp256k1 signer returned ${sig.length} bytes, not 65`);
  return Buffer.from(sig).toString("hex");
}

/** An exchange-managed account's signature: hex HMAC-SHA256 keyed with the API secret's text. */
export function hmacSignature(secret: string | KeyObject, payload: Uint8Array): string {
  return createHmac("sha256", secret).update(payload).digest("hex");
}

/** The same signature from an exchange-managed account's signer (the secret stays inside it). */
export function managedSignature(signer: AccountSigner, payload: Uint8Array): string {
  if (signer.hmacSha256 === undefined)
    throw new InvalidValueError(
      `Hibachi managed accounts sign by HMAC: the ${signer.scheme} signer carries no API secret`,
    );
  return Buffer.from(signer.hmacSha256(payload)).toString("hex");
}

/**
 * Execution flags (hibachi_sdk types.py OrderFlags; the request's `orderFlags`). They are not
 * part of the signed bytes.
 */
export type OrderFlag = "POST_ONLY" | "IOC" | "REDUCE_ONLY";

/** The order-request body fields for `o`, with its signature. */
export function orderBody(
  c: ContractScale,
  o: OrderFields,
  accountId: number,
  signature: string,
  orderFlags?: OrderFlag,
): Record<string, string | number> {
  const body: Record<string, string | number> = {
    accountId,
    symbol: c.symbol,
    nonce: Number(o.nonce),
    orderType: o.price === undefined ? "MARKET" : "LIMIT",
    side: o.side,
    quantity: o.quantity,
    maxFeesPercent: o.maxFeesPercent,
    signature,
  };
  if (o.price !== undefined) body.price = o.price;
  if (orderFlags !== undefined) body.orderFlags = orderFlags;
  return body;
}
