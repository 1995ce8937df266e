/**
 * The `[venues.hyperliquid]` config section: which network, its endpoints, and per perpbot wallet
 * the account it trades (master address, optional vault or sub-account) and where its agent key
 * sits in the keystore. No secret is ever in the config: keys come from the keystore
 * (`perpbot keys add <wallet> --venue hyperliquid --secret agent_private_key`).
 *
 *   [venues.hyperliquid]
 *   testnet = true                      # the default: mainnet only when asked for
 *   [venues.hyperliquid.wallets.w01]
 *   address = "0x…"                     # the master account (where the USDC is)
 *   vault = "0x…"                       # optional: trade a vault or sub-account of the master
 *   agent_key = "agent_private_key"     # keystore field of the wallet's hyperliquid entry
 */
import { z } from "zod";
import type { AccountBinding, AccountIdentity } from "../../core/venue-account.ts";
import type { SignerSource } from "../../wallets/signer.ts";
import { type DeadManOptions, deadManProblem } from "./dead-man.ts";
import { MAINNET_URL, TESTNET_URL } from "./http.ts";

/** The venue name of the keystore entries that hold a wallet's Hyperliquid secrets. */
export const KEYSTORE_VENUE = "hyperliquid";
export const DEFAULT_AGENT_FIELD = "agent_private_key";

// no transform (lower-casing happens at use): a transform would hide the defaults from the docs
const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x address of 40 hex digits");

export const hyperliquidWalletSchema = z.strictObject({
  address: Address.describe("The master account's address (the account that holds the USDC)."),
  vault: Address.optional().describe(
    "A vault or sub-account of the master to trade for (sent as vaultAddress); unset: the master itself.",
  ),
  agent_key: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "a keystore field name (lower_snake_case)")
    .default(DEFAULT_AGENT_FIELD)
    .describe(
      'Keystore field (of the wallet\'s "hyperliquid" entry) holding the approved API (agent) key; "master" signs with the wallet\'s own key instead.',
    ),
});

/** "" means "derived" (from `testnet`, or from the REST URL for the socket) */
const Url = z.union([z.literal(""), z.url({ protocol: /^(https?|wss?)$/ })]).default("");

export const hyperliquidConfigSchema = z
  .strictObject({
    testnet: z
      .boolean()
      .default(true)
      .describe("Trade the testnet (the default); false trades mainnet with real money."),
    url: Url.describe('REST base URL; "": https://api.hyperliquid.xyz, or the testnet\'s by `testnet`.'),
    ws_url: Url.describe('WebSocket URL; "": the REST URL with ws(s):// and /ws.'),
    timeout_ms: z.int().min(100).max(120_000).default(10_000).describe("Per request timeout."),
    order_expiry_ms: z
      .int()
      .min(0)
      .max(3_600_000)
      .default(20_000)
      .describe(
        "Orders are signed with expiresAfter = now + this, so an order whose answer was lost is final once it passes; 0: no expiry. A live run needs 1..engine.send_expiry_ms.",
      ),
    stale_after_ms: z
      .int()
      .min(1000)
      .max(600_000)
      .default(15_000)
      .describe("A book or asset-context stream silent this long is reported stale."),
    schedule_cancel_ms: z
      .int()
      .min(0)
      .max(86_400_000)
      .default(60_000)
      .describe(
        "Dead man's switch: every wallet's orders are scheduled to be canceled this far ahead (scheduleCancel), renewed while perpbot runs, so a frozen or killed process leaves orders resting at most this long; 0: off. At least 10000 (the venue wants the time ≥ 5 s ahead). Only a firing counts against the venue's 10 a day.",
      ),
    schedule_cancel_renew_ms: z
      .int()
      .min(0)
      .max(86_400_000)
      .default(0)
      .describe(
        "How often the switch is renewed; 0: a third of schedule_cancel_ms. At most schedule_cancel_ms − 5000. Each renewal is one request of the address's budget.",
      ),
    schedule_cancel_on_exit: z
      .enum(["disarm", "leave"])
      .default("disarm")
      .describe(
        'On a clean stop: "disarm" the switch (orders left resting stay), or "leave" it armed so the venue cancels them when it fires.',
      ),
    wallets: z
      .record(z.string().min(1), hyperliquidWalletSchema)
      .default({})
      .describe("Per perpbot wallet id: the Hyperliquid account it trades."),
  })
  .prefault({});

export type HyperliquidConfig = z.output<typeof hyperliquidConfigSchema>;
export type HyperliquidWallet = z.output<typeof hyperliquidWalletSchema>;

export interface Endpoints {
  readonly url: string;
  readonly wsUrl: string;
  readonly mainnet: boolean;
}

/** REST and WebSocket URLs of a config, and whether it signs for mainnet. */
export function endpointsOf(c: HyperliquidConfig): Endpoints {
  const url = (c.url || (c.testnet ? TESTNET_URL : MAINNET_URL)).replace(/\/+$/, "");
  const wsUrl = c.ws_url || `${url.replace(/^http/, "ws")}/ws`;
  return { url, wsUrl, mainnet: !c.testnet };
}

/** The dead man's switch a config asks for (undefined: off). */
export function deadManOf(c: HyperliquidConfig): DeadManOptions | undefined {
  if (c.schedule_cancel_ms === 0) return undefined;
  const renewMs = c.schedule_cancel_renew_ms || Math.floor(c.schedule_cancel_ms / 3);
  return { windowMs: c.schedule_cancel_ms, renewMs, onExit: c.schedule_cancel_on_exit };
}

/** What is wrong with the switch's settings, as config issues. */
export function deadManIssues(c: HyperliquidConfig): { path: string; message: string }[] {
  const d = deadManOf(c);
  const p = d && deadManProblem(d.windowMs, d.renewMs);
  return p ? [{ path: "venues.hyperliquid.schedule_cancel_ms", message: p }] : [];
}

/** Where a wallet's signing key sits in the keystore. */
export function signerSourceOf(walletId: string, w: HyperliquidWallet): SignerSource {
  return w.agent_key === "master"
    ? { walletId, scheme: "secp256k1" }
    : { walletId, scheme: "secp256k1", venue: KEYSTORE_VENUE, field: w.agent_key };
}

/** The public part of a wallet's binding (the signer is added from the keystore). */
export function identityOf(w: HyperliquidWallet): AccountIdentity {
  return {
    address: w.address.toLowerCase(),
    ...(w.vault === undefined ? {} : { subAccount: w.vault.toLowerCase() }),
  };
}

/** The account bindings of every configured wallet, with signers the caller builds. */
export async function bindingsOf(
  c: HyperliquidConfig,
  signer: (source: SignerSource) => Promise<NonNullable<AccountBinding["signer"]>>,
): Promise<AccountBinding[]> {
  const out: AccountBinding[] = [];
  for (const [walletId, w] of Object.entries(c.wallets))
    out.push({
      account: walletId,
      identity: identityOf(w),
      signer: await signer(signerSourceOf(walletId, w)),
    });
  return out;
}
