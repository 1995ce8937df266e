/**
 * Hyperliquid REST transport (`POST /info`, `POST /exchange`): weights taken from the IP scope's
 * limiter before sending, a timeout per request, and every failure classified the way the engine
 * needs it (VENUES.md §1.8):
 *
 * - `unavailable`: nothing reached the venue (connection refused, DNS): safe to retry as is;
 * - `unknown`: the request may have been executed (timeout or reset after sending, 5xx,
 *   a body that is not JSON, 429): resolve with `orderStatus` by cloid before anything else;
 * - `answered`: a JSON answer with HTTP 200 (the venue answers errors with 200 too).
 */
import type { z } from "zod";
import { exchangeWeight, infoWeight } from "./capabilities.ts";
import { type ExchangeResponse, ExchangeResponseSchema } from "./parse.ts";
import { limiterFor, type WeightLimiter } from "./rate-limit.ts";

export const MAINNET_URL = "https://api.hyperliquid.xyz";
export const TESTNET_URL = "https://api.hyperliquid-testnet.xyz";

export type HttpOutcome<T> =
  | { readonly kind: "answered"; readonly value: T }
  | {
      readonly kind: "unknown";
      readonly reason: "timeout" | "server_error" | "rate_limited";
      readonly detail: string;
    }
  | { readonly kind: "unavailable"; readonly detail: string };

export interface HttpOptions {
  readonly baseUrl: string;
  /** per request, default 10 s */
  readonly timeoutMs?: number;
  /** the IP scope's limiter; default the process-wide "ip:default" */
  readonly limiter?: WeightLimiter;
  readonly fetch?: typeof fetch;
}

/** Error codes that mean the request never left this machine. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

function causeCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === "object"; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export class HlHttp {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #limiter: WeightLimiter;
  readonly #fetch: typeof fetch;

  constructor(opts: HttpOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#limiter = opts.limiter ?? limiterFor();
    this.#fetch = opts.fetch ?? fetch;
  }

  /** POST a JSON body; the answer's JSON parsed by `schema` (a parse failure is an error). */
  async #post<T>(path: string, body: string, weight: number, schema: z.ZodType<T>): Promise<HttpOutcome<T>> {
    await this.#limiter.take(weight);
    let res: Response;
    let text: string;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const code = causeCode(e);
      if (code && NOT_SENT.has(code)) return { kind: "unavailable", detail: `${path}: ${code}` };
      const name = (e as { name?: string }).name;
      const detail = `${path}: ${name === "TimeoutError" ? `no answer within ${this.#timeoutMs} ms` : (code ?? String(e))}`;
      return { kind: "unknown", reason: "timeout", detail };
    }
    if (res.status === 429) return { kind: "unknown", reason: "rate_limited", detail: `${path}: HTTP 429` };
    if (res.status >= 500)
      return { kind: "unknown", reason: "server_error", detail: `${path}: HTTP ${res.status}` };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: "unknown", reason: "server_error", detail: `${path}: HTTP ${res.status}, not JSON` };
    }
    if (res.status !== 200) {
      return {
        kind: "unknown",
        reason: "server_error",
        detail: `${path}: HTTP ${res.status} ${text.slice(0, 200)}`,
      };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // each issue by its field, e.g. "field response.data: Invalid input: expected object, received number"
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((i) => `field ${i.path.map(String).join(".") || "(the answer)"}: ${i.message}`)
        .join("; ");
      const detail = `hyperliquid ${path}: answer does not parse: ${issues.slice(0, 500)}`;
      // an action whose answer we cannot read may have been executed: unknown, never rejected
      if (path === "/exchange") return { kind: "unknown", reason: "server_error", detail };
      throw new Error(detail);
    }
    return { kind: "answered", value: parsed.data };
  }

  /** An info request (`{type, …}`), its weight from the capability table. */
  info<T>(
    request: { readonly type: string } & Record<string, unknown>,
    schema: z.ZodType<T>,
  ): Promise<HttpOutcome<T>> {
    return this.#post("/info", JSON.stringify(request), infoWeight(request.type), schema);
  }

  /** A signed action body (from `exchangeBody`); `batch` = orders or cancels it carries. */
  exchange(body: string, batch = 1): Promise<HttpOutcome<ExchangeResponse>> {
    return this.#post("/exchange", body, exchangeWeight(batch), ExchangeResponseSchema);
  }
}
