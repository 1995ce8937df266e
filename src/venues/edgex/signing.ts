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
 * The EIP-712 encoding (https://eips.ethereum.org/EIPS/eip-712) is the generic encoder of
 * ../eip712/typed-data.ts, which GRVT uses too.
 */
import { createHash, createHmac } from "node:crypto";
import type { AccountSigner } from "../../core/venue-account.ts";
import {
  domainSeparator as eip712Domain,
  hashStruct,
  type TypedStruct,
  type TypedTypes,
  typedDataDigest,
} from "../eip712/typed-data.ts";

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

// the SDK's ORDER_BASE_TYPE and LIMIT_ORDER_PARAMS_TYPE (edgex_sdk/internal/eip712.py), in its member order;
// emulator/verify.ts keeps its own copy on purpose (the verifier shares nothing with the signer)
const ORDER_TYPES: TypedTypes = {
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
const NO_PARENT = `0x${"00".repeat(32)}`;

function addressOf(address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`"${address}" is not a 20-byte 0x address`);
  return address;
}

export function domainSeparator(d: EdgexDomain): Uint8Array {
  return eip712Domain({
    name: "EdgeX",
    version: "1",
    chainId: d.chainId,
    verifyingContract: addressOf(d.verifyingContract),
  });
}

/** The LimitOrderParams struct; parentOrderHash is 32 zero bytes and subOrderIndex 0 (create_order). */
function orderStruct(m: LimitOrderMessage): TypedStruct {
  return {
    base: {
      nonce: m.nonce,
      signer: addressOf(m.signer),
      accountId: m.accountId,
      expirationTimestamp: m.expirationTimestamp,
    },
    amountSynthetic: m.amountSynthetic,
    amountCollateral: m.amountCollateral,
    amountFee: m.amountFee,
    assetIdSynthetic: m.assetIdSynthetic,
    assetIdCollateral: m.assetIdCollateral,
    isBuyingSynthetic: m.isBuyingSynthetic,
    parentOrderHash: NO_PARENT,
    subOrderIndex: 0n,
  };
}

/** hashStruct(LimitOrderParams). */
export function orderStructHash(m: LimitOrderMessage): Uint8Array {
  return hashStruct("LimitOrderParams", orderStruct(m), ORDER_TYPES);
}

/** The 32-byte EIP-712 digest the trading key signs. */
export function orderDigest(domainSep: Uint8Array, m: LimitOrderMessage): Uint8Array {
  return typedDataDigest(domainSep, "LimitOrderParams", ORDER_TYPES, orderStruct(m));
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
