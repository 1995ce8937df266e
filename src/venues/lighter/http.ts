import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { transportError } from "../kit/transport.ts";
import { ResultCodeSchema } from "./parse.ts";

/**
 * Lighter REST transport (`<base>/api/v1/<path>`). Every failure leaves as one of the contract's
 * two errors (VENUES.md §2.6):
 * - not sent (refused, DNS): VenueUnknownOutcomeError "unavailable" (a retry is safe);
 * - sent, then timeout or reset: "timeout"; HTTP 5xx or a body that is not JSON: "server_error";
 *   HTTP 429 or code 23000…23003: "rate_limited" (the venue may or may not have taken it);
 * - any other answer with `code ≠ 200`: LighterRejectError (the venue answered and did nothing),
 *   with the venue's code and message.
 */

/** The venue's nonce refusal (cx `lighter.js`: 21104, "invalid nonce"). */
export const INVALID_NONCE = 21104;
const RATE_LIMIT_CODES = new Set([23000, 23001, 23002, 23003]);

/** A definite refusal with the venue's numeric code. */
export class LighterRejectError extends VenueRejectError {
  readonly code: number;
  readonly status: number;
  constructor(code: number, status: number, message: string) {
    super(reasonOf(code), message);
    this.code = code;
    this.status = status;
    this.name = "LighterRejectError";
  }
}

function reasonOf(code: number): string {
  switch (code) {
    case INVALID_NONCE:
      return "invalid_nonce";
    case 21109:
      return "api_key_not_registered";
    case 21120:
    case 21121:
      return "invalid_signature";
    case 21711:
      return "invalid_expiry";
    case 21728:
      return "client_order_index_exists";
    case 21506:
      return "too_many_pending";
    case 21507:
    case 21508:
    case 21739:
      return "insufficient_margin";
    default:
      return `lighter_${code}`;
  }
}

export class LighterHttp {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly venueId: string;

  constructor(opts: { baseUrl: string; timeoutMs: number; venueId: string }) {
    this.baseUrl = `${opts.baseUrl.replace(/\/+$/, "")}/api/v1`;
    this.timeoutMs = opts.timeoutMs;
    this.venueId = opts.venueId;
  }

  /** GET `path` with `query`; `auth` (a token) for private reads. */
  get(
    path: string,
    query: Record<string, string | number | undefined> = {},
    auth?: string,
  ): Promise<unknown> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const headers: Record<string, string> = {};
    if (auth !== undefined) headers.Authorization = auth;
    const text = qs.toString();
    return this.#request("GET", `${path}${text === "" ? "" : `?${text}`}`, headers, undefined);
  }

  /** POST sendTx as a form: `tx_type`, `tx_info` (the signed JSON text). */
  sendTx(txType: number, txInfo: string): Promise<unknown> {
    const body = new URLSearchParams({ tx_type: String(txType), tx_info: txInfo }).toString();
    return this.#request("POST", "sendTx", { "Content-Type": "application/x-www-form-urlencoded" }, body);
  }

  async #request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<unknown> {
    const where = `venue ${this.venueId}: ${method} ${path.split("?")[0]}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrl}/${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw transportError(e, where);
    }
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const coded = ResultCodeSchema.safeParse(json);
    const code = coded.success ? coded.data.code : undefined;
    if (res.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code)))
      throw new VenueUnknownOutcomeError(
        "rate_limited",
        `${where}: rate limited (HTTP ${res.status}${code ? `, code ${code}` : ""}): ${text.slice(0, 200)}`,
      );
    if (res.status >= 500)
      throw new VenueUnknownOutcomeError(
        "server_error",
        `${where}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    if (json === undefined)
      throw new VenueUnknownOutcomeError(
        "server_error",
        `${where}: HTTP ${res.status}, the answer is not JSON`,
      );
    // an answer without a code (referral/points) is a success when the status is
    if (code === undefined || code === 200) {
      if (res.ok) return json;
      throw new LighterRejectError(
        res.status,
        res.status,
        `${where}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    }
    const message = coded.success ? (coded.data.message ?? "") : "";
    throw new LighterRejectError(code, res.status, `${where}: code ${code}: ${message}`);
  }
}
