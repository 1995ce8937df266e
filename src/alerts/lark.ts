import { createHmac } from "node:crypto";
import { registerSecret } from "../log/redact.ts";
import { plainText, viewOf } from "./format.ts";
import { postJson } from "./http.ts";
import { type AlertSender, type Notice, SendFailure } from "./types.ts";

/**
 * Lark (Feishu) custom bot webhook (Lark Open Platform, "Custom bot usage guide"):
 * POST {base}/open-apis/bot/v2/hook/<token> with {"msg_type":"text","content":{"text":...}}.
 * With signature verification enabled the body also carries "timestamp" (seconds, as a string)
 * and "sign": HMAC-SHA256 keyed by `timestamp + "\n" + secret` over an empty message, base64.
 * The answer is HTTP 200 with {"code":0,...} on success and a non-zero code otherwise.
 */

export interface LarkOptions {
  /** default https://open.larksuite.com (https://open.feishu.cn for Feishu) */
  readonly baseUrl: string;
  /** the last path segment of the bot's webhook URL */
  readonly token: string;
  /** the signing secret, when the bot has signature verification on */
  readonly signingSecret: string | null;
  readonly timeoutMs: number;
  /** epoch ms, for the signature timestamp (injected so tests can check the exact signature) */
  readonly now?: () => number;
  readonly name?: string;
}

const LIMITS = { body: 3000, value: 200, facts: 20, total: 4000 };

/** Frequency-limit codes of the bot API: waiting helps. Other codes (bad signature, keyword) do not. */
const RATE_LIMIT_CODES = new Set([9499, 11232]);

/** Lark's signature for a timestamp in seconds. */
export function larkSign(timestampSeconds: string, secret: string): string {
  return createHmac("sha256", `${timestampSeconds}\n${secret}`).update("").digest("base64");
}

export class LarkSender implements AlertSender {
  readonly kind = "lark" as const;
  readonly name: string;
  private readonly url: string;
  private readonly signingSecret: string | null;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: LarkOptions) {
    if (options.token === "") throw new Error("lark: token is empty");
    registerSecret(options.token);
    if (options.signingSecret) registerSecret(options.signingSecret);
    this.name = options.name ?? "lark";
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/open-apis/bot/v2/hook/${options.token}`;
    this.signingSecret = options.signingSecret || null;
    this.timeoutMs = options.timeoutMs;
    this.now = options.now ?? Date.now;
  }

  async send(notice: Notice): Promise<void> {
    const body: Record<string, unknown> = {
      msg_type: "text",
      content: { text: plainText(viewOf(notice, LIMITS)) },
    };
    if (this.signingSecret !== null) {
      const timestamp = String(Math.floor(this.now() / 1000));
      body.timestamp = timestamp;
      body.sign = larkSign(timestamp, this.signingSecret);
    }
    const result = await postJson({ name: this.name, url: this.url, timeoutMs: this.timeoutMs, body });
    const answer = result.json as { code?: unknown; msg?: unknown; StatusCode?: unknown } | null;
    // older deployments answer {"StatusCode":0,"StatusMessage":"success"}
    const code = answer?.code ?? answer?.StatusCode;
    if (code === 0) return;
    const n = typeof code === "number" ? code : null;
    const msg = typeof answer?.msg === "string" ? `: ${answer.msg.slice(0, 200)}` : "";
    throw new SendFailure(`${this.name}: refused with code ${n ?? "?"}${msg}`, {
      retryable: n === null || RATE_LIMIT_CODES.has(n),
    });
  }
}
