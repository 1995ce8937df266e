import { SendFailure } from "./types.ts";

/**
 * One JSON POST with a timeout, its outcome sorted into "done", "try again (maybe after N ms)"
 * and "give up". Every failure message names the destination, never the URL: Telegram's URL
 * carries the bot token and a Discord or Lark webhook URL is itself the credential.
 */

export interface PostOptions {
  /** destination name for messages, e.g. "telegram" */
  readonly name: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface PostResult {
  readonly status: number;
  /** the parsed JSON answer, or null when the body was empty or not JSON */
  readonly json: unknown;
}

/** The longest wait a far end may ask for before we try again anyway. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

export async function postJson(options: PostOptions): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: "error",
    });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === "TimeoutError";
    const why = timedOut ? `no answer within ${options.timeoutMs} ms` : networkReason(err);
    throw new SendFailure(`${options.name}: ${why}`, { retryable: true, cause: err });
  }
  let text = "";
  try {
    text = await response.text();
  } catch (err) {
    throw new SendFailure(`${options.name}: answer cut off (${networkReason(err)})`, {
      retryable: true,
      status: response.status,
      cause: err,
    });
  }
  const json = parseJson(text);
  if (response.status === 429) {
    throw new SendFailure(`${options.name}: rate limited (HTTP 429)`, {
      retryable: true,
      status: 429,
      retryAfterMs: retryAfterMs(response.headers, json),
    });
  }
  if (response.status >= 500) {
    throw new SendFailure(`${options.name}: HTTP ${response.status}${describeBody(json)}`, {
      retryable: true,
      status: response.status,
    });
  }
  if (response.status < 200 || response.status >= 300) {
    // 400/401/403/404: a wrong token, chat id or payload; the same request will fail again
    throw new SendFailure(`${options.name}: HTTP ${response.status}${describeBody(json)}`, {
      retryable: false,
      status: response.status,
    });
  }
  return { status: response.status, json };
}

/** The wait asked for by a 429: the body's `retry_after` (Telegram, Discord) or the Retry-After header. */
export function retryAfterMs(headers: Headers, json: unknown): number | null {
  const body = json as { retry_after?: unknown; parameters?: { retry_after?: unknown } } | null;
  // Telegram Bot API: {"ok":false,"error_code":429,"parameters":{"retry_after":5}} (seconds);
  // Discord rate limits: {"retry_after": 0.42, "global": false} (seconds, fractional)
  const fromBody = body?.parameters?.retry_after ?? body?.retry_after;
  let seconds = typeof fromBody === "number" ? fromBody : Number.NaN;
  if (!Number.isFinite(seconds)) {
    const header = headers.get("retry-after");
    if (header !== null) {
      const n = Number(header);
      seconds = Number.isFinite(n) ? n : (Date.parse(header) - Date.now()) / 1000;
    }
  }
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return Math.min(Math.ceil(seconds * 1000), MAX_RETRY_AFTER_MS);
}

function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A short reason from an error body (Telegram's `description`, Discord's `message`, Lark's `msg`). */
export function describeBody(json: unknown): string {
  if (typeof json !== "object" || json === null) return "";
  const b = json as Record<string, unknown>;
  const text = b.description ?? b.message ?? b.msg;
  return typeof text === "string" && text !== "" ? `: ${text.slice(0, 200)}` : "";
}

function networkReason(err: unknown): string {
  // fetch wraps socket errors: "fetch failed" with the interesting part (ECONNREFUSED) in cause
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return `connection failed (${cause.code})`;
  return `connection failed (${err instanceof Error ? err.message : String(err)})`;
}
