import { z } from "zod";

/**
 * The `backpack` venue section. Backpack has one production host (no public testnet): a live run
 * points at https://api.backpack.exchange, a trial run at `perpbot emulate backpack`.
 */
export const BackpackConfigSchema = z
  .object({
    kind: z.literal("backpack").optional(),
    id: z.string().min(1).default("backpack"),
    restUrl: z.url().default("https://api.backpack.exchange"),
    wsUrl: z
      .string()
      .regex(/^wss?:\/\//, "a ws:// or wss:// URL")
      .default("wss://ws.backpack.exchange"),
    /** X-Window: how long a signed request stays valid (ms); the venue's default 5000, maximum 60000 */
    windowMs: z.number().int().min(1).max(60_000).default(5000),
    /** a request without an answer after this long is an unknown outcome (ms) */
    requestTimeoutMs: z.number().int().min(100).default(10_000),
    /** a market stream without a message for this long is reported stale (ms) */
    staleAfterMs: z.number().int().min(100).default(60_000),
    /** the account's fee tier is not readable over the API; the base tier (BP fee page) by default */
    makerFeeBps: z.number().default(2),
    takerFeeBps: z.number().default(5),
    /** only these symbols ("BTC_USDC_PERP"); empty = every perp market */
    symbols: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type BackpackConfig = z.output<typeof BackpackConfigSchema>;
