import { z } from "zod";
import { defineSection } from "../config/registry.ts";
import type { Clock } from "../core/clock.ts";
import { ALERT_SEVERITIES } from "../engine/alerts.ts";
import type { Logger } from "../log/logger.ts";
import { AlertDestination, type DestinationPolicy } from "./destination.ts";
import { DiscordSender } from "./discord.ts";
import { LarkSender } from "./lark.ts";
import { AlertService, type AlertStoreWriter } from "./service.ts";
import { TelegramSender } from "./telegram.ts";
import type { AlertSender } from "./types.ts";
import { WebhookSender } from "./webhook.ts";

/**
 * The `alerts` config section: one table per destination kind, each off until enabled, with its
 * credentials as secrets (masked by `config show`, scrubbed from logs, settable by env vars such
 * as PERPBOT__ALERTS__TELEGRAM__BOT_TOKEN), and the delivery limits shared by all.
 */

const severity = z
  .enum(ALERT_SEVERITIES as readonly ["info", "warning", "critical", "emergency"])
  .default("warning")
  .describe('Send alerts from this severity up: "info", "warning", "critical" or "emergency".');

/** Whether a URL names a user or password (`https://user:pass@host/…`). */
function hasUserInfo(v: string): boolean {
  try {
    const u = new URL(v);
    return u.username !== "" || u.password !== "";
  } catch {
    return false;
  }
}

/**
 * An http(s) URL. Credentials in it (`user:pass@`) are refused at load: fetch will not send a
 * request to such a URL, so every alert would fail. `credentialHint` says where they go instead.
 */
const httpUrl = (dflt: string, doc: string, credentialHint = "") =>
  z
    .string()
    .default(dflt)
    .refine((v) => v === "" || /^https?:\/\/[^\s]+$/.test(v), "must be an http:// or https:// URL")
    .refine(
      (v) => v === "" || !hasUserInfo(v),
      `must not hold a user name or password ("user:pass@"): such a URL cannot be requested${credentialHint}`,
    )
    .describe(doc);

const rate = (dflt: number, doc: string) =>
  z
    .number()
    .min(0)
    .max(6000)
    .default(dflt)
    .describe(`Messages per minute at most (0: no limit).${doc ? ` ${doc}` : ""}`);

/** `enabled` needs the listed keys filled in; each missing one is reported at its own path. */
function requireWhenEnabled<T extends { enabled: boolean }>(keys: readonly (keyof T & string)[]) {
  return (v: T, ctx: z.RefinementCtx) => {
    if (!v.enabled) return;
    for (const k of keys)
      if (v[k] === "") ctx.addIssue({ code: "custom", path: [k], message: "is required when enabled" });
  };
}

const telegram = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Send alerts to a Telegram chat through a bot."),
    min_severity: severity,
    base_url: httpUrl("https://api.telegram.org", "Bot API server (change only for a local Bot API server)."),
    bot_token: z.string().default("").describe("The bot's token from @BotFather."),
    chat_id: z
      .string()
      .default("")
      .describe('Chat to post to: a numeric id ("-100…" for groups) or "@channel".'),
    rate_per_minute: rate(20, "Telegram allows about 20 per minute into one group."),
  })
  .superRefine(requireWhenEnabled(["bot_token", "chat_id"]))
  .prefault({})
  .describe("Telegram (Bot API sendMessage, HTML formatting).");

const lark = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Send alerts to a Lark or Feishu group through a custom bot."),
    min_severity: severity,
    base_url: httpUrl(
      "https://open.larksuite.com",
      "Lark host; https://open.feishu.cn for Feishu. The hook URL is `<base_url>/open-apis/bot/v2/hook/<token>`.",
    ),
    token: z.string().default("").describe("The last segment of the bot's webhook URL."),
    signing_secret: z
      .string()
      .default("")
      .describe("The bot's signing secret when signature verification is on; empty when it is off."),
    rate_per_minute: rate(60, "Lark custom bots accept up to 100 per minute."),
  })
  .superRefine(requireWhenEnabled(["token"]))
  .prefault({})
  .describe("Lark / Feishu custom bot webhook.");

const discord = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Send alerts to a Discord channel through a webhook."),
    min_severity: severity,
    webhook_url: httpUrl("", "The channel webhook URL, `https://discord.com/api/webhooks/<id>/<token>`."),
    rate_per_minute: rate(25, "Discord limits a channel's webhooks to about 30 per minute."),
  })
  .superRefine(requireWhenEnabled(["webhook_url"]))
  .prefault({})
  .describe("Discord channel webhook.");

