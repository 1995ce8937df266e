/**
 * The `[venues.edgex]` config section (EdgeX V2; docs/venues/edgex.md says why V2). EdgeX has one
 * production host (https://edgex-prod-v2.edgex.exchange, quotes on wss://edgex-quote-prod-v2…);
 * a trial run points `rest_url` at `perpbot emulate edgex` on this machine. No secret is in the
 * config: each wallet's EdgeX keystore entry holds its trading key (secp256k1, signs orders with
 * EIP-712), its API secret (keys the HMAC of every private request) and its API passphrase (sent
 * with every private request):
 *   perpbot keys add <wallet> --venue edgex --secret trading_private_key --secret api_secret \
 *       --secret api_passphrase
 *
 *   [venues.edgex]
 *   [venues.edgex.wallets.w01]
 *   account_id = "543429922866069763"
 *   api_key = "…"
 */
import { z } from "zod";
import { VenueRejectError } from "../../core/venue.ts";
import type { AccountBinding, AccountIdentity, AccountSigner } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";

export const KEYSTORE_VENUE = "edgex";
export const PRODUCTION_REST_URL = "https://edgex-prod-v2.edgex.exchange";
export const PRODUCTION_WS_URL = "wss://edgex-quote-prod-v2.edgex.exchange";

const field = z.string().regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)");

/** Where a `passphrase` left in the config goes now (the config refuses it). */
export const PASSPHRASE_MOVED =
  "passphrase is a secret and is no longer read from the config: remove it from [venues.edgex.wallets.<wallet>] and store it in the keystore with `perpbot keys add <wallet> --venue edgex --secret api_passphrase` (it is read from the prompt or stdin)";

export const edgexWalletSchema = z.strictObject(
  {
    account_id: z
      .string()
      .regex(
        /^\d{1,20}$/,
        "expected the EdgeX account id: the decimal number the venue shows (up to 20 digits)",
      )
      .describe("The EdgeX account id (decimal); orders are signed for it."),
    api_key: z.string().min(1, "the API key as EdgeX shows it").describe("X-edgeX-Api-Key of this account."),
    trading_key: field
      .default("trading_private_key")
      .describe(
        'Keystore field (of the wallet\'s "edgex" entry) holding the trading private key (hex, secp256k1).',
      ),
    secret: field
      .default("api_secret")
      .describe(
        'Keystore field (of the wallet\'s "edgex" entry) holding the API secret text, as EdgeX shows it.',
      ),
    passphrase_field: field
      .default("api_passphrase")
      .describe(
        'Keystore field (of the wallet\'s "edgex" entry) holding the API passphrase (X-edgeX-Passphrase); the passphrase itself is never in the config.',
      ),
  },
  {
    error: (iss) =>
      iss.code === "unrecognized_keys" && iss.keys.includes("passphrase") ? PASSPHRASE_MOVED : undefined,
  },
);

export const EdgexConfigSchema = z
  .object({
    id: z.string().min(1).default("edgex").describe("The venue's id in perpbot (orders, reports)."),
    rest_url: z.url().default(PRODUCTION_REST_URL).describe("REST base URL (V2)."),
    ws_url: z
      .union([z.literal(""), z.string().regex(/^wss?:\/\//, "a ws:// or wss:// URL")])
      .default("")
      .describe(
        '"": wss://edgex-quote-prod-v2.edgex.exchange for the production REST URL, else the REST URL with ws(s):// (the emulator serves both).',
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
    order_expiry_ms: z
      .number()
      .int()
      .min(60_000)
      .max(30 * 86_400_000)
      .default(30 * 86_400_000 - 8 * 86_400_000)
      .describe(
        "expireTime of a resting order from now (the SDK's default: 30 days less the 8-day L2 offset, which is added on top for l2ExpireTime).",
      ),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these contracts ("BTCUSD", by contractName); empty: every tradable contract.'),
    wallets: z
      .record(z.string().min(1), edgexWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the EdgeX account it trades."),
  })
  .strict()
  .prefault({});

export type EdgexConfig = z.output<typeof EdgexConfigSchema>;
export type EdgexWallet = z.output<typeof edgexWalletSchema>;

/** True when the REST host is this machine (the emulator); anything else is taken as real money. */
export { isLoopback } from "../kit/loopback.ts";

export function wsUrlOf(c: Pick<EdgexConfig, "rest_url" | "ws_url">): string {
  if (c.ws_url !== "") return c.ws_url.replace(/\/+$/, "");
  const rest = c.rest_url.replace(/\/+$/, "");
  if (rest === PRODUCTION_REST_URL) return PRODUCTION_WS_URL;
  return rest.replace(/^http/, "ws");
}

/** The trading key (secp256k1) with the API secret attached for the HMAC (auth.py's key form). */
export function signerSourceOf(walletId: string, w: EdgexWallet): SignerSource {
  return {
    walletId,
    scheme: "secp256k1",
    venue: KEYSTORE_VENUE,
    field: w.trading_key,
    hmac: { field: w.secret, key: "base64-text", passphrase: w.passphrase_field },
  };
}

/** address: the account id; apiKeyId: the API key (public). The passphrase rides in the signer. */
export function identityOf(w: EdgexWallet): AccountIdentity {
  return { address: w.account_id, apiKeyId: w.api_key };
}

/**
 * What a binding must carry here (identityOf's inverse): a secp256k1 trading-key signer with the
 * API secret and passphrase attached, the account id as `identity.address`, the API key as
 * `apiKeyId`. Anything else is a VenueRejectError naming the account and what is missing.
 */
export function bindingParts(
  venueId: string,
  b: AccountBinding,
): { signer: AccountSigner; accountId: string; apiKey: string; passphrase: string } {
  const who = `venue ${venueId}: account ${b.account}`;
  if (b.account === "")
    throw new VenueRejectError(
      "invalid_binding",
      `venue ${venueId}: an account binding needs a non-empty account id`,
    );
  const signer = b.signer;
  if (signer === undefined || signer.scheme !== "secp256k1")
    throw new VenueRejectError(
      "no_signer",
      `${who} needs a secp256k1 trading-key signer (got ${signer === undefined ? "none" : signer.scheme})`,
    );
  if (signer.hmacSha256 === undefined)
    throw new VenueRejectError(
      "no_api_secret",
      `${who}: the signer carries no API secret (keystore field of wallet ${b.account}'s edgex entry)`,
    );
  const accountId = b.identity.address ?? "";
  if (!/^\d{1,20}$/.test(accountId))
    throw new VenueRejectError(
      "invalid_binding",
      `${who}: identity.address must be the EdgeX account id (decimal), got "${accountId}"`,
    );
  const apiKey = b.identity.apiKeyId ?? "";
  if (apiKey === "")
    throw new VenueRejectError("invalid_binding", `${who}: identity.apiKeyId must be the EdgeX API key`);
  const passphrase = signer.apiPassphrase?.() ?? "";
  if (passphrase === "")
    throw new VenueRejectError(
      "no_api_passphrase",
      `${who}: the signer carries no API passphrase (keystore field api_passphrase of wallet ${b.account}'s edgex entry: perpbot keys add ${b.account} --venue edgex --secret api_passphrase)`,
    );
  return { signer, accountId, apiKey, passphrase };
}
