/**
 * The `[venues.backpack]` config section. Backpack has one production host and no public testnet:
 * a live run against https://api.backpack.exchange trades real money (it asks for a typed
 * confirmation), a trial run points `rest_url` at `perpbot emulate backpack` on this machine.
 * No secret is ever in the config: each wallet's API secret comes from the keystore
 * (`perpbot keys add <wallet> --venue backpack --secret api_secret`, the base64 text Backpack
 * shows when the key is created).
 *
 *   [venues.backpack]
 *   [venues.backpack.wallets.w01]
 *   api_key = "…="                 # the API key (base64 ed25519 public key) as Backpack shows it
 *   secret = "api_secret"          # keystore field of the wallet's "backpack" entry (the default)
 */
import { z } from "zod";
import type { AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";

/** The venue name of the keystore entries that hold a wallet's Backpack secrets. */
export const KEYSTORE_VENUE = "backpack";
export const DEFAULT_SECRET_FIELD = "api_secret";
export const PRODUCTION_REST_URL = "https://api.backpack.exchange";
export const PRODUCTION_WS_URL = "wss://ws.backpack.exchange";

/** A base64 ed25519 public key: 32 bytes, 44 characters with one `=`. */
export const API_KEY_RE = /^[A-Za-z0-9+/]{43}=$/;

export const backpackWalletSchema = z.strictObject({
  api_key: z
    .string()
    .regex(
      API_KEY_RE,
      "expected the API key as Backpack shows it: base64 of 32 bytes (44 characters ending in =)",
    )
    .describe("The API key (base64 ed25519 public key); the keystore secret must be its private half."),
  secret: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)")
    .default(DEFAULT_SECRET_FIELD)
    .describe(
      'Keystore field (of the wallet\'s "backpack" entry) holding the API secret: the base64 text Backpack shows (a 32-byte ed25519 seed), or hex when the field is named *_private_key.',
    ),
});

export const BackpackConfigSchema = z
  .object({
    id: z.string().min(1).default("backpack").describe("The venue's id in perpbot (orders, reports)."),
    rest_url: z.url().default(PRODUCTION_REST_URL).describe("REST base URL."),
    ws_url: z
      .union([z.literal(""), z.string().regex(/^wss?:\/\//, "a ws:// or wss:// URL")])
      .default("")
      .describe(
        'WebSocket URL; "": wss://ws.backpack.exchange for the production REST URL, else the REST URL with ws(s):// (the emulator serves both).',
      ),
    window_ms: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(5000)
      .describe(
        "X-Window: how long a signed request stays valid (the venue's default 5000, maximum 60000). A live run needs at most engine.send_expiry_ms.",
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
    wallets: z
      .record(z.string().min(1), backpackWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the Backpack API key it trades with."),
  })
  .strict()
  .prefault({});

export type BackpackConfig = z.output<typeof BackpackConfigSchema>;
export type BackpackWallet = z.output<typeof backpackWalletSchema>;

/** The WebSocket URL a config connects to. */
export function wsUrlOf(c: Pick<BackpackConfig, "rest_url" | "ws_url">): string {
  if (c.ws_url !== "") return c.ws_url;
  const rest = c.rest_url.replace(/\/+$/, "");
  if (rest === PRODUCTION_REST_URL) return PRODUCTION_WS_URL;
  return rest.replace(/^http/, "ws");
}

/** Where a wallet's signing key sits in the keystore (an `*_private_key` field holds hex, others base64). */
export function signerSourceOf(walletId: string, w: BackpackWallet): SignerSource {
  return {
    walletId,
    scheme: "ed25519",
    venue: KEYSTORE_VENUE,
    field: w.secret,
    ...(/(^|_)private_key$/.test(w.secret) ? {} : { text: "base64" as const }),
  };
}

/** The public part of a wallet's binding: the API key the venue knows the account by. */
export function identityOf(w: BackpackWallet): AccountIdentity {
  return { apiKeyId: w.api_key };
}