const webhook = z
  .strictObject({
    enabled: z.boolean().default(false).describe("POST every alert as JSON to a URL of your own."),
    min_severity: severity,
    url: httpUrl(
      "",
      "Where to POST (no `user:pass@` in it: put a credential in `bearer_token`).",
      "; put the credential in alerts.webhook.bearer_token, sent as `Authorization: Bearer <token>`",
    ),
    bearer_token: z.string().default("").describe("Sent as `Authorization: Bearer <token>` when set."),
    rate_per_minute: rate(60, ""),
  })
  .superRefine(requireWhenEnabled(["url"]))
  .prefault({})
  .describe("Generic JSON webhook.");

export const alertsSection = defineSection(
  "alerts",
  z
    .strictObject({
      dedupe_window_s: z
        .int()
        .min(0)
        .max(86_400)
        .default(300)
        .describe(
          "The same alert key is sent at most once per window per destination; a summary of the repeats follows when it ends (0: off).",
        ),
      burst: z
        .int()
        .min(1)
        .max(100)
        .default(5)
        .describe("Messages a destination may send back to back before its rate applies."),
      queue_size: z
        .int()
        .min(1)
        .max(100_000)
        .default(200)
        .describe("Alerts waiting per destination at most; when full the oldest least severe is dropped."),
      timeout_ms: z.int().min(100).max(120_000).default(10_000).describe("Time limit of one HTTP request."),
      max_attempts: z.int().min(1).max(100).default(6).describe("Attempts per alert, the first included."),
      backoff_base_ms: z.int().min(0).default(1000).describe("First retry delay, doubled per attempt."),
      backoff_max_ms: z
        .int()
        .min(0)
        .default(60_000)
        .describe("Longest retry delay (a 429's retry_after wins)."),
      telegram,
      lark,
      discord,
      webhook,
    })
    .prefault({}),
  {
    doc: "Where alerts are sent besides the store (`perpbot alerts` shows them all). Every destination is off until enabled. See docs/alerts.md.",
    secrets: [
      "telegram.bot_token",
      "telegram.chat_id",
      "lark.token",
      "lark.signing_secret",
      "discord.webhook_url",
      "webhook.url",
      "webhook.bearer_token",
    ],
  },
);

export type AlertsConfig = z.output<typeof alertsSection.schema>;

/** The senders of every enabled destination, each with its own minimum severity and rate. */
export function sendersFromConfig(
  config: AlertsConfig,
): { sender: AlertSender; minSeverity: DestinationPolicy["minSeverity"]; ratePerMinute: number }[] {
  const out: ReturnType<typeof sendersFromConfig> = [];
  const timeoutMs = config.timeout_ms;
  const { telegram: tg, lark: lk, discord: dc, webhook: wh } = config;
  if (tg.enabled)
    out.push({
      sender: new TelegramSender({
        baseUrl: tg.base_url,
        botToken: tg.bot_token,
        chatId: tg.chat_id,
        timeoutMs,
      }),
      minSeverity: tg.min_severity,
      ratePerMinute: tg.rate_per_minute,
    });
  if (lk.enabled)
    out.push({
      sender: new LarkSender({
        baseUrl: lk.base_url,
        token: lk.token,
        signingSecret: lk.signing_secret || null,
        timeoutMs,
      }),
      minSeverity: lk.min_severity,
      ratePerMinute: lk.rate_per_minute,
    });
  if (dc.enabled)
    out.push({
      sender: new DiscordSender({ webhookUrl: dc.webhook_url, timeoutMs }),
      minSeverity: dc.min_severity,
      ratePerMinute: dc.rate_per_minute,
    });
  if (wh.enabled)
    out.push({
      sender: new WebhookSender({ url: wh.url, bearerToken: wh.bearer_token || null, timeoutMs }),
      minSeverity: wh.min_severity,
      ratePerMinute: wh.rate_per_minute,
    });
  return out;
}

/** The alert service the config describes: store always, plus every enabled destination. */
export function createAlertService(
  config: AlertsConfig,
  deps: { store: AlertStoreWriter; clock: Clock; logger?: Logger },
): AlertService {
  const destinations = sendersFromConfig(config).map(
    ({ sender, minSeverity, ratePerMinute }) =>
      new AlertDestination({
        sender,
        clock: deps.clock,
        logger: deps.logger,
        policy: {
          minSeverity,
          ratePerMinute,
          dedupeWindowMs: config.dedupe_window_s * 1000,
          burst: config.burst,
          queueSize: config.queue_size,
          maxAttempts: config.max_attempts,
          backoffBaseMs: config.backoff_base_ms,
          backoffMaxMs: config.backoff_max_ms,
        },
      }),
  );
  return new AlertService({ store: deps.store, destinations, clock: deps.clock, logger: deps.logger });
}
