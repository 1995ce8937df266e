import { registerSecret } from "../log/redact.ts";
import { type NoticeView, viewOf } from "./format.ts";
import { postJson } from "./http.ts";
import { type AlertSender, type Notice, SendFailure } from "./types.ts";

/**
 * Telegram through the Bot API's sendMessage (https://core.telegram.org/bots/api#sendmessage):
 * POST {base}/bot<token>/sendMessage with {chat_id, text, parse_mode}. We use parse_mode "HTML",
 * whose escaping rule is the simplest to get exactly right: every <, > and & that is not part of a
 * tag or an entity becomes &lt;, &gt;, &amp; (https://core.telegram.org/bots/api#html-style).
 * A message holds at most 4096 characters after entity parsing.
 */

export interface TelegramOptions {
  /** default https://api.telegram.org */
  readonly baseUrl: string;
  readonly botToken: string;
  /** a numeric chat id ("-100…" for groups and channels) or "@channelname" */
  readonly chatId: string;
  readonly timeoutMs: number;
  readonly name?: string;
}

// 4096 is Telegram's limit; the margin covers characters Telegram counts as two (UTF-16)
const LIMITS = { body: 3000, value: 200, facts: 20, total: 3900 };

/** Text for HTML parse mode: the three characters the Bot API requires to be entities. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The message text in Telegram HTML. */
export function telegramHtml(view: NoticeView): string {
  const e = escapeTelegramHtml;
  const lines = [`${view.icon} <b>${e(view.headline)}</b>`];
  if (view.body !== "") lines.push(e(view.body));
  for (const [label, value] of view.facts) lines.push(`<b>${e(label)}:</b> ${e(value)}`);
  if (view.action !== null) lines.push(`<b>Action:</b> ${e(view.action)}`);
  lines.push(`<i>${e(view.footer)}</i>`);
  return lines.join("\n");
}

export class TelegramSender implements AlertSender {
  readonly kind = "telegram" as const;
  readonly name: string;
  private readonly url: string;
  private readonly chatId: string;
  private readonly timeoutMs: number;

  constructor(options: TelegramOptions) {
    if (options.botToken === "") throw new Error("telegram: bot_token is empty");
    if (options.chatId === "") throw new Error("telegram: chat_id is empty");
    // the token is in the URL path: keep it out of every log line and error from here on
    registerSecret(options.botToken);
    this.name = options.name ?? "telegram";
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/bot${options.botToken}/sendMessage`;
    this.chatId = options.chatId;
    this.timeoutMs = options.timeoutMs;
  }

  async send(notice: Notice): Promise<void> {
    const result = await postJson({
      name: this.name,
      url: this.url,
      timeoutMs: this.timeoutMs,
      body: {
        chat_id: this.chatId,
        text: telegramHtml(viewOf(notice, LIMITS)),
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
      },
    });
    // a 200 always carries {"ok": true, "result": Message}; anything else is not a delivery
    const ok = (result.json as { ok?: unknown } | null)?.ok;
    if (ok !== true) throw new SendFailure(`${this.name}: answer without "ok": true`, { retryable: true });
  }
}
