/**
 * The GRVT emulator's order-signature check, written from the venue's documentation
 * (https://api-docs.grvt.io "Order Signing"; the struct and domain as grvt-pysdk
 * `src/pysdk/grvt_raw_signing.py` and ccxt `eipDefinitions` publish them) and sharing NOTHING
 * with the connector's signer (`../signing.ts`, `../../eip712/`): the two struct encodings are
 * spelled out field by field here, hashed with `@noble/hashes` keccak, and the signer recovered
 * with `@noble/curves` secp256k1.
 *
 * Like the venue it hashes what the order says, not what the client claims: the sizes and prices
 * of the wire `legs` are re-scaled from their decimal text with the instrument's decimals, so a
 * leg changed after signing recovers to some other address ("Signature does not match payload").
 * Orders carrying a `builder` use the `OrderWithBuilderFee` struct (ccxt signs that one by default;
 * builderFee is the fee × 10^4, grvt-pysdk's "10 centibeeps" for 0.001).
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

const text = (s: string) => new TextEncoder().encode(s);
const LEG_TYPE = "OrderLeg(uint256 assetID,uint64 contractSize,uint64 limitPrice,bool isBuyingContract)";
const ORDER_TYPE = `Order(uint64 subAccountID,bool isMarket,uint8 timeInForce,bool postOnly,bool reduceOnly,OrderLeg[] legs,uint32 nonce,int64 expiration)${LEG_TYPE}`;
const BUILDER_ORDER_TYPE = `OrderWithBuilderFee(uint64 subAccountID,bool isMarket,uint8 timeInForce,bool postOnly,bool reduceOnly,OrderLeg[] legs,address builder,uint32 builderFee,uint32 nonce,int64 expiration)${LEG_TYPE}`;
const LEG_HASH = keccak_256(text(LEG_TYPE));
const ORDER_HASH = keccak_256(text(ORDER_TYPE));
const BUILDER_ORDER_HASH = keccak_256(text(BUILDER_ORDER_TYPE));

/** The signed codes of the wire time-in-force names (docs "TimeInForce"). */
export const TIF_CODE: Readonly<Record<string, number>> = {
  GOOD_TILL_TIME: 1,
  ALL_OR_NONE: 2,
  IMMEDIATE_OR_CANCEL: 3,
  FILL_OR_KILL: 4,
};

/** A 32-byte big-endian word; two's complement for negatives. */
function u256(x: bigint): Buffer {
  const v = x < 0n ? (1n << 256n) + x : x;
  return Buffer.from(v.toString(16).padStart(64, "0"), "hex");
}

/** Decimal text times 10^places, digits past `places` dropped (the venue truncates). */
export function fixedPoint(value: string, places: number): bigint | undefined {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(value);
  if (m === null) return undefined;
  const frac = (m[2] ?? "").padEnd(places, "0").slice(0, places);
  return BigInt(`${m[1]}${frac}`);
}

export interface WireLeg {
  readonly instrument: string;
  readonly size: string;
  readonly limit_price?: string | null;
  readonly is_buying_asset: boolean;
}
export interface WireSignature {
  readonly signer: string;
  readonly r: string;
  readonly s: string;
  readonly v: number | string;
  readonly expiration: string;
  readonly nonce: number | string;
  readonly chain_id?: string | number;
}
export interface WireOrder {
  readonly sub_account_id: string;
  readonly is_market?: boolean;
  readonly time_in_force: string;
  readonly post_only?: boolean;
  readonly reduce_only?: boolean;
  readonly legs: readonly WireLeg[];
  readonly signature: WireSignature;
  readonly builder?: string;
  readonly builder_fee?: string;
}
export interface AssetInfo {
  readonly hash: string;
  readonly baseDecimals: number;
}

/** keccak of the order struct exactly as the venue encodes it; undefined when a value cannot be read. */
export function orderStructHash(
  o: WireOrder,
  assets: (instrument: string) => AssetInfo | undefined,
): Uint8Array | undefined {
  const legs: Buffer[] = [];
  for (const leg of o.legs) {
    const a = assets(leg.instrument);
    if (a === undefined) return undefined;
    const size = fixedPoint(leg.size, a.baseDecimals);
    const price = leg.limit_price == null ? 0n : fixedPoint(leg.limit_price, 9);
    if (size === undefined || price === undefined) return undefined;
    legs.push(
      Buffer.from(
        keccak_256(
          Buffer.concat([
            LEG_HASH,
            u256(BigInt(a.hash)),
            u256(size),
            u256(price),
            u256(leg.is_buying_asset ? 1n : 0n),
          ]),
        ),
      ),
    );
  }
  const tif = TIF_CODE[o.time_in_force];
  if (tif === undefined) return undefined;
  const head = [
    u256(BigInt(o.sub_account_id)),
    u256(o.is_market ? 1n : 0n),
    u256(BigInt(tif)),
    u256(o.post_only ? 1n : 0n),
    u256(o.reduce_only ? 1n : 0n),
    Buffer.from(keccak_256(Buffer.concat(legs))),
  ];
  const tail = [u256(BigInt(o.signature.nonce)), u256(BigInt(o.signature.expiration))];
  if (o.builder !== undefined && o.builder !== "" && o.builder !== "0x00") {
    const fee = fixedPoint(o.builder_fee ?? "0", 4);
    if (fee === undefined) return undefined;
    return keccak_256(
      Buffer.concat([BUILDER_ORDER_HASH, ...head, u256(BigInt(o.builder)), u256(fee), ...tail]),
    );
  }
  return keccak_256(Buffer.concat([ORDER_HASH, ...head, ...tail]));
}

