import { registerSecret } from "../log/redact.ts";
import { plainText, viewOf } from "./format.ts";
import { postJson } from "./http.ts";
import type { AlertSender, Notice } from "./types.ts";

/**
 * A generic JSON webhook for anything else (PagerDuty bridges, n8n, a script of the user's):
 * POST the URL with the alert as structured JSON plus a ready-made `text`. Any 2xx is a delivery.
 */

export interface WebhookOptions {
  readonly url: string;
  /** sent as "Authorization: Bearer <token>" when set */
  readonly bearerToken: string | null;
  readonly timeoutMs: number;
  readonly name?: string;
}

const LIMITS = { body: 4000, value: 500, facts: 50, total: 8000 };

/** The JSON body: stable field names, so receivers can route on severity and key. */
export function webhookBody(notice: Notice): Record<string, unknown> {
  return {
    source: "perpbot",
    severity: notice.severity,
    key: notice.key,
    title: notice.title,
    message: notice.message,
    context: notice.context,
    ts: notice.ts,
    time: new Date(notice.ts).toISOString(),
    suppressed: notice.suppressed ?? null,
    text: plainText(viewOf(notice, LIMITS)),
  };
}

export class WebhookSender implements AlertSender {
  readonly kind = "webhook" as const;
  readonly name: string;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: WebhookOptions) {
    if (options.url === "") throw new Error("webhook: url is empty");
    registerSecret(options.url);
    this.headers = {};
    if (options.bearerToken) {
      registerSecret(options.bearerToken);
      this.headers.authorization = `Bearer ${options.bearerToken}`;
    }
    this.name = options.name ?? "webhook";
    this.url = options.url;
    this.timeoutMs = options.timeoutMs;
  }

  async send(notice: Notice): Promise<void> {
    await postJson({
      name: this.name,
      url: this.url,
      timeoutMs: this.timeoutMs,
      headers: this.headers,
      body: webhookBody(notice),
    });
  }
}
