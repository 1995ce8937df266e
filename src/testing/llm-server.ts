/**
 * A local OpenAI-compatible chat-completions server on 127.0.0.1 for tests: a real HTTP peer that
 * serves scripted replies in order (a completion, an HTTP error, a stall past the client's
 * timeout, a raw body) and records every request it got. Test support only.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ScriptedReply =
  /** a completion whose message content is this text */
  | {
      readonly content: string;
      readonly promptTokens?: number;
      readonly completionTokens?: number;
      readonly cost?: number;
    }
  /** an HTTP error status with this body (429 may carry Retry-After seconds) */
  | { readonly status: number; readonly body?: string; readonly retryAfterS?: number }
  /** answer nothing for this long (longer than the client's timeout: a timeout) */
  | { readonly stallMs: number }
  /** a 200 whose body is this text as is (not a chat completion) */
  | { readonly rawBody: string };

export interface RecordedRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

export class LlmTestServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly script: ScriptedReply[] = [];
  /** served when the script is empty; undefined: 503 "script exhausted" */
  fallback: ScriptedReply | undefined;
  private port = 0;
  private readonly stalls = new Set<NodeJS.Timeout>();

  private constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body, stallMs }) => {
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(status, { "content-type": "application/json", ...headers });
          res.end(body);
        };
        if (stallMs === undefined) send();
        else {
          const t = setTimeout(() => {
            this.stalls.delete(t);
            send();
          }, stallMs);
          this.stalls.add(t);
        }
      });
    });
  }

  static async start(): Promise<LlmTestServer> {
    const s = new LlmTestServer();
    await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Queue replies, served one per request in order. */
  push(...replies: ScriptedReply[]): void {
    this.script.push(...replies);
  }

  get pending(): number {
    return this.script.length;
  }

  private async handle(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { unparsed: text };
    }
    this.requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
    if (req.method !== "POST" || !(req.url ?? "").endsWith("/chat/completions")) {
      return { status: 404, headers: {}, body: JSON.stringify({ error: { message: "not found" } }) };
    }
    const r = this.script.shift() ?? this.fallback;
    if (r === undefined)
      return { status: 503, headers: {}, body: JSON.stringify({ error: { message: "script exhausted" } }) };
    if ("stallMs" in r) return { status: 504, headers: {}, body: "{}", stallMs: r.stallMs };
    if ("rawBody" in r) return { status: 200, headers: {}, body: r.rawBody };
    if ("status" in r) {
      const headers: Record<string, string> =
        r.retryAfterS === undefined ? {} : { "retry-after": String(r.retryAfterS) };
      return {
        status: r.status,
        headers,
        body: r.body ?? JSON.stringify({ error: { message: `status ${r.status}` } }),
      };
    }
    const usage: Record<string, unknown> = {
      prompt_tokens: r.promptTokens ?? 1000,
      completion_tokens: r.completionTokens ?? 100,
      total_tokens: (r.promptTokens ?? 1000) + (r.completionTokens ?? 100),
    };
    if (r.cost !== undefined) usage.cost = r.cost;
    return {
      status: 200,
      headers: {},
      body: JSON.stringify({
        id: `chatcmpl-${this.requests.length}`,
        object: "chat.completion",
        model: String(body.model ?? "test-model"),
        choices: [{ index: 0, message: { role: "assistant", content: r.content }, finish_reason: "stop" }],
        usage,
      }),
    };
  }

  async close(): Promise<void> {
    for (const t of this.stalls) clearTimeout(t);
    this.stalls.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
