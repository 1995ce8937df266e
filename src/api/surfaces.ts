import type { Store } from "../app/service/open.ts";
import { telegramSection } from "../app/telegram-section.ts";
import type { LoadedConfig } from "../config/load.ts";
import { apiSection } from "./config.ts";
import { startApiServer } from "./server.ts";
import { startTelegramBot } from "./telegram/start.ts";

/**
 * What `perpbot run` attaches to its store once it trades: the HTTP API and dashboard when
 * `api.enabled`, the Telegram control bot when `telegram.enabled`. Undefined when both are off.
 */
export function runSurfaces(o: {
  config: LoadedConfig;
  version: string;
  say: (line: string) => void;
  log: (module: string, level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
}): ((store: Store) => Promise<{ close(): Promise<void> }>) | undefined {
  const api = apiSection.get(o.config.values).enabled;
  const telegram = telegramSection.get(o.config.values).enabled;
  if (!api && !telegram) return undefined;
  return async (store) => {
    const parts: { close(): Promise<void> }[] = [];
    if (api) {
      const server = await startApiServer({
        store,
        config: o.config,
        version: o.version,
        onError: (msg, e) => o.log("api", "error", msg, { err: e.message }),
      });
      o.say(`api: ${server.url}/`);
      parts.push(server);
    }
    const bot = startTelegramBot({
      store,
      config: o.config,
      log: (level, msg, ctx) => o.log("telegram", level, msg, ctx),
    });
    if (bot) {
      o.say("telegram: control bot polling");
      parts.push(bot);
    }
    return { close: async () => void (await Promise.all(parts.map((p) => p.close()))) };
  };
}
