/**
 * The `[venues.paradex]` config section (the connector's settings; the venue class that consumes
 * it is venue.ts, see docs/venues/paradex.md). Paradex has a production and a testnet
 * host; a run on this machine's host is on `perpbot`'s emulator. No secret is in the config:
 * each wallet's Stark private key comes from the keystore (field `stark_private_key` of its
 * "paradex" entry, 32 bytes), and the Starknet account address is public.
 *
 *   [venues.paradex]
 *   [venues.paradex.wallets.w01]
 *   account = "0x4638…"            # the Paradex (Starknet) account address as the app shows it
 */
import { z } from "zod";
import type { AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";
import { MAINNET_CHAIN, TESTNET_CHAIN } from "./signing.ts";

export const KEYSTORE_VENUE = "paradex";
export const DEFAULT_SECRET_FIELD = "stark_private_key";
export const PRODUCTION_REST_URL = "https://api.prod.paradex.trade/v1";
export const PRODUCTION_WS_URL = "wss://ws.api.prod.paradex.trade/v1";
export const TESTNET_REST_URL = "https://api.testnet.paradex.trade/v1";

/** a Starknet address: a felt, 0x and at most 64 hex digits */
export const ACCOUNT_RE = /^0x[0-9a-fA-F]{1,64}$/;

export const paradexWalletSchema = z.strictObject({
  account: z
    .string()
    .regex(ACCOUNT_RE, "expected the Paradex account (Starknet address): 0x and 1-64 hex digits")
    .describe("The Paradex account address (Starknet); its Stark key signs the orders."),
  secret: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)")
    .default(DEFAULT_SECRET_FIELD)
    .describe('Keystore field (of the wallet\'s "paradex" entry) holding the 32-byte Stark private key.'),
});

export const ParadexConfigSchema = z
  .object({
    id: z.string().min(1).default("paradex").describe("The venue's id in perpbot (orders, reports)."),
    rest_url: z.url().default(PRODUCTION_REST_URL).describe("REST base URL, ending in /v1."),
    ws_url: z
      .union([z.literal(""), z.string().regex(/^wss?:\/\//, "a ws:// or wss:// URL")])
      .default("")
      .describe(
        'WebSocket URL; "": the production socket for the production REST URL, else the REST URL with ws(s)://.',
      ),
    chain: z
      .union([z.literal(""), z.enum([MAINNET_CHAIN, TESTNET_CHAIN])])
      .default("")
      .describe(
        'Starknet chain of the signatures; "": mainnet for the production host (and this machine\'s emulator), testnet otherwise.',
      ),
    jwt_refresh_after_ms: z
      .number()
      .int()
      .min(10_000)
      .max(290_000)
      .default(180_000)
      .describe("A JWT (valid 5 minutes) is replaced once this old (Paradex advises about 3 minutes)."),
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
    reconnect_min_ms: z
      .number()
      .int()
      .min(10)
      .default(250)
      .describe("First delay before a dropped socket is reopened (doubling up to reconnect_max_ms)."),
    reconnect_max_ms: z
      .number()
      .int()
      .min(10)
      .default(10_000)
      .describe("Longest delay between two attempts to reopen a dropped socket."),
    accept_wait_ms: z
      .number()
      .int()
      .min(0)
      .max(30_000)
      .default(2_000)
      .describe(
        "How long submit waits for an answered (NEW) order to reach the book or be closed; past it the order is taken as acknowledged.",
      ),
    points_poll_ms: z
      .number()
      .int()
      .min(1000)
      .default(3_600_000)
      .describe("Each wallet's XP (GET /xp/account-balance) is read at bind and then this often."),
    maker_fee_bps: z.number().default(0).describe("Maker fee (Paradex charges API makers nothing)."),
    taker_fee_bps: z.number().default(2).describe("Taker fee (the account's tier is not read)."),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these perp markets ("BTC-USD-PERP"); empty: every perp market.'),
    wallets: z
      .record(z.string().min(1), paradexWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the Paradex account it trades."),
  })
  .strict()
  .prefault({});

export type ParadexConfig = z.output<typeof ParadexConfigSchema>;
export type ParadexWallet = z.output<typeof paradexWalletSchema>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

export function isLoopback(url: string): boolean {
  return LOOPBACK.test(new URL(url).hostname);
}

/** The chain a config signs for. */
/** The WebSocket URL of a config: ws_url, the production socket, or the REST URL with ws(s)://. */
export function wsUrlOf(c: Pick<ParadexConfig, "rest_url" | "ws_url">): string {
  if (c.ws_url !== "") return c.ws_url;
  const rest = c.rest_url.replace(/\/+$/, "");
  if (rest === PRODUCTION_REST_URL) return PRODUCTION_WS_URL;
  return rest.replace(/^http/, "ws");
}

export function chainOf(c: Pick<ParadexConfig, "rest_url" | "chain">): string {
  if (c.chain !== undefined && c.chain !== "") return c.chain;
  return c.rest_url.replace(/\/+$/, "") === PRODUCTION_REST_URL || isLoopback(c.rest_url)
    ? MAINNET_CHAIN
    : TESTNET_CHAIN;
}

/** Real money: the mainnet chain on a host other than this machine. */
export function realMoney(c: Pick<ParadexConfig, "rest_url" | "chain">): boolean {
  return !isLoopback(c.rest_url) && chainOf(c) === MAINNET_CHAIN;
}

export function signerSourceOf(walletId: string, w: ParadexWallet): SignerSource {
  return { walletId, scheme: "stark", venue: KEYSTORE_VENUE, field: w.secret };
}

export function identityOf(w: ParadexWallet): AccountIdentity {
  return { address: w.account.toLowerCase() };
}

/** Parse a `[venues.paradex]` table; errors name the venue, the wallet and the field. */
export function parseParadexConfig(raw: unknown): ParadexConfig {
  const r = ParadexConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new Error(`venues.paradex.${issue.path.join(".")}: ${issue.message}`);
}
