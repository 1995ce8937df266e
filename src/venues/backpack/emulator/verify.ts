/**
 * The emulator's check of a signed Backpack request, written from the venue's documentation
 * (https://docs.backpack.exchange "Signing requests") and sharing nothing with the connector's
 * signer: it rebuilds the signed text from the request as received (the URL's query, the JSON
 * body as parsed) and verifies the ed25519 signature with @noble/curves (the connector signs
 * with node:crypto). Order of checks: headers present and well-formed → window → timestamp in
 * the window → signature.
 */
import { ed25519 } from "@noble/curves/ed25519.js";

export const ROUTE_INSTRUCTION: Readonly<Record<string, string>> = {
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

export type AuthResult =
  | { readonly ok: true; readonly apiKey: string }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

const MAX_WINDOW = 60_000;
const DEFAULT_WINDOW = 5000;
/** how far ahead of the emulator's clock a timestamp may be (clock skew) */
const FUTURE_SKEW_MS = 1000;

function valueText(v: unknown): string {
  // the docs' rule: the value's JSON with the quotes of a string left off
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The text the client must have signed, from the request as received. */
export function expectedSigningText(
  instruction: string,
  query: URLSearchParams,
  body: Record<string, unknown> | undefined,
  timestamp: string,
  window: string,
): string {
  const parts = [`instruction=${instruction}`];
  const q = [...query.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of q) parts.push(`${k}=${v}`);
  if (body !== undefined) {
    for (const k of Object.keys(body).sort()) {
      if (body[k] === undefined || body[k] === null) continue;
      parts.push(`${k}=${valueText(body[k])}`);
    }
  }
  parts.push(`timestamp=${timestamp}`, `window=${window}`);
  return parts.join("&");
}

function b64(text: string | undefined, bytes: number): Uint8Array | undefined {
  if (text === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const raw = Buffer.from(text, "base64");
  return raw.length === bytes ? new Uint8Array(raw) : undefined;
}

export function verifyRequest(opts: {
  readonly instruction: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown> | undefined;
  readonly now: number;
}): AuthResult {
  const h = (name: string) => {
    const v = opts.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const refuse = (status: number, code: string, message: string): AuthResult => ({
    ok: false,
    status,
    code,
    message,
  });
  const apiKey = h("X-API-Key");
  const pub = b64(apiKey, 32);
  if (pub === undefined)
    return refuse(401, "UNAUTHORIZED", "X-API-Key is missing or not a base64 ed25519 key");
  const sig = b64(h("X-Signature"), 64);
  if (sig === undefined)
    return refuse(401, "UNAUTHORIZED", "X-Signature is missing or not a base64 ed25519 signature");
  const ts = h("X-Timestamp");
  if (ts === undefined || !/^\d{1,16}$/.test(ts))
    return refuse(400, "INVALID_CLIENT_REQUEST", "X-Timestamp must be ms since the epoch");
  const window = h("X-Window") ?? String(DEFAULT_WINDOW);
  if (!/^\d{1,6}$/.test(window) || Number(window) > MAX_WINDOW || Number(window) === 0)
    return refuse(400, "INVALID_CLIENT_REQUEST", `X-Window must be an integer in [1, ${MAX_WINDOW}]`);
  const t = Number(ts);
  if (opts.now > t + Number(window)) return refuse(400, "INVALID_CLIENT_REQUEST", "Request has expired");
  if (t > opts.now + FUTURE_SKEW_MS)
    return refuse(400, "INVALID_CLIENT_REQUEST", "Request timestamp is in the future");
  const text = expectedSigningText(opts.instruction, opts.query, opts.body, ts, window);
  let good = false;
  try {
    good = ed25519.verify(sig, new TextEncoder().encode(text), pub);
  } catch {
    good = false;
  }
  if (!good) return refuse(401, "INVALID_SIGNATURE", "Invalid signature");
  return { ok: true, apiKey: apiKey! };
}
