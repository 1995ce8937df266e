/**
 * The chaos test's Lighter wallets and the `[venues.lighter]` table its workers trade with: the
 * emulator's URLs, short timeouts (so a lost answer resolves within a life), the eight wallets.
 * The runner (lt-world.ts) writes the accounts and their API keys to `<dir>/LT_KEYS_FILE`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const LT_CHAOS_VENUE = "lighter";
export const LT_CHAOS_API_KEY_INDEX = 3;
export const LT_KEYS_FILE = "lighter-chaos-accounts.json";
export const LT_WALLETS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"] as const;

export interface LtChaosAccount {
  readonly wallet: string;
  /** the account's L1 address, lower case */
  readonly l1: string;
  readonly accountIndex: number;
  /** the API key registered at LT_CHAOS_API_KEY_INDEX (40 bytes hex), a test key */
  readonly apiPrivateKeyHex: string;
}

export interface LtChaosSetup {
  readonly rest: string;
  readonly ws: string;
  readonly accounts: readonly LtChaosAccount[];
}

export function readLtChaosSetup(dir: string): LtChaosSetup {
  const path = join(dir, LT_KEYS_FILE);
  const v = JSON.parse(readFileSync(path, "utf8")) as LtChaosSetup;
  if (typeof v.rest !== "string" || !Array.isArray(v.accounts) || v.accounts.length !== LT_WALLETS.length)
    throw new Error(`${path}: expected {rest, ws, accounts: [${LT_WALLETS.length} accounts]}`);
  return v;
}

export function ltChaosVenueConfig(setup: LtChaosSetup) {
  return {
    network: "testnet",
    rest_url: setup.rest,
    ws_url: setup.ws,
    request_timeout_ms: 800,
    ack_timeout_ms: 1_000,
    stale_after_ms: 5_000,
    symbols: ["BTC"],
    wallets: Object.fromEntries(
      setup.accounts.map((a) => [
        a.wallet,
        { account_index: a.accountIndex, api_key_index: LT_CHAOS_API_KEY_INDEX, l1_address: a.l1 },
      ]),
    ),
  };
}
