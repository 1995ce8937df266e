/**
 * EdgeX V2 signing (no I/O): the HMAC-SHA256 request authentication and the EIP-712 order
 * signature with the account's trading key. Sources (official SDK, read for facts only):
 * - edgex-Tech/edgex-python-sdk `edgex_sdk/internal/auth.py` (`build_hmac_signature`,
 *   `get_value`) and `edgex_sdk/internal/async_client.py` (`make_authenticated_request`): the
 *   signed text is `timestamp + METHOD + path + content`, where content is, for GET, the query
 *   pairs sorted by key joined `k=v&…`, and for a body, the body flattened by `get_value` (keys
 *   sorted, `k=v` joined by `&`, lists joined by `&`, booleans lowercase, null as ""). The HMAC
 *   key is the ASCII text of base64(secret) — the SDK base64-*encodes* the secret string, it does
 *   not decode it (VENUES.md §6 says "decoded"; the SDK is what the venue accepts). Hex digest.
 * - `edgex_sdk/internal/eip712.py` (ORDER_BASE_TYPE, LIMIT_ORDER_PARAMS_TYPE) and
 *   `edgex_sdk/order/client.py` (`create_order`): the order is EIP-712 typed data
 *   `LimitOrderParams` under domain {name "EdgeX", version "1", chainId, verifyingContract} from
 *   /api/v2/public/meta/getMetaData `global`; the signature is r ‖ s ‖ v (v 27/28), hex, no 0x.
 * The EIP-712 encoding itself follows https://eips.ethereum.org/EIPS/eip-712 (hashStruct,
 * encodeType with referenced types appended in name order, 0x1901 prefix).
 */
import { createHash, createHmac } from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { AccountSigner } from "../../core/venue-account.ts";

export { evmAddress as signerAddress } from "../eip712/evm.ts";

const UTF8 = new TextEncoder();

// ------------------------------------------------------------------ HMAC request auth

export type WireValue = string | number | boolean | null | undefined | readonly WireValue[] | WireObject;
export interface WireObject {
  readonly [k: string]: WireValue;
}

/** `get_value` of the SDK: the canonical text of one body value. */
export function contentOf(v: WireValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return v.map((x) => contentOf(x)).join("&");
  const o = v as WireObject;
  return Object.keys(o)
    .sort()
    .map((k) => `${k}=${contentOf(o[k])}`)
    .join("&");
}

/** The query part of the signed text: pairs sorted by key, `k=v` joined by `&` (not URL-encoded). */
export function queryContent(query: Readonly<Record<string, string>> | undefined): string {
  if (query === undefined) return "";
  return Object.keys(query)
    .sort()
    .map((k) => `${k}=${query[k]}`)
    .join("&");
}

/** The exact text the HMAC covers. */
export function signedText(timestamp: string, method: string, path: string, content: string): string {
  return `${timestamp}${method.toUpperCase()}${path}${content}`;
}

/** Hex HMAC-SHA256 of the signed text; key = ASCII bytes of base64(secret) (auth.py). */
export function hmacHex(secret: string, text: string): string {
  const key = Buffer.from(Buffer.from(secret, "utf8").toString("base64"), "ascii");
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}

/** Who signs a private request: the API key and passphrase, and the signer holding the secret. */
export interface RequestAuth {
  readonly signer: AccountSigner;
  readonly apiKey: string;
  readonly passphrase: string;
}

/** The four X-edgeX-* headers of one request (REST, or the private socket's handshake). */
export function authHeaders(
  auth: RequestAuth,
  timestamp: string,
  method: string,
  path: string,
  content: string,
): Record<string, string> {
  const mac = auth.signer.hmacSha256;
  if (mac === undefined)
    throw new Error(`edgex ${method} ${path}: the account's signer carries no API secret`);
  return {
    "X-edgeX-Api-Key": auth.apiKey,
    "X-edgeX-Passphrase": auth.passphrase,
    "X-edgeX-Signature": Buffer.from(mac(UTF8.encode(signedText(timestamp, method, path, content)))).toString(
      "hex",
    ),
    "X-edgeX-Timestamp": timestamp,
  };
}

// ------------------------------------------------------------------ EIP-712 order signature

