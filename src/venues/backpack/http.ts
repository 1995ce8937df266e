import type { Clock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { transportError } from "../kit/transport.ts";
import { ErrorSchema } from "./parse.ts";
import { INSTRUCTIONS, type Params, signedHeaders } from "./signing.ts";

/**
 * Backpack REST transport. Every failure leaves as one of the contract's two errors:
 * - no connection made (refused, DNS): VenueUnknownOutcomeError "unavailable" (nothing was sent,
 *   a retry with the same client id is safe);
 * - sent, then timeout or reset: "timeout"; HTTP 5xx or a body that is not JSON: "server_error";
 *   HTTP 429: "rate_limited" (the request may or may not have been handled);
 * - any other 4xx with the venue's `{code, message}`: VenueRejectError (the venue answered and
 *   did nothing), `reason` = the venue's code in lower case, message naming method and path.
 */
export interface RequestSpec {
  readonly method: "GET" | "POST" | "DELETE" | "PATCH";
  readonly path: string;
  readonly query?: Params;
  readonly body?: Params;
  /** signs the request when given (the endpoint must have an instruction) */
  readonly signer?: AccountSigner;
}

export class BackpackHttp {
  readonly baseUrl: string;
  readonly windowMs: number;
  readonly timeoutMs: number;
  readonly clock: Clock;

  constructor(opts: { baseUrl: string; windowMs: number; timeoutMs: number; clock: Clock }) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.windowMs = opts.windowMs;
    this.timeoutMs = opts.timeoutMs;
    this.clock = opts.clock;
  }

  async request(spec: RequestSpec): Promise<unknown> {
    const where = `backpack ${spec.method} ${spec.path}`;
    const qs = queryString(spec.query);
    const headers: Record<string, string> = {};
    if (spec.body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
    if (spec.signer !== undefined) {
      const instruction = INSTRUCTIONS[`${spec.method} ${spec.path}`];
      if (instruction === undefined) throw new Error(`${where}: no signing instruction for this endpoint`);
      Object.assign(
        headers,
        await signedHeaders(spec.signer, instruction, spec.query, spec.body, this.clock.now(), this.windowMs),
      );
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrl}${spec.path}${qs}`, {
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
      json = text === "" ? null : JSON.parse(text);
    } catch {
      if (res.ok) throw new VenueUnknownOutcomeError("server_error", `${where}: answer is not JSON`);
      json = undefined;
    }
    if (res.ok) return json;
    const err = ErrorSchema.safeParse(json);
    const code = err.success ? err.data.code : `http_${res.status}`;
    const message = err.success ? (err.data.message ?? code) : text.slice(0, 200);
    throw new BackpackRejectError(code, res.status, `${where}: ${code}: ${message}`);
  }
}

/** A definite refusal with the venue's code and HTTP status. */
export class BackpackRejectError extends VenueRejectError {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(code.toLowerCase(), message);
    this.code = code;
    this.status = status;
    this.name = "BackpackRejectError";
  }
}

function queryString(q: Params | undefined): string {
  if (q === undefined) return "";
  const parts: string[] = [];
  for (const k of Object.keys(q).sort()) {
    const v = q[k];
    if (v !== undefined) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}
