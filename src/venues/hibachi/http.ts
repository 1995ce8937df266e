import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { transportError } from "../kit/transport.ts";
import { ErrorSchema, RateLimitSchema } from "./parse.ts";

/**
 * Hibachi REST transport: `api.hibachi.xyz` (trade, account, capital) and
 * `data-api.hibachi.xyz` (market data); private calls carry `Authorization: <api key>`
 * (hibachi_sdk python/hibachi_xyz/executors/ — the key is sent as is, no scheme). Every failure
 * leaves as one of the contract's two errors:
 * - not connected (refused, DNS): VenueUnknownOutcomeError "unavailable" (nothing was sent);
 * - sent, then timeout or reset: "timeout"; HTTP 5xx or a 2xx body that is not JSON: "server_error";
 * - HTTP 429 `{name, count, limit, windowDuration}`: "rate_limited", the limit named;
 * - any other 4xx with `{errorCode, status, message}`: HibachiRejectError (the venue answered and
 *   did nothing), naming method, path and the venue's code.
 */
export interface HibachiRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** "data": the market-data host; "trade": the trading host */
  readonly host: "data" | "trade";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: Readonly<Record<string, unknown>>;
  /** the account's API key: sent as Authorization */
  readonly apiKey?: string;
}

export class HibachiHttp {
  readonly tradeUrl: string;
  readonly dataUrl: string;
  readonly timeoutMs: number;

  constructor(opts: { tradeUrl: string; dataUrl: string; timeoutMs: number }) {
    this.tradeUrl = opts.tradeUrl.replace(/\/+$/, "");
    this.dataUrl = opts.dataUrl.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs;
  }

  async request(spec: HibachiRequest): Promise<unknown> {
    const where = `hibachi ${spec.method} ${spec.path}`;
    const headers: Record<string, string> = {};
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    if (spec.apiKey !== undefined) headers.Authorization = spec.apiKey;
    const base = spec.host === "data" ? this.dataUrl : this.tradeUrl;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${base}${spec.path}${queryString(spec.query)}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw transportError(e, where);
    }
    let json: unknown;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.status === 429) {
      const rl = RateLimitSchema.safeParse(json);
      const what = rl.success
        ? `limit "${rl.data.name}" at ${rl.data.count}/${rl.data.limit}${rl.data.windowDuration === undefined ? "" : ` per ${rl.data.windowDuration}`}`
        : text.slice(0, 200);
      throw new VenueUnknownOutcomeError("rate_limited", `${where}: HTTP 429 ${what}`);
    }
    if (res.status >= 500)
      throw new VenueUnknownOutcomeError(
        "server_error",
        `${where}: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    if (res.ok) {
      if (json === undefined)
        throw new VenueUnknownOutcomeError("server_error", `${where}: answer is not JSON`);
      return json;
    }
    const err = ErrorSchema.safeParse(json);
    const code = err.success ? err.data.errorCode : `http_${res.status}`;
    const message = err.success ? (err.data.message ?? code) : text.slice(0, 200);
    throw new HibachiRejectError(code, res.status, `${where}: HTTP ${res.status} [${code}] ${message}`);
  }
}

/** A definite refusal with the venue's error code and HTTP status. */
export class HibachiRejectError extends VenueRejectError {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(code.toLowerCase(), message);
    this.code = code;
    this.status = status;
    this.name = "HibachiRejectError";
  }
}

function queryString(q: HibachiRequest["query"]): string {
  if (q === undefined) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q))
    if (v !== undefined) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}
