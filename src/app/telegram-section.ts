import { z } from "zod";
import { defineSection } from "../config/registry.ts";

/**
 * The `[telegram]` config section: the control bot that `perpbot run` starts (src/api/telegram/).
 * Its schema lives in app/ so that app/sections.ts, below api/ in the layer table, can register it.
 * It is separate from `[alerts.telegram]` (one-way alert delivery): the same bot token may serve
 * both, but only chats on `allowed_chat_ids` may give commands.
 */

const CHAT_ID_RE = /^-?\d{1,20}$/;

export const telegramSection = defineSection(
  "telegram",
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe("Start the Telegram control bot with `perpbot run` (docs/telegram.md)."),
      bot_token: z
        .string()
        .default("")
        .describe(
          "The bot's token from @BotFather. Best set by env: PERPBOT__TELEGRAM__BOT_TOKEN. Never logged.",
        ),
      allowed_chat_ids: z
        .array(z.string().regex(CHAT_ID_RE, 'a numeric chat id such as "123456789" or "-100123"'))
        .default([])
        .describe("Chats whose commands are obeyed; every other chat is refused. Required when enabled."),
      base_url: z
        .string()
        .regex(/^https?:\/\/[^\s]+$/, "an http(s) URL")
        .default("https://api.telegram.org")
        .describe("Bot API server (change only for a local Bot API server)."),
      poll_timeout_s: z
        .int()
        .min(0)
        .max(50)
        .default(25)
        .describe("Long-polling timeout of getUpdates (0: short polling)."),
      confirm_ttl_s: z
        .int()
        .min(10)
        .max(3_600)
        .default(120)
        .describe("How long a destructive command's confirmation stays valid."),
    })
    .prefault({})
    .superRefine((v, ctx) => {
      if (!v.enabled) return;
      if (v.bot_token === "")
        ctx.addIssue({ code: "custom", path: ["bot_token"], message: "is required when enabled" });
      if (v.allowed_chat_ids.length === 0)
        ctx.addIssue({
          code: "custom",
          path: ["allowed_chat_ids"],
          message: "is required when enabled: list the chat ids allowed to give commands",
        });
    }),
  {
    doc: "Telegram control bot (docs/telegram.md): status, PnL and control commands from allowlisted chats, destructive ones confirmed.",
    secrets: ["bot_token"],
  },
);

export type TelegramConfig = z.output<typeof telegramSection.schema>;
