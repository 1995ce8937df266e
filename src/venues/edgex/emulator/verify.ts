/**
 * The EdgeX emulator's checks of a request, written from the venue's documentation and its
 * official SDK's behaviour, sharing nothing with the connector's signer (../signing.ts):
 * - HMAC: https://edgex-1.gitbook.io/edgeX-documentation/api-v2/authentication — the signature
 *   header is hex HMAC-SHA256 over timestamp + METHOD + path + (sorted query | sorted body);
 *   the key is the base64 text of the API secret (edgex-python-sdk `internal/auth.py`).
 * - order: EIP-712 (https://eips.ethereum.org/EIPS/eip-712) over the `LimitOrderParams` types of
 *   edgex-python-sdk `internal/eip712.py`, rebuilt here from the order body and the emulator's
 *   metadata, hashed with a generic typed-data encoder below, and the signer recovered with
 *   @noble/curves: any field changed after signing recovers another address and is refused.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

export interface ApiAccount {
  readonly accountId: string;
  readonly apiKey: string;
  readonly passphrase: string;
  readonly secret: string;
  /** the trading key's address, lowercase 0x hex */
  readonly tradingAddress: string;
}

export type Check = { ok: true } | { ok: false; code: string; msg: string };

/** How far a request's timestamp may be from the emulator's clock (ms). */
export const TIMESTAMP_TOLERANCE_MS = 60_000;

/** The signed content of a body: keys sorted, `k=v` with `&`, arrays joined by `&`, null "". */
function flatten(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(flatten).join("&");
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return Object.keys(o)
      .sort()
      .map((k) => `${k}=${flatten(o[k])}`)
      .join("&");
  }
  return String(v);
}

export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown> | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const header = (h: SignedRequest["headers"], name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** Which account signed the request, or the venue's refusal. */
export function checkHmac(
  req: SignedRequest,
  byKey: (apiKey: string) => ApiAccount | undefined,
  now: number,
): { ok: true; account: ApiAccount } | { ok: false; code: string; msg: string } {
  const key = header(req.headers, "X-edgeX-Api-Key");
  const sig = header(req.headers, "X-edgeX-Signature");
  const ts = header(req.headers, "X-edgeX-Timestamp");
  if (key === undefined || sig === undefined || ts === undefined)
    return {
      ok: false,
      code: "AUTH_HEADER_MISSING",
      msg: "X-edgeX-Api-Key, -Signature and -Timestamp are required",
    };
  const account = byKey(key);
  if (account === undefined) return { ok: false, code: "API_KEY_INVALID", msg: "unknown API key" };
  if (header(req.headers, "X-edgeX-Passphrase") !== account.passphrase)
    return { ok: false, code: "API_PASSPHRASE_INVALID", msg: "wrong passphrase" };
  if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - now) > TIMESTAMP_TOLERANCE_MS)
    return { ok: false, code: "TIMESTAMP_INVALID", msg: `timestamp ${ts} is not within 60 s of ${now}` };
  let content: string;
  if (req.method === "GET") {
    const pairs = [...req.query.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    content = pairs.map(([k, v]) => `${k}=${v}`).join("&");
  } else content = req.body === undefined ? "" : flatten(req.body);
  const hmacKey = Buffer.from(Buffer.from(account.secret, "utf8").toString("base64"), "utf8");
  const want = createHmac("sha256", hmacKey).update(`${ts}${req.method}${req.path}${content}`).digest();
  const got = Buffer.from(/^[0-9a-fA-F]{64}$/.test(sig) ? sig : "", "hex");
  if (got.length !== 32 || !timingSafeEqual(got, want))
    return { ok: false, code: "SIGNATURE_INVALID", msg: "the request signature does not match" };
  return { ok: true, account };
}

// ------------------------------------------------------------------ EIP-712

type Field = { readonly name: string; readonly type: string };
export type Types = Readonly<Record<string, readonly Field[]>>;