export interface EdgexDomain {
  readonly chainId: bigint;
  /** 0x + 40 hex */
  readonly verifyingContract: string;
}

export interface LimitOrderMessage {
  readonly nonce: bigint;
  /** the trading key's address, 0x + 40 hex */
  readonly signer: string;
  readonly accountId: bigint;
  /** seconds */
  readonly expirationTimestamp: bigint;
  readonly amountSynthetic: bigint;
  readonly amountCollateral: bigint;
  readonly amountFee: bigint;
  readonly assetIdSynthetic: bigint;
  readonly assetIdCollateral: bigint;
  readonly isBuyingSynthetic: boolean;
}

const ORDER_BASE = "OrderBase(uint256 nonce,address signer,uint64 accountId,uint256 expirationTimestamp)";
const LIMIT_ORDER = `LimitOrderParams(OrderBase base,int256 amountSynthetic,int256 amountCollateral,uint256 amountFee,uint64 assetIdSynthetic,uint64 assetIdCollateral,bool isBuyingSynthetic,bytes32 parentOrderHash,uint256 subOrderIndex)${ORDER_BASE}`;
const DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
const ORDER_BASE_HASH = keccak_256(UTF8.encode(ORDER_BASE));
const LIMIT_ORDER_HASH = keccak_256(UTF8.encode(LIMIT_ORDER));
const DOMAIN_HASH = keccak_256(UTF8.encode(DOMAIN_TYPE));
const NAME_HASH = keccak_256(UTF8.encode("EdgeX"));
const VERSION_HASH = keccak_256(UTF8.encode("1"));
const TWO_256 = 1n << 256n;

/** One 32-byte ABI word of an integer (two's complement for a negative int256). */
function word(n: bigint): Uint8Array {
  const v = n < 0n ? TWO_256 + n : n;
  return Buffer.from(v.toString(16).padStart(64, "0"), "hex");
}

function addressWord(address: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`"${address}" is not a 20-byte 0x address`);
  return word(BigInt(address));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

export function domainSeparator(d: EdgexDomain): Uint8Array {
  return keccak_256(
    concat([DOMAIN_HASH, NAME_HASH, VERSION_HASH, word(d.chainId), addressWord(d.verifyingContract)]),
  );
}

/** hashStruct(LimitOrderParams); parentOrderHash is 32 zero bytes and subOrderIndex 0 (create_order). */
export function orderStructHash(m: LimitOrderMessage): Uint8Array {
  const base = keccak_256(
    concat([
      ORDER_BASE_HASH,
      word(m.nonce),
      addressWord(m.signer),
      word(m.accountId),
      word(m.expirationTimestamp),
    ]),
  );
  return keccak_256(
    concat([
      LIMIT_ORDER_HASH,
      base,
      word(m.amountSynthetic),
      word(m.amountCollateral),
      word(m.amountFee),
      word(m.assetIdSynthetic),
      word(m.assetIdCollateral),
      word(m.isBuyingSynthetic ? 1n : 0n),
      new Uint8Array(32),
      word(0n),
    ]),
  );
}

/** The 32-byte EIP-712 digest the trading key signs. */
export function orderDigest(domainSep: Uint8Array, m: LimitOrderMessage): Uint8Array {
  return keccak_256(concat([Uint8Array.of(0x19, 0x01), domainSep, orderStructHash(m)]));
}

/** `l2Signature`: r ‖ s ‖ v (27/28) as 130 hex digits, no 0x (eip712.py `sign_typed_data`). */
export async function signOrder(signer: AccountSigner, digest: Uint8Array): Promise<string> {
  if (signer.scheme !== "secp256k1")
    throw new Error(`EdgeX orders need a secp256k1 trading key, got ${signer.scheme}`);
  const sig = await signer.sign(digest);
  const out = Buffer.alloc(65);
  out.set(sig.subarray(0, 64));
  out[64] = 27 + sig[64];
  return out.toString("hex");
}

/** `l2Nonce`: the first 8 hex digits of sha256(clientOrderId) (async_client.py `calc_nonce`). */
export function nonceOf(clientOrderId: string): bigint {
  return BigInt(`0x${createHash("sha256").update(clientOrderId, "utf8").digest("hex").slice(0, 8)}`);
}
