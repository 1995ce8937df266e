import { z } from "zod";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";

/**
 * Paradex REST transport (base `…/v1`). Failures leave as the contract's two errors:
 * - nothing sent (refused, DNS): VenueUnknownOutcomeError "unavailable";
 * - sent, then timeout or reset: "timeout"; HTTP 5xx or a non-JSON success: "server_error";
 *   HTTP 429: "rate_limited";
 * - any other 4xx: ParadexRejectError with the venue's `error` code (its ErrorResponse
 *   `{error, message, data}`, shape as in ccxt@4.5.84 `paradex.js` `handleErrors`).
 */
export interface PdxRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** below the base, e.g. "/orders" */
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly jwt?: string;
}

const ErrorSchema = z.object({ error: z.string(), message: z.string().optional() });
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export class ParadexRejectError extends VenueRejectError {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(code.toLowerCase(), message);
    this.code = code;
    this.status = status;
    this.name = "ParadexRejectError";
  }
}

export class ParadexHttp {
  readonly baseUrl: string;
  readonly timeoutMs: number;

  constructor(baseUrl: string, timeoutMs: number) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = timeoutMs;
  }

  async request(r: PdxRequest): Promise<unknown> {
    const where = `paradex ${r.method} ${r.path}`;
    const headers: Record<string, string> = { ...r.headers };
    if (r.body !== undefined) headers["Content-Type"] = "application/json";
    if (r.jwt !== undefined) headers.Authorization = `Bearer ${r.jwt}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrl}${r.path}`, {
        method: r.method,
        headers,
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const err = e as { name?: string; message?: string; cause?: { code?: string } };
      if (err.name === "TimeoutError" || err.name === "AbortError")
        throw new VenueUnknownOutcomeError("timeout", `${where}: no answer (timed out)`);
      const code = err.cause?.code ?? "";
      if (UNREACHABLE.has(code))
        throw new VenueUnknownOutcomeError("unavailable", `${where}: not sent (${code})`);
      throw new VenueUnknownOutcomeError(
        "timeout",
        `${where}: connection lost before the answer (${code || err.message})`,
      );
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
    }
    if (res.ok) return json;
    const e = ErrorSchema.safeParse(json);
    const code = e.success ? e.data.error : `HTTP_${res.status}`;
    throw new ParadexRejectError(
      code,
      res.status,
      `${where}: ${code}: ${e.success ? (e.data.message ?? "") : text.slice(0, 200)}`,
    );
  }
}

/** Parse `value` with `schema` or throw naming venue, what and the first bad field. */
export function parseAs<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new Error(`paradex: ${what} did not parse at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
}