/** edgex-python-sdk internal/eip712.py: EIP712_DOMAIN_TYPE, ORDER_BASE_TYPE, LIMIT_ORDER_PARAMS_TYPE */
export const TYPES: Types = {
  EIP712Domain: [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
  ],
  OrderBase: [
    { name: "nonce", type: "uint256" },
    { name: "signer", type: "address" },
    { name: "accountId", type: "uint64" },
    { name: "expirationTimestamp", type: "uint256" },
  ],
  LimitOrderParams: [
    { name: "base", type: "OrderBase" },
    { name: "amountSynthetic", type: "int256" },
    { name: "amountCollateral", type: "int256" },
    { name: "amountFee", type: "uint256" },
    { name: "assetIdSynthetic", type: "uint64" },
    { name: "assetIdCollateral", type: "uint64" },
    { name: "isBuyingSynthetic", type: "bool" },
    { name: "parentOrderHash", type: "bytes32" },
    { name: "subOrderIndex", type: "uint256" },
  ],
};

function deps(types: Types, name: string, seen: Set<string>): void {
  if (seen.has(name) || types[name] === undefined) return;
  seen.add(name);
  for (const f of types[name]) deps(types, f.type, seen);
}

function typeString(types: Types, primary: string): string {
  const seen = new Set<string>();
  deps(types, primary, seen);
  seen.delete(primary);
  const one = (n: string) => `${n}(${types[n].map((f) => `${f.type} ${f.name}`).join(",")})`;
  return [primary, ...[...seen].sort()].map(one).join("");
}

function encodeValue(types: Types, type: string, value: unknown): Uint8Array {
  if (types[type] !== undefined) return hashStruct(types, type, value as Record<string, unknown>);
  if (type === "string") return keccak_256(new TextEncoder().encode(String(value)));
  if (type === "bytes32") {
    const b =
      typeof value === "string"
        ? Buffer.from(value.replace(/^0x/, ""), "hex")
        : Buffer.from(value as Uint8Array);
    if (b.length !== 32) throw new Error("bytes32 must be 32 bytes");
    return b;
  }
  let n: bigint;
  if (type === "bool") n = value === true ? 1n : 0n;
  else if (type === "address") n = BigInt(String(value));
  else n = BigInt(value as string | number | bigint);
  if (n < 0n) n += 1n << 256n;
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0 && n > 0n; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

function hashStruct(types: Types, name: string, value: Record<string, unknown>): Uint8Array {
  const parts: Uint8Array[] = [keccak_256(new TextEncoder().encode(typeString(types, name)))];
  for (const f of types[name]) parts.push(encodeValue(types, f.type, value[f.name]));
  return keccak_256(Buffer.concat(parts));
}

/** keccak(0x1901 ‖ hashStruct(domain) ‖ hashStruct(primary, message)) for any set of types. */
export function typedDataHash(
  types: Types,
  primary: string,
  domain: Record<string, unknown>,
  message: Record<string, unknown>,
): Uint8Array {
  return keccak_256(
    Buffer.concat([
      Buffer.from([0x19, 0x01]),
      hashStruct(types, "EIP712Domain", domain),
      hashStruct(types, primary, message),
    ]),
  );
}

export function typedDataDigest(
  domain: Record<string, unknown>,
  message: Record<string, unknown>,
): Uint8Array {
  return typedDataHash(TYPES, "LimitOrderParams", domain, message);
}

/** The address that signed `digest` (r ‖ s ‖ v, v 27/28 or 0/1, hex), or undefined. */
export function recoverSigner(digest: Uint8Array, sigHex: string): string | undefined {
  const hex = sigHex.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{130}$/.test(hex)) return undefined;
  const raw = Buffer.from(hex, "hex");
  const v = raw[64] >= 27 ? raw[64] - 27 : raw[64];
  if (v !== 0 && v !== 1) return undefined;
  try {
    const pub = secp256k1.Signature.fromBytes(raw.subarray(0, 64), "compact")
      .addRecoveryBit(v)
      .recoverPublicKey(digest)
      .toBytes(false);
    return `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString("hex")}`;
  } catch {
    return undefined;
  }
}

