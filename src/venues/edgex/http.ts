import type { Clock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { EnvelopeSchema } from "./parse.ts";
import { authHeaders, contentOf, queryContent, type RequestAuth, type WireObject } from "./signing.ts";

/**
 * EdgeX V2 REST transport. Answers are `{code, data, msg}` envelopes with HTTP 200; how each
 * failure leaves (the Venue contract's two errors):
 * - nothing sent (connection refused, DNS): VenueUnknownOutcomeError "unavailable";
 * - sent, then no answer (timeout, reset): "timeout"; HTTP 5xx, a body that is not JSON, or a
 *   venue code that says the server failed (SERVER_CODES): "server_error"; HTTP 429 or a
 *   rate-limit code: "rate_limited" — the request may have been handled;
 * - any other code: EdgexRejectError (the venue answered and did nothing), reason = the code in
 *   lower case, the message naming method, path and the venue's `msg`.
 */
export interface EdgexRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: WireObject;
  /** signs with the account's API secret (hmacSha256) and names its key and passphrase */
  readonly auth?: RequestAuth;
}

/** Codes that mean the venue did not decide (its own failure), so the outcome is unknown. */
const SERVER_CODES = /INTERNAL|SYSTEM|TIMEOUT|BUSY|UNAVAILABLE|UNKNOWN_ERROR/;
const RATE_CODES = /RATE_LIMIT|TOO_MANY|FREQUENT/;
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export class EdgexRejectError extends VenueRejectError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(code.toLowerCase(), message);
    this.code = code;
    this.name = "EdgexRejectError";
  }
}

export class EdgexHttp {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #clock: Clock;

  constructor(baseUrl: string, timeoutMs: number, clock: Clock) {
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
  }

  /** The `data` of a SUCCESS answer. */
  async request(r: EdgexRequest): Promise<unknown> {
    const where = `edgex ${r.method} ${r.path}`;
    const headers: Record<string, string> = { Accept: "application/json" };
    const body = r.body === undefined ? undefined : JSON.stringify(r.body);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (r.auth !== undefined) {
      const content = r.method === "GET" ? queryContent(r.query) : contentOf(r.body ?? {});
      Object.assign(headers, authHeaders(r.auth, String(this.#clock.now()), r.method, r.path, content));
    }
    const qs =
      r.query === undefined || Object.keys(r.query).length === 0
        ? ""
        : `?${new URLSearchParams(r.query).toString()}`;
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${this.#base}${r.path}${qs}`, {
        method: r.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      throw lost(e, where);
    }
    if (status === 429) throw new VenueUnknownOutcomeError("rate_limited", `${where}: HTTP 429`);
    if (status >= 500)
      throw new VenueUnknownOutcomeError("server_error", `${where}: HTTP ${status} ${text.slice(0, 160)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (status >= 400)
        throw new EdgexRejectError(`HTTP_${status}`, `${where}: HTTP ${status} ${text.slice(0, 160)}`);
      throw new VenueUnknownOutcomeError("server_error", `${where}: the answer is not JSON`);
    }
    const env = EnvelopeSchema.safeParse(json);
    if (!env.success) {
      if (status >= 400)
        throw new EdgexRejectError(`HTTP_${status}`, `${where}: HTTP ${status} ${text.slice(0, 160)}`);
      throw new VenueUnknownOutcomeError("server_error", `${where}: the answer is not an EdgeX envelope`);
    }
    const { code, msg } = env.data;
    if (code === "SUCCESS" && status < 400) return env.data.data;
    const message = `${where}: ${code}: ${msg ?? "(no message)"}`;
    if (RATE_CODES.test(code)) throw new VenueUnknownOutcomeError("rate_limited", message);
    if (SERVER_CODES.test(code)) throw new VenueUnknownOutcomeError("server_error", message);
    throw new EdgexRejectError(code, message);
  }
}

function lost(e: unknown, where: string): VenueUnknownOutcomeError {
  const err = e as { name?: string; message?: string; cause?: { code?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError")
    return new VenueUnknownOutcomeError("timeout", `${where}: no answer within the timeout`);
  const code = err.cause?.code ?? "";
  if (NOT_SENT.has(code)) return new VenueUnknownOutcomeError("unavailable", `${where}: not sent (${code})`);
  return new VenueUnknownOutcomeError(
    "timeout",
    `${where}: connection lost before the answer (${code || err.message})`,
  );
}
