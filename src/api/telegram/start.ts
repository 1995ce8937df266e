import type { Store } from "../../app/service/open.ts";
import { type TelegramConfig, telegramSection } from "../../app/telegram-section.ts";
import type { LoadedConfig } from "../../config/load.ts";
import { TelegramBot } from "./bot.ts";
import { TelegramClient } from "./client.ts";

/**
 * Starts the control bot `[telegram]` describes on the run's store, or returns undefined when it is
 * off. The token comes from the config (file or PERPBOT__TELEGRAM__BOT_TOKEN); it is registered
 * as a secret by the client, so no log line or error carries it.
 */
export function startTelegramBot(o: {
  store: Store;
  config: LoadedConfig;
  /** overrides of the config section (tests) */
  telegram?: Partial<TelegramConfig>;
  now?: () => number;
  log?: (level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
}): { close(): Promise<void> } | undefined {
  const c: TelegramConfig = { ...telegramSection.get(o.config.values), ...o.telegram };
  if (!c.enabled) return undefined;
  const bot = new TelegramBot({
    ctx: { store: o.store, config: o.config, now: o.now ?? Date.now, remote: false },
    client: new TelegramClient({ baseUrl: c.base_url, botToken: c.bot_token }),
    allowedChatIds: c.allowed_chat_ids,
    pollTimeoutS: c.poll_timeout_s,
    confirmTtlMs: c.confirm_ttl_s * 1000,
    log: o.log,
  });
  bot.start();
  return { close: () => bot.stop() };
}