/** decimal text × 10^k resolution, truncated (Python's int(Decimal)): "0.123" × 1000 → 123 */
export function toUnits(text: string, resolution: bigint): bigint {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a decimal`);
  const frac = m[2] ?? "";
  return (BigInt(m[1] + frac) * resolution) / 10n ** BigInt(frac.length);
}

export interface ContractTerms {
  readonly contractId: string;
  readonly quoteCoinId: string;
  readonly syntheticResolution: bigint;
  readonly collateralResolution: bigint;
  /** the larger default fee rate, decimal text */
  readonly maxFeeRate: string;
}

export interface SigningDomain {
  readonly chainId: string;
  readonly verifyingContract: string;
}

const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const fail = (code: string, msg: string): Check => ({ ok: false, code, msg });

/** A createOrder body's L2 fields against its plain fields and its EIP-712 signature. */
export function checkOrderSignature(
  body: Record<string, unknown>,
  account: ApiAccount,
  terms: ContractTerms,
  domain: SigningDomain,
): Check {
  const size = text(body.size);
  const l2Size = text(body.l2Size);
  const l2Value = text(body.l2Value);
  const l2Fee = text(body.l2LimitFee);
  const price = text(body.price);
  const nonce = text(body.l2Nonce);
  const expire = text(body.expireTime);
  for (const [k, v] of Object.entries({ size, l2Size, l2Value, l2LimitFee: l2Fee, price }))
    if (!/^\d+(\.\d+)?$/.test(v)) return fail("INVALID_ARGUMENT", `${k} "${v}" is not a decimal`);
  if (!/^\d+$/.test(nonce) || !/^\d+$/.test(expire))
    return fail("INVALID_ARGUMENT", "l2Nonce and expireTime must be integers");
  if (text(body.accountId) !== account.accountId)
    return fail("ACCOUNT_ID_NOT_MATCH", `accountId ${text(body.accountId)} is not this API key's account`);
  const scale = 10n ** 18n;
  if (toUnits(size, scale) !== toUnits(l2Size, scale))
    return fail("L2_SIZE_NOT_MATCH", "l2Size differs from size");
  const valueUnits = toUnits(l2Value, terms.collateralResolution);
  if (body.type === "LIMIT") {
    // price × size, in collateral units, truncated like the SDK's int()
    const p = toUnits(price, scale);
    const s = toUnits(size, scale);
    if ((p * s * terms.collateralResolution) / (scale * scale) !== valueUnits)
      return fail("L2_VALUE_NOT_MATCH", `l2Value ${l2Value} is not price ${price} × size ${size}`);
  }
  const feeUnits = toUnits(l2Fee, terms.collateralResolution);
  const minFee = (valueUnits * toUnits(terms.maxFeeRate, scale)) / scale;
  if (feeUnits < minFee)
    return fail("L2_LIMIT_FEE_TOO_LOW", `l2LimitFee ${l2Fee} is below the fee of this order`);
  const digest = typedDataDigest(
    { name: "EdgeX", version: "1", chainId: domain.chainId, verifyingContract: domain.verifyingContract },
    {
      base: {
        nonce,
        signer: account.tradingAddress,
        accountId: account.accountId,
        expirationTimestamp: String(BigInt(expire) / 1000n),
      },
      amountSynthetic: toUnits(l2Size, terms.syntheticResolution).toString(),
      amountCollateral: valueUnits.toString(),
      amountFee: feeUnits.toString(),
      assetIdSynthetic: terms.contractId,
      assetIdCollateral: terms.quoteCoinId,
      isBuyingSynthetic: body.side === "BUY",
      parentOrderHash: `0x${"00".repeat(32)}`,
      subOrderIndex: "0",
    },
  );
  const who = recoverSigner(digest, text(body.l2Signature));
  if (who !== account.tradingAddress.toLowerCase())
    return fail(
      "L2_SIGNATURE_INVALID",
      "the order's l2Signature is not the account's trading key over these fields",
    );
  return { ok: true };
}
