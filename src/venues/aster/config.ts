import { z } from "zod";
import type { AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";

/**
 * The `[venues.aster]` section. The V3 API (fapi3.asterdex.com) signs with an API wallet's
 * secp256k1 key for a main wallet (`user`); a trial run points both URLs at `perpbot emulate aster`.
 * No secret is in the config: the API wallet's key is a keystore field of the wallet's "aster"
 * entry (`perpbot keys add <wallet> --venue aster --secret api_wallet_private_key`).
 *
 *   [venues.aster.wallets.w01]
 *   address = "0x…"                          # the main wallet (V3 "user")
 *   api_wallet_key = "api_wallet_private_key"  # keystore field holding the API wallet's key
 */

/** The venue name of the keystore entries holding a wallet's Aster secrets. */
export const KEYSTORE_VENUE = "aster";
export const DEFAULT_API_WALLET_FIELD = "api_wallet_private_key";

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x address of 40 hex digits");

export const asterWalletSchema = z.strictObject({
  address: Address.describe('The main wallet\'s address (the V3 "user": the account that holds the margin).'),
  api_wallet_key: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)")
    .default(DEFAULT_API_WALLET_FIELD)
    .describe("Keystore field (of the wallet's \"aster\" entry) holding the API wallet's private key."),
});

export const AsterConfigSchema = z
  .object({
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
    maker_fee_bps: z
      .number()
      .default(1)
      .describe("Maker fee (this connector does not read the account's commissionRate)."),
    taker_fee_bps: z
      .number()
      .default(3.5)
      .describe("Taker fee (this connector does not read the account's commissionRate)."),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these perpetuals ("BTCUSDT"); empty: every trading perpetual.'),
    wallets: z
      .record(z.string().min(1), asterWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the Aster account it trades."),
  })
  .strict()
  .prefault({});

export type AsterConfig = z.output<typeof AsterConfigSchema>;
export type AsterWallet = z.output<typeof asterWalletSchema>;

export function signerSourceOf(walletId: string, w: AsterWallet): SignerSource {
  return { walletId, scheme: "secp256k1", venue: KEYSTORE_VENUE, field: w.api_wallet_key };
}

export function identityOf(w: AsterWallet): AccountIdentity {
  return { address: w.address.toLowerCase() };
}

/** Whether the REST URL is a loopback emulator (anything else is the venue: real money). */
export function isLoopback(c: AsterConfig): boolean {
  const host = new URL(c.rest_url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}

/** the venue refuses a V3 nonce more than this far from its time (asterdex/api-docs) */
export const NONCE_WINDOW_MS = 10_000;
