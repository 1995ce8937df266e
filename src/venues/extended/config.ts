/**
 * The `[venues.extended]` config section. Extended runs a mainnet (`SN_MAIN`) and a Sepolia
 * testnet (`SN_SEPOLIA`); `network` picks the hosts and the signing domain, `rest_url` points a
 * trial run at `perpbot emulate extended`. Each wallet trades one Extended sub-account: its
 * X-Api-Key (read and trade access, but an order also needs the Stark signature), its collateral
 * position (`l2Vault`) and Stark public key (`l2Key`) as the venue's "API management" page shows
 * them. The Stark private key is in the keystore only
 * (`perpbot keys add <wallet> --venue extended --secret stark_private_key`).
 *
 *   [venues.extended]
 *   network = "mainnet"
 *   [venues.extended.wallets.w01]
 *   api_key = "…"            # X-Api-Key
 *   vault = 10002            # l2Vault
 *   stark_key = "0x61c5…"    # l2Key
 */
import { z } from "zod";
import type { AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";
import { MAINNET_DOMAIN, type StarknetDomain, TESTNET_DOMAIN } from "./signing.ts";

export const KEYSTORE_VENUE = "extended";
export const DEFAULT_SECRET_FIELD = "stark_private_key";

/** python_sdk x10/perpetual/configuration.py MAINNET_CONFIG / TESTNET_CONFIG */
export const NETWORKS = {
  mainnet: {
    rest: "https://api.starknet.extended.exchange/api/v1",
    ws: "wss://api.starknet.extended.exchange/stream.extended.exchange/v1",
    domain: MAINNET_DOMAIN,
  },
  testnet: {
    rest: "https://api.starknet.sepolia.extended.exchange/api/v1",
    ws: "wss://api.starknet.sepolia.extended.exchange/stream.extended.exchange/v1",
    domain: TESTNET_DOMAIN,
  },
} as const;

export const extendedWalletSchema = z.strictObject({
  api_key: z
    .string()
    .min(8, "expected the X-Api-Key as Extended shows it")
    .describe("The account's X-Api-Key."),
  vault: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .describe("The account's collateral position id (l2Vault, a u32): the position_id every order signs."),
  stark_key: z
    .string()
    .regex(/^0x[0-9a-fA-F]{1,64}$/, "a 0x-hex Stark public key (l2Key)")
    .describe("The account's Stark public key (l2Key); the keystore key must be its private half."),
  secret: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)")
    .default(DEFAULT_SECRET_FIELD)
    .describe('Keystore field (of the wallet\'s "extended" entry) holding the Stark private key (32 bytes).'),
});

export const ExtendedConfigSchema = z
  .object({
    id: z.string().min(1).default("extended").describe("The venue's id in perpbot (orders, reports)."),
    network: z.enum(["mainnet", "testnet"]).default("mainnet").describe("Signing domain and default hosts."),
    rest_url: z
      .union([z.literal(""), z.url()])
      .default("")
      .describe('REST base URL including /api/v1; "": the network\'s.'),
    ws_url: z
      .union([z.literal(""), z.string().regex(/^wss?:\/\//, "a ws:// or wss:// URL")])
      .default("")
      .describe(
        "Stream base URL; \"\": the network's, or the REST host's /stream.extended.exchange/v1 for another host.",
      ),
    order_expiry_ms: z
      .number()
      .int()
      .min(60_000)
      .max(30 * 86_400_000)
      .default(86_400_000)
      .describe("How long a resting (GTT) order lives; the signed settlement expiry adds 14 days."),
    max_fee_rate: z
      .string()
      .regex(/^0(\.\d+)?$/, "a fee rate as decimal text, e.g. 0.0005")
      .default("0.0005")
      .describe("The fee rate each order allows (its signed max fee is this × notional)."),
    request_timeout_ms: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe("An unanswered request is an unknown outcome after this."),
    stale_after_ms: z
      .number()
      .int()
      .min(100)
      .default(60_000)
      .describe("A market stream silent this long is reported stale."),
    points_poll_ms: z
      .number()
      .int()
      .min(1000)
      .default(3_600_000)
      .describe("Each wallet's points (GET /user/rewards/earned) are read at bind and then this often."),
    maker_fee_bps: z.number().default(0).describe("Maker fee (Extended's base tier: 0)."),
    taker_fee_bps: z.number().default(2.5).describe("Taker fee (Extended's base tier: 0.025%)."),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these markets ("BTC-USD"); empty: every active market.'),
    wallets: z
      .record(z.string().min(1), extendedWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the Extended sub-account it trades."),
  })
  .strict()
  .prefault({});

export type ExtendedConfig = z.output<typeof ExtendedConfigSchema>;
export type ExtendedWallet = z.output<typeof extendedWalletSchema>;

/** True when the REST host is this machine (the emulator); anything else is taken as real money. */
export { isLoopback } from "../kit/loopback.ts";

export function restUrlOf(c: Pick<ExtendedConfig, "network" | "rest_url">): string {
  return (c.rest_url === "" ? NETWORKS[c.network].rest : c.rest_url).replace(/\/+$/, "");
}

/** The stream base: the network's for its own host, else the REST host's stream path. */
export function wsUrlOf(c: Pick<ExtendedConfig, "network" | "rest_url" | "ws_url">): string {
  if (c.ws_url !== "") return c.ws_url.replace(/\/+$/, "");
  const rest = restUrlOf(c);
  if (rest === NETWORKS[c.network].rest) return NETWORKS[c.network].ws;
  const u = new URL(rest);
  return `${u.protocol === "https:" ? "wss" : "ws"}://${u.host}/stream.extended.exchange/v1`;
}

export function domainOf(c: Pick<ExtendedConfig, "network">): StarknetDomain {
  return NETWORKS[c.network].domain;
}

export function signerSourceOf(walletId: string, w: ExtendedWallet): SignerSource {
  return { walletId, scheme: "stark", venue: KEYSTORE_VENUE, field: w.secret };
}

/** The binding's public part: the API key (apiKeyId), the vault (subAccount), the Stark key (address). */
export function identityOf(w: ExtendedWallet): AccountIdentity {
  return { apiKeyId: w.api_key, subAccount: String(w.vault), address: w.stark_key.toLowerCase() };
}

/** Parse the section, every problem at once, each naming venue, wallet and field. */
export function parseExtendedConfig(raw: unknown): ExtendedConfig {
  const r = ExtendedConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `venues.extended.${i.path.join(".")}: ${i.message}`);
  throw new Error(`invalid [venues.extended] config:\n  ${lines.join("\n  ")}`);
}
