import { z } from "zod";
import type { AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";

/**
 * The `lighter` venue section:
 *
 *   [venues.lighter]
 *   network = "mainnet"                     # or "testnet"; a local trial: rest_url/ws_url of `perpbot emulate lighter`
 *   [venues.lighter.wallets.w01]
 *   account_index = 1077                    # the Lighter account (see `perpbot lighter register-key`)
 *   api_key_index = 3                       # never 0: Lighter's own apps use index 0
 *   l1_address = "0x15f4…"                  # the account's Ethereum address
 *
 * The API key itself sits in the keystore: wallet w01, venue "lighter", field `api_private_key`.
 */
export const KEYSTORE_VENUE = "lighter";
export const KEYSTORE_FIELD = "api_private_key";

const NETWORKS = {
  mainnet: {
    rest: "https://mainnet.zklighter.elliot.ai",
    ws: "wss://mainnet.zklighter.elliot.ai/stream",
    chainId: 304,
  },
  testnet: {
    rest: "https://testnet.zklighter.elliot.ai",
    ws: "wss://testnet.zklighter.elliot.ai/stream",
    chainId: 300,
  },
} as const;

export const LighterWalletSchema = z
  .object({
    account_index: z.number().int().min(0).describe("The wallet's Lighter account index."),
    api_key_index: z
      .number()
      .int()
      .min(1)
      .max(254)
      .describe("The API key index perpbot signs with (1…254; 0 is shared with Lighter's own apps)."),
    l1_address: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, "an 0x address")
      .optional()
      .describe("The account's Ethereum (L1) address: its rate limits are counted per this address."),
  })
  .strict();
export type LighterWallet = z.output<typeof LighterWalletSchema>;

export const LighterConfigSchema = z
  .object({
    id: z.string().min(1).default("lighter").describe("The venue's id in perpbot (orders, reports)."),
    network: z
      .enum(["mainnet", "testnet"])
      .default("mainnet")
      .describe("Chain id and default URLs: mainnet 304, testnet 300."),
    rest_url: z
      .union([z.literal(""), z.url({ protocol: /^https?$/ })])
      .default("")
      .describe(
        'REST base without /api/v1; "": the network\'s (mainnet https://mainnet.zklighter.elliot.ai).',
      ),
    ws_url: z
      .union([z.literal(""), z.url({ protocol: /^wss?$/ })])
      .default("")
      .describe('WebSocket URL; "": the network\'s /stream.'),
    request_timeout_ms: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe("A request without an answer after this long is an unknown outcome."),
    ack_timeout_ms: z
      .number()
      .int()
      .min(50)
      .default(5_000)
      .describe(
        "After sendTx (queued only), how long to wait for the account stream before looking the order up.",
      ),
    stale_after_ms: z
      .number()
      .int()
      .min(100)
      .default(60_000)
      .describe("A market stream without a message for this long is reported stale."),
    auth_token_ttl_s: z
      .number()
      .int()
      .min(600)
      .max(8 * 3600)
      .default(6 * 3600)
      .describe(
        "Lifetime of the auth tokens of private reads and streams (≤ 8 h); renewed 10 min before expiry.",
      ),
    points_poll_ms: z
      .number()
      .int()
      .min(60_000)
      .default(3_600_000)
      .describe("How often a wallet's points are read from referral/points (hourly by default)."),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these markets ("ETH", "BTC"); empty: every active market.'),
    wallets: z
      .record(z.string().min(1), LighterWalletSchema)
      .default({})
      .describe("The wallets traded here, by perpbot wallet id."),
  })
  .strict()
  .prefault({});
export type LighterConfig = z.output<typeof LighterConfigSchema>;

export interface LighterEndpoints {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly chainId: number;
}

export function endpointsOf(c: LighterConfig): LighterEndpoints {
  const n = NETWORKS[c.network];
  return { restUrl: (c.rest_url || n.rest).replace(/\/+$/, ""), wsUrl: c.ws_url || n.ws, chainId: n.chainId };
}

/** The identity a binding carries: the account index as sub-account, the key index as API key id. */
export function identityOf(w: LighterWallet): AccountIdentity {
  return { address: w.l1_address, subAccount: String(w.account_index), apiKeyId: String(w.api_key_index) };
}

export function signerSourceOf(walletId: string): SignerSource {
  return { walletId, scheme: "ecgfp5", venue: KEYSTORE_VENUE, field: KEYSTORE_FIELD };
}
