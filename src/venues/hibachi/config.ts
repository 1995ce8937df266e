/**
 * The `[venues.hibachi]` config section. Hibachi has two production hosts (hibachi_sdk
 * python/hibachi_xyz/helpers.py DEFAULT_API_URL / DEFAULT_DATA_API_URL) and no public testnet: a
 * live run against them trades real money, a trial run points both URLs at
 * `perpbot emulate hibachi` on this machine. No secret is in the config: a trustless
 * (wallet) account's secp256k1 private key comes from the keystore
 * (`perpbot keys add <wallet> --venue hibachi --secret private_key`, 32 bytes hex); an
 * exchange-managed account (`kind = "managed"`) has no private key and signs by HMAC-SHA256 with
 * its API secret, kept in the keystore as text (`--secret api_secret`).
 *
 *   [venues.hibachi]
 *   [venues.hibachi.wallets.w01]
 *   account_id = 128          # the account id Hibachi shows
 *   api_key = "…"             # the API key: sent as Authorization, names the account
 *   kind = "managed"          # or "trustless" (the default)
 */
import { z } from "zod";
import type { AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";

export const KEYSTORE_VENUE = "hibachi";
export const DEFAULT_SECRET_FIELD = "private_key";
export const DEFAULT_MANAGED_SECRET_FIELD = "api_secret";
export const PRODUCTION_TRADE_URL = "https://api.hibachi.xyz";
export const PRODUCTION_DATA_URL = "https://data-api.hibachi.xyz";

const Decimal = z.string().regex(/^\d+(\.\d{1,8})?$/, "a decimal fraction with at most 8 decimals");

export const hibachiWalletSchema = z.strictObject({
  account_id: z
    .number()
    .int()
    .positive()
    .describe("The Hibachi account id (an integer, as the venue shows it)."),
  api_key: z
    .string()
    .min(8, "expected the API key as Hibachi shows it")
    .regex(/^[A-Za-z0-9+/=_-]+$/, "the API key has only base64/url-safe characters")
    .describe("The API key: sent as Authorization on private requests, it names the account."),
  kind: z
    .enum(["trustless", "managed"])
    .default("trustless")
    .describe(
      'The account kind: "trustless" (a wallet account, signs with its secp256k1 private key) or "managed" (an exchange-managed account, signs by HMAC-SHA256 with its API secret).',
    ),
  secret: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)")
    .optional()
    .describe(
      `Keystore field (of the wallet's "hibachi" entry) holding the account's key: trustless, its secp256k1 private key (32 bytes; default "${DEFAULT_SECRET_FIELD}"); managed, its API secret as Hibachi shows it (text; default "${DEFAULT_MANAGED_SECRET_FIELD}").`,
    ),
});

export const HibachiConfigSchema = z
  .object({
    id: z.string().min(1).default("hibachi").describe("The venue's id in perpbot (orders, reports)."),
    trade_url: z.url().default(PRODUCTION_TRADE_URL).describe("Trading host (orders, account)."),
    data_url: z
      .union([z.literal(""), z.url()])
      .default("")
      .describe(
        'Market-data host; "": data-api.hibachi.xyz for the production trade URL, else the trade URL.',
      ),
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
    poll_ms: z
      .number()
      .int()
      .min(100)
      .default(2000)
      .describe(
        "While orders are live, the account's trades and orders are read this often (the account stream only says that balances and positions changed).",
      ),
    max_fees_percent: Decimal.default("0.001").describe(
      "maxFeesPercent signed into every order: the largest fee rate it may pay (a fraction; must cover the taker rate).",
    ),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these contracts ("BTC/USDT-P"); empty: every live contract.'),
    wallets: z
      .record(z.string().min(1), hibachiWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the Hibachi account and API key it trades with."),
  })
  .strict()
  .prefault({});

export type HibachiConfig = z.output<typeof HibachiConfigSchema>;
export type HibachiWallet = z.output<typeof hibachiWalletSchema>;

/** True when the host is this machine (the emulator): anything else is taken as real money. */
export { isLoopback } from "../kit/loopback.ts";

export function dataUrlOf(c: Pick<HibachiConfig, "trade_url" | "data_url">): string {
  if (c.data_url !== "") return c.data_url;
  const trade = c.trade_url.replace(/\/+$/, "");
  return trade === PRODUCTION_TRADE_URL ? PRODUCTION_DATA_URL : trade;
}

/** The WebSocket URL of one of the venue's endpoints (sdk: the host with wss:// and /ws/<name>). */
export function wsUrlOf(httpUrl: string, endpoint: "market" | "account" | "trade"): string {
  return `${httpUrl.replace(/\/+$/, "").replace(/^http/, "ws")}/ws/${endpoint}`;
}

/** The keystore field of a wallet's key (its secp256k1 private key, or a managed account's API secret). */
export function secretFieldOf(w: HibachiWallet): string {
  return w.secret ?? (w.kind === "managed" ? DEFAULT_MANAGED_SECRET_FIELD : DEFAULT_SECRET_FIELD);
}

/**
 * A trustless account signs with its secp256k1 key; a managed one has only an HMAC signer keyed by
 * the API secret's text as stored (hibachi_sdk python/hibachi_xyz/api.py `__sign_payload`).
 */
export function signerSourceOf(walletId: string, w: HibachiWallet): SignerSource {
  const field = secretFieldOf(w);
  if (w.kind === "managed")
    return { walletId, scheme: "hmac", venue: KEYSTORE_VENUE, hmac: { field, key: "stored" } };
  return { walletId, scheme: "secp256k1", venue: KEYSTORE_VENUE, field };
}

/** The account id travels as the identity's subAccount, the API key as apiKeyId. */
export function identityOf(w: HibachiWallet): AccountIdentity {
  return { subAccount: String(w.account_id), apiKeyId: w.api_key };
}
