import { z } from "zod";

/**
 * The `aster` venue section. The V3 API (fapi3.asterdex.com) signs with an API wallet's
 * secp256k1 key for a main wallet (`user`); a trial run points both URLs at `perpbot emulate aster`.
 */
export const AsterConfigSchema = z
  .object({
    kind: z.literal("aster").optional(),
    id: z.string().min(1).default("aster").describe("The venue's id in perpbot (orders, reports)."),
    rest_url: z.url().default("https://fapi3.asterdex.com").describe("REST base URL of the V3 API."),
    ws_url: z
      .string()
      .regex(/^wss?:\/\//, "a ws:// or wss:// URL")
      .default("wss://fstream.asterdex.com")
      .describe("WebSocket base URL (market streams at /stream, user streams at /ws/<listenKey>)."),
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
    listen_key_renew_ms: z
      .number()
      .int()
      .min(1000)
      .max(3_600_000)
      .default(1_800_000)
      .describe("How often the user stream's listen key is extended (it expires 60 min after the last PUT)."),
    maker_fee_bps: z.number().default(1).describe("Maker fee until the account's commissionRate is read."),
    taker_fee_bps: z.number().default(3.5).describe("Taker fee until the account's commissionRate is read."),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these perpetuals ("BTCUSDT"); empty: every trading perpetual.'),
  })
  .strict();

export type AsterConfig = z.output<typeof AsterConfigSchema>;
