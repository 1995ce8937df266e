import { z } from "zod";

/**
 * The `backpack` venue section. Backpack has one production host (no public testnet): a live run
 * points at https://api.backpack.exchange, a trial run at `perpbot emulate backpack`.
 */
export const BackpackConfigSchema = z
  .object({
    kind: z.literal("backpack").optional(),
    id: z.string().min(1).default("backpack").describe("The venue's id in perpbot (orders, reports)."),
    rest_url: z.url().default("https://api.backpack.exchange").describe("REST base URL."),
    ws_url: z
      .string()
      .regex(/^wss?:\/\//, "a ws:// or wss:// URL")
      .default("wss://ws.backpack.exchange")
      .describe("WebSocket URL."),
    window_ms: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(5000)
      .describe("X-Window: how long a signed request stays valid (the venue's default 5000, maximum 60000)."),
    request_timeout_ms: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe("A request without an answer after this long is an unknown outcome."),
    stale_after_ms: z
      .number()
      .int()
      .min(100)
      .default(60_000)
      .describe("A market stream without a message for this long is reported stale."),
    maker_fee_bps: z
      .number()
      .default(2)
      .describe("Maker fee (the account's tier is not readable over the API)."),
    taker_fee_bps: z
      .number()
      .default(5)
      .describe("Taker fee (the account's tier is not readable over the API)."),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these perp markets ("BTC_USDC_PERP"); empty: every perp market.'),
  })
  .strict();

export type BackpackConfig = z.output<typeof BackpackConfigSchema>;
