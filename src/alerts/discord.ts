import { registerSecret } from "../log/redact.ts";
import { type NoticeView, truncate, viewOf } from "./format.ts";
import { postJson } from "./http.ts";
import type { AlertSender, Notice } from "./types.ts";

/**
 * Discord through a channel webhook (Discord developer docs, "Execute Webhook"): POST the webhook
 * URL with {"content": ...}, at most 2000 characters. `allowed_mentions: {parse: []}` keeps an
 * "@everyone" inside an alert's text from pinging the channel. A 429 answers with
 * {"retry_after": seconds}; http.ts turns that into the wait before the next attempt.
 */

export interface DiscordOptions {
  /** https://discord.com/api/webhooks/<id>/<token>: the whole URL is the credential */
  readonly webhookUrl: string;
  readonly timeoutMs: number;
  readonly name?: string;
}

export const DISCORD_MAX_CONTENT = 2000;
// escapes can lengthen the text, so the view aims below the hard limit
const LIMITS = { body: 1000, value: 100, facts: 15, total: 1500 };

/**
 * Backslash-escapes Discord markdown: emphasis, strike, code, spoilers and masked links anywhere;
 * quotes, headings and lists only where they mean something, at the start of a line.
 */
export function escapeDiscordMarkdown(text: string): string {
  return text.replace(/[\\*_~`|[\]]/g, "\\$&").replace(/^(\s*)([#>-])/gm, "$1\\$2");
}

export function discordContent(view: NoticeView): string {
  const e = escapeDiscordMarkdown;
  const lines = [`${view.icon} **${e(view.headline)}**`];
  if (view.body !== "") lines.push(e(view.body));
  for (const [label, value] of view.facts) lines.push(`**${e(label)}:** ${e(value)}`);
  if (view.action !== null) lines.push(`**Action:** ${e(view.action)}`);
  lines.push(`*${e(view.footer)}*`);
  return truncate(lines.join("\n"), DISCORD_MAX_CONTENT);
}

export class DiscordSender implements AlertSender {
  readonly kind = "discord" as const;
  readonly name: string;
  private readonly url: string;
  private readonly timeoutMs: number;

  constructor(options: DiscordOptions) {
    if (options.webhookUrl === "") throw new Error("discord: webhook_url is empty");
    registerSecret(options.webhookUrl);
    // the token is the URL's last segment: scrub it alone as well, in case it is quoted apart
    const token = options.webhookUrl.split("/").filter(Boolean).pop();
    if (token && token.length >= 16) registerSecret(token);
    this.name = options.name ?? "discord";
    this.url = options.webhookUrl;
    this.timeoutMs = options.timeoutMs;
  }

  async send(notice: Notice): Promise<void> {
    await postJson({
      name: this.name,
      url: this.url,
      timeoutMs: this.timeoutMs,
      body: { content: discordContent(viewOf(notice, LIMITS)), allowed_mentions: { parse: [] } },
    });
  }
}
