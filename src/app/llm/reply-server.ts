import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback OpenAI-compatible chat-completions endpoint (`POST <base>/chat/completions` on
 * 127.0.0.1) that answers from a function of the request: what `perpbot backtest agent` serves a
 * replies file or the scripted policy through, so the backtest's agent talks HTTP to its model
 * exactly as in paper and live. Token counts are estimated at 4 characters a token (prompt:
 * every message; completion: the reply) so the per-model price table gives the cost a priced
 * model would have charged; the reply's `model` is the requested one.
 */
export type ServedReply =
  | { readonly content: string }
  | { readonly status: number; readonly body?: string; readonly retryAfterS?: number };

export interface ChatRequestBody {
  readonly model?: unknown;
  readonly messages?: readonly { readonly role: string; readonly content: string }[];
}

export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

export class ReplyServer {
  private readonly server: Server;
  private port = 0;
  requests = 0;

  private constructor(respond: (body: ChatRequestBody) => ServedReply) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const send = (status: number, body: string, headers: Record<string, string> = {}) => {
          res.writeHead(status, { "content-type": "application/json", ...headers });
          res.end(body);
        };
        if (req.method !== "POST" || !(req.url ?? "").endsWith("/chat/completions"))
          return send(404, JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        let body: ChatRequestBody;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequestBody;
        } catch (e) {
          return send(
            400,
            JSON.stringify({ error: { message: `body is not JSON: ${(e as Error).message}` } }),
          );
        }
        this.requests++;
        let r: ServedReply;
        try {
          r = respond(body);
        } catch (e) {
          return send(500, JSON.stringify({ error: { message: (e as Error).message } }));
        }
        if ("status" in r)
          return send(
            r.status,
            r.body ?? JSON.stringify({ error: { message: `status ${r.status}` } }),
            r.retryAfterS === undefined ? {} : { "retry-after": String(r.retryAfterS) },
          );
        const prompt = estimateTokens((body.messages ?? []).map((m) => m.content).join(""));
        const completion = estimateTokens(r.content);
        send(
          200,
          JSON.stringify({
            id: `chatcmpl-${this.requests}`,
            object: "chat.completion",
            model: typeof body.model === "string" ? body.model : "served",
            choices: [
              { index: 0, message: { role: "assistant", content: r.content }, finish_reason: "stop" },
            ],
            usage: {
              prompt_tokens: prompt,
              completion_tokens: completion,
              total_tokens: prompt + completion,
            },
          }),
        );
      });
    });
  }

  static async start(respond: (body: ChatRequestBody) => ServedReply): Promise<ReplyServer> {
    const s = new ReplyServer(respond);
    await new Promise<void>((resolve, reject) => {
      s.server.once("error", reject);
      s.server.listen(0, "127.0.0.1", resolve);
    });
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
