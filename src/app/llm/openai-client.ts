import { z } from "zod";
import type {
  ChatFailure,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatSettings,
  ChatUsage,
} from "../../strategies/contract.ts";

/**
 * An OpenAI-compatible chat-completions client (OpenRouter, Ollama, llama.cpp, vLLM all serve
 * `POST <base>/chat/completions`). 429, 5xx, timeouts and network errors are retried with
 * exponential backoff (a 429's Retry-After wins, capped at 60 s); any other status is final. The
 * API key goes in the Authorization header only: no message, log line or error carries it.
 *
 * Reply shape (https://platform.openai.com/docs/api-reference/chat/object):
 * {"id":"…","model":"…","choices":[{"index":0,"message":{"role":"assistant","content":"{…}"},
 *  "finish_reason":"stop"}],"usage":{"prompt_tokens":812,"completion_tokens":95,
 *  "prompt_tokens_details":{"cached_tokens":0},"cost":0.00031}}   (`cost`: OpenRouter only)
 */
const replySchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional() }).optional() }))
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().optional(),
      completion_tokens: z.number().optional(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().optional() }).nullable().optional(),
      cost: z.number().optional(),
    })
    .nullable()
    .optional(),
});

export interface OpenAiClientOptions extends ChatSettings {
  /** the key; undefined: read from `apiKeyEnv` at each call (none: no Authorization header) */
  readonly apiKey?: string;
  /** waits between retries (tests pass a short one); default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
}

const MAX_RETRY_AFTER_MS = 60_000;

export class OpenAiChatClient implements ChatModel {
  private readonly o: OpenAiClientOptions;
  private readonly endpoint: string;
  /** set when the endpoint refused response_format: later calls send none */
  private formatRefused = false;

  constructor(o: OpenAiClientOptions) {
    if ((o.apiKeyKeystore ?? null) !== null && o.apiKey === undefined)
      throw new Error(
        `api_key_keystore "${o.apiKeyKeystore}": the key is in the keystore, which this process did not unlock (perpbot run unlocks it when the keystore exists)`,
      );
    this.o = o;
    this.endpoint = `${o.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  }

  private key(): string | undefined {
    const k = this.o.apiKey ?? (this.o.env ?? process.env)[this.o.apiKeyEnv];
    return k === undefined || k === "" ? undefined : k;
  }

  private body(req: ChatRequest): string {
    const o = this.o;
    const format = this.formatRefused ? "none" : o.responseFormat;
    const responseFormat =
      format === "json_schema" && req.jsonSchema !== undefined
        ? { type: "json_schema", json_schema: { name: req.jsonSchema.name, schema: req.jsonSchema.schema } }
        : format === "none"
          ? undefined
          : { type: "json_object" };
    return JSON.stringify({
      model: o.model,
      messages: req.messages,
      temperature: o.temperature,
      top_p: o.topP,
      max_tokens: o.maxTokens,
      ...(responseFormat === undefined ? {} : { response_format: responseFormat }),
    });
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let attempts = 0;
    let last: ChatResult & { ok: false } = { ok: false, failure: "network", detail: "not sent", attempts };
    for (let retry = 0; retry <= this.o.maxRetries; retry++) {
      attempts++;
      const r = await this.once(req, attempts);
      if (r.result.ok) return r.result;
      last = r.result;
      if (!r.retryable || retry === this.o.maxRetries) break;
      const backoff = this.o.retryBackoffMs * 2 ** retry;
      await sleep(Math.min(r.retryAfterMs ?? backoff, MAX_RETRY_AFTER_MS));
    }
    return last;
  }

  private async once(
    req: ChatRequest,
    attempts: number,
  ): Promise<{ result: ChatResult; retryable: boolean; retryAfterMs?: number }> {
    const key = this.key();
    // an endpoint may echo the key in an error body: the detail is stored and logged, the key never
    const scrub = (text: string) => (key === undefined ? text : text.replaceAll(key, "[redacted]"));
    const fail = (failure: ChatFailure, detail: string, retryable: boolean, retryAfterMs?: number) => ({
      result: { ok: false as const, failure, detail: scrub(detail), attempts },
      retryable,
      retryAfterMs,
    });
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        },
        body: this.body(req),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (e) {
      const err = e as Error;
      if (err.name === "TimeoutError" || err.name === "AbortError")
        return fail("timeout", `${this.endpoint}: no answer within ${this.o.timeoutMs} ms`, true);
      return fail("network", `${this.endpoint}: ${err.message}`, true);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      const err = e as Error;
      const timeout = err.name === "TimeoutError" || err.name === "AbortError";
      return fail(timeout ? "timeout" : "network", `${this.endpoint}: body lost: ${err.message}`, true);
    }
    if (res.status === 429) {
      const ra = Number(res.headers.get("retry-after"));
      return fail(
        "rate_limited",
        `${this.endpoint}: 429 ${snippet(text)}`,
        true,
        ra > 0 ? ra * 1000 : undefined,
      );
    }
    if (res.status >= 500)
      return fail("server_error", `${this.endpoint}: ${res.status} ${snippet(text)}`, true);
    if (
      res.status === 400 &&
      !this.formatRefused &&
      this.o.responseFormat !== "none" &&
      /response_format/i.test(text)
    ) {
      // the endpoint does not do JSON mode: ask again without it (the extractor copes with prose)
      this.formatRefused = true;
      return fail("http_error", `${this.endpoint}: 400 refused response_format; retrying without`, true, 0);
    }
    if (!res.ok) return fail("http_error", `${this.endpoint}: ${res.status} ${snippet(text)}`, false);
    let parsed: z.output<typeof replySchema>;
    try {
      parsed = replySchema.parse(JSON.parse(text));
    } catch (e) {
      return fail(
        "bad_body",
        `${this.endpoint}: not a chat completion: ${(e as Error).message.slice(0, 200)}`,
        false,
      );
    }
    const u = parsed.usage ?? undefined;
    const usage: ChatUsage = {
      promptTokens: u?.prompt_tokens ?? 0,
      completionTokens: u?.completion_tokens ?? 0,
      cachedTokens: u?.prompt_tokens_details?.cached_tokens ?? 0,
      providerCostUsd: u?.cost ?? null,
    };
    return {
      result: {
        ok: true,
        content: parsed.choices[0].message?.content ?? "",
        model: parsed.model ?? this.o.model,
        usage,
        attempts,
      },
      retryable: false,
    };
  }
}

function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
