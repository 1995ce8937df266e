import type { Clock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { transportError } from "../kit/transport.ts";
import { ErrorSchema, parseJson } from "./parse.ts";

/**
 * Extended REST transport (`/api/v1`, X-Api-Key on account endpoints). Every failure leaves as
 * one of the contract's two errors:
 * - no connection made (refused, DNS): VenueUnknownOutcomeError "unavailable" (nothing was sent);
 * - sent, then timeout or reset: "timeout"; HTTP 5xx or a body that is not JSON: "server_error";
 *   HTTP 429: "rate_limited" (it may or may not have been handled);
 * - another 4xx, or HTTP 200 with `{status:"ERROR"}`: ExtendedRejectError with the venue's
 *   numeric code (the venue answered and did nothing), message naming method, path and code.
 */
export interface RequestSpec {
  readonly method: "GET" | "POST" | "DELETE" | "PATCH";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** the account's X-Api-Key, for /user/* endpoints */
  readonly apiKey?: string;
}

export class ExtendedHttp {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly clock: Clock;

  constructor(opts: { baseUrl: string; timeoutMs: number; clock: Clock }) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs;
    this.clock = opts.clock;
  }

  async request(spec: RequestSpec): Promise<unknown> {
    const where = `extended ${spec.method} ${spec.path}`;
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "perpbot" };
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    if (spec.apiKey !== undefined) headers["X-Api-Key"] = spec.apiKey;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrl}${spec.path}${queryString(spec.query)}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw transportError(e, where);
    }
    if (res.status === 429)
      throw new VenueUnknownOutcomeError("rate_limited", `${where}: HTTP 429 ${text.slice(0, 200)}`);
    if (res.status >= 500)
      throw new VenueUnknownOutcomeError(
        "server_error",
        `${where}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    let json: unknown;
    try {
      json = text === "" ? null : parseJson(text);
    } catch {
      if (res.ok) throw new VenueUnknownOutcomeError("server_error", `${where}: answer is not JSON`);
      json = undefined;
    }
    const err = ErrorSchema.safeParse(json);
    if (res.ok && !err.success) return json;
    const code = err.success ? err.data.error.code : `http_${res.status}`;
    const message = err.success ? err.data.error.message : text.slice(0, 200);
    throw new ExtendedRejectError(code, res.status, `${where}: code ${code}: ${message}`);
  }
}

/** A definite refusal with the venue's code and HTTP status. */
export class ExtendedRejectError extends VenueRejectError {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(REASONS[code] ?? `extended_${code}`, message);
    this.code = code;
    this.status = status;
    this.name = "ExtendedRejectError";
  }
}

/** The engine's reason names for the venue's codes it reacts to (ccxt extended.js exceptions). */
const REASONS: Readonly<Record<string, string>> = {
  "1001": "unknown_symbol",
  "1100": "wrong_key",
  "1101": "invalid_signature",
  "1102": "wrong_vault",
  "1120": "size_below_minimum",
  "1121": "invalid_size",
  "1124": "invalid_price",
  "1134": "duplicate_order",
  "1136": "reduce_only_would_increase",
  "1137": "reduce_only_would_increase",
  "1138": "reduce_only_would_increase",
  "1140": "insufficient_margin",
  "1142": "order_not_found",
};

function queryString(q: RequestSpec["query"]): string {
  if (q === undefined) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q))
    if (v !== undefined) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}
