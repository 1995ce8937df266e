/**
 * The `[venues.grvt]` config section. GRVT has three production hosts (ccxt js/src/grvt.js
 * `urls`): `edge.grvt.io` (wallet login), `trades.grvt.io` (trading, `/ws/full` private stream)
 * and `market-data.grvt.io` (market data, `/ws/full` public stream); testnet has the same names
 * under `.testnet.grvt.io` and signs with chain id 326 instead of 325. A trial run points
 * `rest_url` at `perpbot emulate grvt`, which serves all three on one loopback port.
 *
 * No secret is in the config: each wallet's secp256k1 key (the wallet that signs orders and logs
 * in; on GRVT an API key's signing wallet works the same way) comes from the keystore.
 *
 *   [venues.grvt]
 *   network = "mainnet"
 *   [venues.grvt.wallets.w01]
 *   sub_account_id = "2147050003876484"   # the trading account id GRVT shows under API keys
 *   secret = "private_key"                 # keystore field of the wallet's "grvt" entry (hex)
 */
import { z } from "zod";
import type { AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";
import { isLoopback } from "../kit/loopback.ts";
import { GRVT_CHAIN_IDS, type GrvtNetwork } from "./signing.ts";

export { isLoopback };

export const KEYSTORE_VENUE = "grvt";
export const DEFAULT_SECRET_FIELD = "private_key";

export const grvtWalletSchema = z.strictObject({
  sub_account_id: z
    .string()
    .regex(/^[1-9]\d{0,19}$/, "expected the trading sub-account id: decimal digits, as GRVT shows it")
    .refine((s) => BigInt(s) < 2n ** 64n, "a sub-account id is a uint64")
    .describe("The trading sub-account the wallet's orders are for (uint64, decimal)."),
  secret: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)")
    .default(DEFAULT_SECRET_FIELD)
    .describe(
      "Keystore field (of the wallet's \"grvt\" entry) holding the signing wallet's secp256k1 key (32 bytes).",
    ),
});

const wsUrl = z.union([z.literal(""), z.string().regex(/^wss?:\/\//, "a ws:// or wss:// URL")]);

export const GrvtConfigSchema = z
  .object({
    id: z.string().min(1).default("grvt").describe("The venue's id in perpbot (orders, reports)."),
    network: z
      .enum(["mainnet", "testnet"])
      .default("mainnet")
      .describe("Which GRVT: the hosts and the EIP-712 chain id (325 mainnet, 326 testnet) follow it."),
    rest_url: z
      .union([z.literal(""), z.url()])
      .default("")
      .describe(
        'One base URL for login, trading and market data (the emulator); "": the network\'s three hosts.',
      ),
    ws_url: wsUrl
      .default("")
      .describe('WebSocket base; "": the network\'s hosts, or rest_url with ws(s)://.'),
    order_expiry_ms: z
      .number()
      .int()
      .min(1000)
      .max(30 * 86_400_000)
      .default(30_000)
      .describe("How long an order's signature stays valid (the venue refuses beyond 30 days)."),
    request_timeout_ms: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe("A request without an answer after this long is an unknown outcome."),
    book_feed: z
      .enum(["delta", "snapshot"])
      .default("delta")
      .describe(
        'Order books from "delta" (v1.book.d: one snapshot, then sequenced changes; a gap resubscribes for a new snapshot) or "snapshot" (v1.book.s: 50 levels in full every 500 ms).',
      ),
    stale_after_ms: z
      .number()
      .int()
      .min(100)
      .default(60_000)
      .describe("A market stream without a message for this long is reported stale."),
    maker_fee_bps: z.number().default(-1).describe("Maker fee (base tier: a 1 bp rebate)."),
    taker_fee_bps: z.number().default(5.5).describe("Taker fee (base tier)."),
    max_leverage: z.number().min(1).default(10).describe("Leverage ceiling used for every instrument."),
    symbols: z
      .array(z.string().min(1))
      .default([])
      .describe('Only these perpetuals ("BTC_USDT_Perp"); empty: every perpetual.'),
    wallets: z
      .record(z.string().min(1), grvtWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the GRVT sub-account it trades."),
  })
  .strict()
  .prefault({});

export type GrvtConfig = z.output<typeof GrvtConfigSchema>;
export type GrvtWallet = z.output<typeof grvtWalletSchema>;

export interface GrvtHosts {
  readonly edge: string;
  readonly trades: string;
  readonly market: string;
  readonly tradesWs: string;
  readonly marketWs: string;
}

/** The five base URLs a config talks to (no trailing slash). */
export function hostsOf(c: Pick<GrvtConfig, "network" | "rest_url" | "ws_url">): GrvtHosts {
  if (c.rest_url === "") {
    const t = c.network === "testnet" ? ".testnet" : "";
    const ws = c.ws_url.replace(/\/+$/, "");
    return {
      edge: `https://edge${t}.grvt.io`,
      trades: `https://trades${t}.grvt.io`,
      market: `https://market-data${t}.grvt.io`,
      tradesWs: ws || `wss://trades${t}.grvt.io`,
      marketWs: ws || `wss://market-data${t}.grvt.io`,
    };
  }
  const base = c.rest_url.replace(/\/+$/, "");
  const ws = c.ws_url === "" ? base.replace(/^http/, "ws") : c.ws_url.replace(/\/+$/, "");
  return { edge: base, trades: base, market: base, tradesWs: ws, marketWs: ws };
}

export function chainIdOf(network: GrvtNetwork): number {
  return GRVT_CHAIN_IDS[network];
}

/** Real money: mainnet on a host that is not this machine. */
export function isRealMoney(c: Pick<GrvtConfig, "network" | "rest_url">): boolean {
  return c.network === "mainnet" && (c.rest_url === "" || !isLoopback(c.rest_url));
}

export function signerSourceOf(walletId: string, w: GrvtWallet): SignerSource {
  return { walletId, scheme: "secp256k1", venue: KEYSTORE_VENUE, field: w.secret };
}

export function identityOf(w: GrvtWallet): AccountIdentity {
  return { subAccount: w.sub_account_id };
}
