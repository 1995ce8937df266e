import { createHmac, type KeyObject } from "node:crypto";
import type { AccountSigner } from "../../core/venue-account.ts";
import { domainSeparator, type TypedTypes, typedDataDigest } from "../eip712/typed-data.ts";

/**
 * Aster request signing (no I/O).
 *
 * V3 (the current API, fapi3.asterdex.com/fapi/v3/…; Aster's "futures-v3 general-info", the
 * `asterdex/api-docs` repository, and ccxt's aster.js `sign`): the business parameters plus
 * `nonce` (microseconds), `user` (the main wallet) and `signer` (the API wallet that signs) form
 * one URL-encoded string in the order they are sent; that exact string is the `msg` of an EIP-712
 * message, domain {name:"AsterSignTransaction", version:"1", chainId:1666, verifyingContract:0x0},
 * type `Message(string msg)`. The signature `0x‖r‖s‖v` (v = 27 + recovery id) is appended as
 * `&signature=…`; the venue cuts it from the raw bytes and hashes the rest verbatim, so the text
 * signed and the text sent must be byte-identical.
 *
 * V1 (fapi.asterdex.com/fapi/v1/…, the Binance model; Binance USDⓈ-M Futures "SIGNED (TRADE and
 * USER_DATA) Endpoint Security"): hex HMAC-SHA256 of query string ‖ body with the API secret,
 * `timestamp` (ms) and `recvWindow` among the parameters, the key in the X-MBX-APIKEY header.
 */

export type Param = string | number | boolean;
export type Params = ReadonlyArray<readonly [string, Param | undefined]>;

/** `k=v&…` in the given order, values percent-encoded (encodeURIComponent), undefined values left out. */
export function paramString(params: Params): string {
  let out = "";
  for (const [k, v] of params) {
    if (v === undefined) continue;
    if (out !== "") out += "&";
    out += `${k}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

// ---------------------------------------------------------------- V3: EIP-712

export const V3_CHAIN_ID = 1666;

const MESSAGE_TYPES: TypedTypes = { Message: [{ name: "msg", type: "string" }] };
const ZERO_ADDRESS = `0x${"00".repeat(20)}`;

/** The EIP-712 domain separator of Aster's V3 signatures (verifyingContract is the zero address). */
export function asterDomain(chainId = V3_CHAIN_ID): Uint8Array {
  return domainSeparator({
    name: "AsterSignTransaction",
    version: "1",
    chainId,
    verifyingContract: ZERO_ADDRESS,
  });
}

const DOMAIN = asterDomain();

/** The digest an API wallet signs for one V3 request: EIP-712 of Message{msg}. */
export function v3Digest(msg: string, domain: Uint8Array = DOMAIN): Uint8Array {
  return typedDataDigest(domain, "Message", MESSAGE_TYPES, { msg });
}

/** 0x + 130 hex digits: r ‖ s ‖ v, v = 27 + the recovery id. */
export async function signV3(signer: AccountSigner, msg: string): Promise<string> {
  if (signer.scheme !== "secp256k1")
    throw new TypeError(`aster: V3 requests are signed by a secp256k1 API wallet, not ${signer.scheme}`);
  const sig = await signer.sign(v3Digest(msg));
  const out = Buffer.alloc(65);
  out.set(sig.subarray(0, 64), 0);
  out[64] = 27 + sig[64];
  return `0x${out.toString("hex")}`;
}

/** The EVM address (lowercase 0x hex) of a secp256k1 signer: the `signer` parameter of V3 requests. */
export { evmAddress as signerAddress } from "../eip712/evm.ts";

/**
 * Strictly increasing microsecond nonces for one signer: the clock's µs, or one more than the
 * last when two requests fall in the same microsecond (the venue refuses a repeated nonce).
 */
export class MicroNonce {
  #last = 0;
  next(nowMs: number): number {
    const t = Math.floor(nowMs * 1000);
    this.#last = t > this.#last ? t : this.#last + 1;
    return this.#last;
  }
}

export interface V3Identity {
  /** the main wallet (`user`) */
  readonly user: string;
  /** the API wallet's address (`signer`) */
  readonly signerAddress: string;
  readonly signer: AccountSigner;
}

/** The full signed text of a V3 request: params, nonce, user, signer, then `&signature=0x…`. */
export async function signedV3Text(params: Params, id: V3Identity, nonce: number): Promise<string> {
  const msg = paramString([...params, ["nonce", nonce], ["user", id.user], ["signer", id.signerAddress]]);
  return `${msg}&signature=${await signV3(id.signer, msg)}`;
}

// ---------------------------------------------------------------- V1: HMAC-SHA256

/** Hex HMAC-SHA256 of `query ‖ body` (the two concatenated as sent, without a separator). */
export function hmacSignature(secret: string | KeyObject, query: string, body = ""): string {
  return createHmac("sha256", secret)
    .update(query + body)
    .digest("hex");
}

/** A V1 parameter string with timestamp and recvWindow, then `&signature=<hex>`. */
export function signedV1Text(
  params: Params,
  secret: string | KeyObject,
  timestampMs: number,
  recvWindowMs: number,
): string {
  const text = paramString([...params, ["recvWindow", recvWindowMs], ["timestamp", timestampMs]]);
  return `${text}&signature=${hmacSignature(secret, text)}`;
}