/** The domain separator of `{name:"GRVT Exchange", version:"0", chainId}` (no verifyingContract). */
export function grvtDomain(chainId: number): Uint8Array {
  const t = keccak_256(text("EIP712Domain(string name,string version,uint256 chainId)"));
  return keccak_256(
    Buffer.concat([t, keccak_256(text("GRVT Exchange")), keccak_256(text("0")), u256(BigInt(chainId))]),
  );
}

/** The lowercase address that signed `digest`, or undefined when r/s/v do not form a valid signature. */
export function recoverSigner(digest: Uint8Array, sig: WireSignature): string | undefined {
  const v = Number(sig.v);
  if (v !== 27 && v !== 28) return undefined;
  if (!/^0x[0-9a-fA-F]{64}$/.test(sig.r) || !/^0x[0-9a-fA-F]{64}$/.test(sig.s)) return undefined;
  try {
    const s = new secp256k1.Signature(BigInt(sig.r), BigInt(sig.s), v - 27);
    if (s.hasHighS()) return undefined;
    const pub = s.recoverPublicKey(digest).toBytes(false);
    return `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString("hex")}`;
  } catch {
    return undefined;
  }
}

export type SignatureCheck =
  | { readonly ok: true; readonly signer: string }
  | { readonly ok: false; readonly code: number; readonly message: string };

/**
 * The venue's checks, in its order: chain id (1012), v (2005), r/s form (2006), expiry (2001) and
 * its 30-day ceiling (2008), then the payload hash (2002 when the recovered address is not the
 * claimed signer).
 */
export function checkOrderSignature(
  o: WireOrder,
  chainId: number,
  nowMs: number,
  assets: (instrument: string) => AssetInfo | undefined,
): SignatureCheck {
  const sig = o.signature;
  if (sig.chain_id !== undefined && String(sig.chain_id) !== String(chainId) && String(sig.chain_id) !== "0")
    return { ok: false, code: 1012, message: "Invalid signature chain ID" };
  if (Number(sig.v) !== 27 && Number(sig.v) !== 28)
    return { ok: false, code: 2005, message: "Signature V must be 27/28" };
  if (!/^0x[0-9a-fA-F]{64}$/.test(sig.r) || !/^0x[0-9a-fA-F]{64}$/.test(sig.s))
    return {
      ok: false,
      code: 2006,
      message: "Signature R/S must have exactly 64 characters long without 0x prefix",
    };
  if (!/^\d+$/.test(sig.expiration))
    return { ok: false, code: 1003, message: "Request could not be processed due to malformed syntax" };
  const expMs = Number(BigInt(sig.expiration) / 1_000_000n);
  if (expMs <= nowMs) return { ok: false, code: 2001, message: "Signature has expired" };
  if (expMs > nowMs + 30 * 86_400_000)
    return { ok: false, code: 2008, message: "Signature exceeds maximum allowed duration." };
  const struct = orderStructHash(o, assets);
  if (struct === undefined) return { ok: false, code: 2002, message: "Signature does not match payload" };
  const digest = keccak_256(Buffer.concat([Buffer.from([0x19, 0x01]), grvtDomain(chainId), struct]));
  const who = recoverSigner(digest, sig);
  if (who === undefined)
    return { ok: false, code: 2007, message: "Signature S must be in the lower half of the curve" };
  if (who !== sig.signer.toLowerCase())
    return { ok: false, code: 2002, message: "Signature does not match payload" };
  return { ok: true, signer: who };
}

const LOGIN_HASH = keccak_256(text("WalletLogin(address signer,uint32 nonce,int64 expiration)"));

/**
 * `POST auth/wallet/login` {address, signature}: the WalletLogin struct (ccxt js/src/grvt.js
 * `EIP712_WALLETLOGIN_TYPE`) must recover to `address`, unexpired.
 */
export function checkLoginSignature(
  address: string,
  sig: WireSignature,
  chainId: number,
  nowMs: number,
): SignatureCheck {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address) || !/^\d+$/.test(sig.expiration))
    return { ok: false, code: 1003, message: "Request could not be processed due to malformed syntax" };
  if (Number(BigInt(sig.expiration) / 1_000_000n) <= nowMs)
    return { ok: false, code: 2001, message: "Signature has expired" };
  const struct = keccak_256(
    Buffer.concat([LOGIN_HASH, u256(BigInt(address)), u256(BigInt(sig.nonce)), u256(BigInt(sig.expiration))]),
  );
  const digest = keccak_256(Buffer.concat([Buffer.from([0x19, 0x01]), grvtDomain(chainId), struct]));
  const who = recoverSigner(digest, sig);
  if (who === undefined || who !== address.toLowerCase())
    return { ok: false, code: 2002, message: "Signature does not match payload" };
  return { ok: true, signer: who };
}
