import { z } from "zod";
import { defineSection } from "../config/registry.ts";
import type { Logger } from "../log/logger.ts";
import { isTimeZone } from "./csv.ts";
import { TradeRecorder } from "./recorder.ts";

/** The `trades` config section: the CSV trade log beside the store. */
export const tradesSection = defineSection(
  "trades",
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Write the CSV trade log."),
      dir: z
        .string()
        .min(1)
        .default("./data/trades")
        .describe("Directory of the `<venue>_<symbol>.csv` files (created on first use)."),
      timezone: z
        .string()
        .default("UTC")
        .refine(isTimeZone, 'must be an IANA time zone such as "UTC" or "Asia/Shanghai"')
        .describe("Time zone of the Timestamp column, written with its offset."),
      fsync_interval_ms: z
        .int()
        .min(0)
        .max(3_600_000)
        .default(1000)
        .describe(
          "Rows reach the file at once; they are forced to disk at most this often (0: after every row).",
        ),
    })
    .prefault({}),
  {
    doc: "The CSV trade log: every order event and fill, one file per venue and market. See docs/alerts.md.",
  },
);

export type TradesConfig = z.output<typeof tradesSection.schema>;

/** The recorder the config asks for, or null when the trade log is off. */
export function createTradeRecorder(config: TradesConfig, logger?: Logger): TradeRecorder | null {
  if (!config.enabled) return null;
  return new TradeRecorder({
    dir: config.dir,
    timeZone: config.timezone,
    fsyncIntervalMs: config.fsync_interval_ms,
    logger,
  });
}
