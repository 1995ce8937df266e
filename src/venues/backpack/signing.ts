import type { AccountSigner } from "../../core/venue-account.ts";

/**
 * Backpack request signing (no I/O). The signed text is
 *   instruction=<name> [&k=v per query parameter, keys sorted] [&k=v per body field, keys sorted]
 *   &timestamp=<X-Timestamp>&window=<X-Window>
 * with body values as their JSON text minus surrounding quotes (nested values as JSON). Sources:
 * https://docs.backpack.exchange "Signing requests" (its worked example: cancelling
 * {"orderId":28,"symbol":"BTC_USDT"} signs
 * `instruction=orderCancel&orderId=28&symbol=BTC_USDT&timestamp=1614550000000&window=5000`), and
 * backpack-exchange/bpx-api-client client/src/lib.rs `build_and_maybe_sign_request` (query pairs
 * then body fields, each group sorted; quotes trimmed). The ed25519 signature itself is the
 * account signer's (node:crypto, src/wallets/signer.ts): it signs the UTF-8 bytes of that text.
 */

export type Params = Readonly<Record<string, string | number | boolean | undefined>>;

/** The instruction each signed endpoint takes (method + path), per the API reference. */
export const INSTRUCTIONS: Readonly<Record<string, string>> = {
  "POST /api/v1/order": "orderExecute",
  "DELETE /api/v1/order": "orderCancel",
  "GET /api/v1/order": "orderQuery",
  "GET /api/v1/orders": "orderQueryAll",
  "DELETE /api/v1/orders": "orderCancelAll",
  "GET /api/v1/capital": "balanceQuery",
  "GET /api/v1/capital/collateral": "collateralQuery",
  "GET /api/v1/position": "positionQuery",
  "GET /api/v1/account": "accountQuery",
  "PATCH /api/v1/account": "accountUpdate",
  "GET /wapi/v1/history/fills": "fillHistoryQueryAll",
  "GET /wapi/v1/history/funding": "fundingHistoryQueryAll",
  "GET /wapi/v1/history/orders": "orderHistoryQueryAll",
};

function pairs(params: Params | undefined): string {
  if (params === undefined) return "";
  let out = "";
  for (const k of Object.keys(params).sort()) {
    const v = params[k];
    if (v === undefined) continue;
    out += `&${k}=${typeof v === "string" ? v : JSON.stringify(v)}`;
  }
  return out;
}

/** The exact text to sign for one request. */
export function signingString(
  instruction: string,
  query: Params | undefined,
  body: Params | undefined,
  timestamp: number,
  windowMs: number,
): string {
  return `instruction=${instruction}${pairs(query)}${pairs(body)}&timestamp=${timestamp}&window=${windowMs}`;
}

/** Base64 of the signer's raw 32-byte public key: the X-API-Key the venue knows the key by. */
export function apiKeyOf(signer: AccountSigner): string {
  return Buffer.from(signer.publicKey, "hex").toString("base64");
}

export interface SignedHeaders {
  readonly "X-API-Key": string;
  readonly "X-Signature": string;
  readonly "X-Timestamp": string;
  readonly "X-Window": string;
}

export async function signedHeaders(
  signer: AccountSigner,
  instruction: string,
  query: Params | undefined,
  body: Params | undefined,
  timestamp: number,
  windowMs: number,
): Promise<SignedHeaders> {
  const text = signingString(instruction, query, body, timestamp, windowMs);
  const sig = await signer.sign(new TextEncoder().encode(text));
  return {
    "X-API-Key": apiKeyOf(signer),
    "X-Signature": Buffer.from(sig).toString("base64"),
    "X-Timestamp": String(timestamp),
    "X-Window": String(windowMs),
  };
}

/**
 * The `signature` member of a private-stream SUBSCRIBE: [api key, signature, timestamp, window]
 * over `instruction=subscribe&timestamp=…&window=…` (docs "Streams", "Private").
 */
export async function subscribeSignature(
  signer: AccountSigner,
  timestamp: number,
  windowMs: number,
): Promise<[string, string, string, string]> {
  const text = signingString("subscribe", undefined, undefined, timestamp, windowMs);
  const sig = await signer.sign(new TextEncoder().encode(text));
  return [apiKeyOf(signer), Buffer.from(sig).toString("base64"), String(timestamp), String(windowMs)];
}
