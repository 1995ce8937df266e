import type { Clock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { transportError } from "../kit/transport.ts";
import { ErrorSchema } from "./parse.ts";
import { asterLimiter, requestWeight } from "./rate-limit.ts";
import { MicroNonce, type Params, paramString, signedV3Text, type V3Identity } from "./signing.ts";

/**
 * Aster REST transport (V3, /fapi/v3/…). Requests wait for the IP's weight budget (and an
 * account's order budget) before leaving. Every failure leaves as one of the contract's errors:
 * - nothing sent (connection refused, DNS): VenueUnknownOutcomeError "unavailable";
 * - sent, then timeout or reset: "timeout"; HTTP 5xx (503 included), a body that is not JSON, or
 *   the documented "execution status unknown" codes -1006 and -1007: "server_error";
 *   HTTP 429 or 418 (IP banned after repeated 429s): "rate_limited";
 * - any other `{code, msg}`: AsterRejectError (the venue answered and did nothing), with the
 *   venue's code and text, naming the wallet, method and path.
 */
export interface RequestSpec {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** the path after /fapi/v3/ ("order", "depth") */
  readonly endpoint: string;
  readonly params?: Params;
  /** signs the request (V3) when given */
  readonly auth?: V3Identity & { readonly account: string; readonly egress?: string };
  /** a new order: also spends one of the account's ORDERS */
  readonly order?: boolean;
}

/** "execution status unknown" (asterdex/api-docs "Error Codes"; Binance's -1006 and -1007) */
export const UNKNOWN_CODES = new Set([-1006, -1007]);

/** The contract's reason for the venue codes the engine reacts to; others are `code_<n>`. */
const REASONS: Readonly<Record<number, string>> = {
  [-1021]: "timestamp_outside_window",
  [-1022]: "invalid_signature",
  [-1121]: "unknown_symbol",
  [-2010]: "rejected",
  [-2011]: "unknown_order",
  [-2013]: "order_not_found",
  [-2014]: "invalid_api_key",
  [-2015]: "invalid_api_key",
  [-2019]: "insufficient_margin",
  [-2022]: "reduce_only_would_increase",
  [-4014]: "invalid_price",
  [-4116]: "duplicate_client_order_id",
  [-4164]: "min_notional",
  [-5022]: "post_only_would_cross",
};

export class AsterHttp {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** one nonce sequence per API wallet */
  readonly #nonces = new Map<string, MicroNonce>();
  /** X-MBX-USED-WEIGHT-1M of the last answer */
  usedWeight = 0;

  constructor(opts: { baseUrl: string; timeoutMs: number; clock: Clock }) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs;
    this.clock = opts.clock;
  }

  async request(spec: RequestSpec): Promise<unknown> {
    const path = `/fapi/v3/${spec.endpoint}`;
    const who = spec.auth === undefined ? "" : ` (wallet ${spec.auth.account})`;
    const where = `aster${who} ${spec.method} ${path}`;
    const params = spec.params ?? [];
    await asterLimiter(`ip:${spec.auth?.egress ?? "direct"}`).take(requestWeight(spec.endpoint, params));
    if (spec.order && spec.auth !== undefined) await asterLimiter(`orders:${spec.auth.user}`).take(1);
    let text: string;
    if (spec.auth !== undefined) {
      let n = this.#nonces.get(spec.auth.signerAddress);
      if (n === undefined) {
        n = new MicroNonce();
        this.#nonces.set(spec.auth.signerAddress, n);
      }
      text = await signedV3Text(params, spec.auth, n.next(this.clock.now()));
    } else text = paramString(params);
    const inBody = spec.method === "POST" || spec.method === "PUT";
    const url = `${this.baseUrl}${path}${!inBody && text !== "" ? `?${text}` : ""}`;
    let res: Response;
    let body: string;
    try {
      res = await fetch(url, {
        method: spec.method,
        headers: inBody ? { "Content-Type": "application/x-www-form-urlencoded" } : {},
        body: inBody ? text : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      body = await res.text();
    } catch (e) {
      throw transportError(e, where);
    }
    this.usedWeight = Number(res.headers.get("x-mbx-used-weight-1m") ?? this.usedWeight);
    if (res.status === 429 || res.status === 418)
      throw new VenueUnknownOutcomeError(
        "rate_limited",
        `${where}: HTTP ${res.status} (rate limit) ${body.slice(0, 200)}`,
      );
    let json: unknown;
    try {
      json = body === "" ? null : JSON.parse(body);
    } catch {
      if (res.ok || res.status >= 500)
        throw new VenueUnknownOutcomeError(
          "server_error",
          `${where}: HTTP ${res.status}, answer is not JSON: ${body.slice(0, 120)}`,
        );
      // a 4xx page (403: the WAF refused the request) was not handled
      throw new AsterRejectError(0, res.status, `${where}: HTTP ${res.status} ${body.slice(0, 200)}`);
    }
    const err = ErrorSchema.safeParse(json);
    if (err.success && UNKNOWN_CODES.has(err.data.code))
      throw new VenueUnknownOutcomeError(
        "server_error",
        `${where}: ${err.data.code} ${err.data.msg} (execution status unknown)`,
      );
    if (res.status >= 500)
      throw new VenueUnknownOutcomeError(
        "server_error",
        `${where}: HTTP ${res.status} ${body.slice(0, 200)}`,
      );
    if (res.ok) return json;
    const code = err.success ? err.data.code : 0;
    const msg = err.success ? err.data.msg : body.slice(0, 200);
    throw new AsterRejectError(code, res.status, `${where}: ${code} ${msg}`);
  }
}

/** A definite refusal with the venue's code and HTTP status. */
export class AsterRejectError extends VenueRejectError {
  readonly code: number;
  readonly status: number;
  constructor(code: number, status: number, message: string) {
    super(REASONS[code] ?? `code_${-code}`, message);
    this.code = code;
    this.status = status;
    this.name = "AsterRejectError";
  }
}
