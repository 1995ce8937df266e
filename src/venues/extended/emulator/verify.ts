/**
 * The emulator's own check of an Extended order settlement, sharing nothing with the connector's
 * signing module: the message is rebuilt here from the order body as received (qty, price, fee,
 * side, nonce, expiry) and the market's l2Config, following the venue's documented rules —
 * Rust reference x10xchange/rust-crypto-lib-base src/starknet_messages.rs (type texts,
 * Poseidon over [selector, fields…], "StarkNet Message" prefix, revision hashed as the integer
 * 1) and python_sdk order_object_settlement.py (amount rounding, expiry + 14 days). Hashing
 * uses @noble/hashes keccak (starknet_keccak = keccak-256 masked to 250 bits) and
 * @scure/starknet's poseidonHashMany primitive; the signature is checked with @scure/starknet's
 * verify (../../starknet/verify.ts).
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { poseidonHashMany } from "@scure/starknet";
import { verifyStarkKeySignature } from "../../starknet/verify.ts";

const P = (1n << 251n) + 17n * (1n << 192n) + 1n;
const MASK_250 = (1n << 250n) - 1n;

function snKeccak(text: string): bigint {
  return BigInt(`0x${Buffer.from(keccak_256(Buffer.from(text, "utf8"))).toString("hex")}`) & MASK_250;
}

function ascii(text: string): bigint {
  return text === "" ? 0n : BigInt(`0x${Buffer.from(text, "latin1").toString("hex")}`);
}

const q = (s: string) => `"${s}"`;
const members = (m: [string, string][]) => m.map(([n, t]) => `${q(n)}:${q(t)}`).join(",");
const TAIL = `${q("PositionId")}(${members([["value", "u32"]])})${q("AssetId")}(${members([["value", "felt"]])})${q("Timestamp")}(${members([["seconds", "u64"]])})`;
const ORDER_SEL = snKeccak(
  `${q("Order")}(${members([
    ["position_id", "felt"],
    ["base_asset_id", "AssetId"],
    ["base_amount", "i64"],
    ["quote_asset_id", "AssetId"],
    ["quote_amount", "i64"],
    ["fee_asset_id", "AssetId"],
    ["fee_amount", "u64"],
    ["expiration", "Timestamp"],
    ["salt", "felt"],
  ])})${TAIL}`,
);
const DOMAIN_SEL = snKeccak(
  `${q("StarknetDomain")}(${members([
    ["name", "shortstring"],
    ["version", "shortstring"],
    ["chainId", "shortstring"],
    ["revision", "shortstring"],
  ])})`,
);

export function domainOf(chainId: string): bigint {
  return poseidonHashMany([DOMAIN_SEL, ascii("Perpetuals"), ascii("v0"), ascii(chainId), 1n]);
}

/** a decimal text as numerator over 10^scale, or undefined */
function rational(text: string): { n: bigint; d: bigint } | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return undefined;
  const frac = m[2] ?? "";
  return { n: BigInt(m[1]! + frac), d: 10n ** BigInt(frac.length) };
}

function scaled(parts: { n: bigint; d: bigint }[], res: bigint, up: boolean): bigint {
  let n = res;
  let d = 1n;
  for (const p of parts) {
    n *= p.n;
    d *= p.d;
  }
  const whole = n / d;
  return up && whole * d !== n ? whole + 1n : whole;
}

export interface MarketL2 {
  readonly syntheticId: string;
  readonly collateralId: string;
  readonly syntheticResolution: number;
  readonly collateralResolution: number;
}

export interface ReceivedOrder {
  readonly side: string;
  readonly qty: string;
  readonly price: string;
  readonly fee: string;
  /** a builder's fee rate on top of `fee`, signed in the same fee amount (python_sdk total_fee) */
  readonly builderFee?: string;
  readonly nonce: string;
  readonly expiryEpochMillis: number;
}

/** The message hash the body's settlement must sign, or a reason it cannot be built. */
export function expectedOrderHash(
  o: ReceivedOrder,
  l2: MarketL2,
  vault: number,
  starkKey: string,
  chainId: string,
): { hash: bigint } | { error: string } {
  const qty = rational(o.qty);
  const price = rational(o.price);
  const baseFee = rational(o.fee);
  const builder = o.builderFee === undefined ? { n: 0n, d: 1n } : rational(o.builderFee);
  if (qty === undefined || price === undefined || baseFee === undefined || builder === undefined)
    return { error: "qty, price, fee and builderFee must be decimal strings" };
  const fee = { n: baseFee.n * builder.d + builder.n * baseFee.d, d: baseFee.d * builder.d };
  if (!/^\d+$/.test(o.nonce) || BigInt(o.nonce) >= 1n << 64n) return { error: "nonce must fit a u64" };
  const buy = o.side === "BUY";
  const synRes = BigInt(l2.syntheticResolution);
  const colRes = BigInt(l2.collateralResolution);
  const base = scaled([qty], synRes, buy);
  const quote = scaled([qty, price], colRes, buy);
  const feeAmount = scaled([fee, qty, price], colRes, true);
  const signedBase = buy ? base : P - base;
  const signedQuote = buy ? P - quote : quote;
  const expiration = BigInt(Math.ceil(o.expiryEpochMillis / 1000 + 14 * 86_400));
  const col = BigInt(l2.collateralId);
  const orderHash = poseidonHashMany([
    ORDER_SEL,
    BigInt(vault),
    BigInt(l2.syntheticId),
    signedBase,
    col,
    signedQuote,
    col,
    feeAmount,
    expiration,
    BigInt(o.nonce),
  ]);
  return {
    hash: poseidonHashMany([ascii("StarkNet Message"), domainOf(chainId), BigInt(starkKey), orderHash]),
  };
}

/** The settlement's {r, s} (0x-hex) checked against the account's Stark key. */
export function checkSettlementSignature(
  sig: { r?: unknown; s?: unknown },
  hash: bigint,
  starkKey: string,
): boolean {
  if (typeof sig.r !== "string" || typeof sig.s !== "string") return false;
  if (!/^0x[0-9a-fA-F]+$/.test(sig.r) || !/^0x[0-9a-fA-F]+$/.test(sig.s)) return false;
  return verifyStarkKeySignature(BigInt(sig.r), BigInt(sig.s), hash, starkKey);
}
