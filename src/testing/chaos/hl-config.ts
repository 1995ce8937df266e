/**
 * The `[venues.hyperliquid]` table the chaos workers trade with: the emulator's URL, short
 * timeouts and order expiry (so a lost answer resolves within a life), the eight wallets.
 */
import type { HlChaosAccount } from "./hl-accounts.ts";

export const HL_CHAOS_VENUE = "hyperliquid";

export function hlChaosVenueConfig(url: string, accounts: readonly HlChaosAccount[]) {
  return {
    testnet: true,
    url,
    timeout_ms: 800,
    // below the engine's send expiry (3 s) in worker-hl.ts, as a live run requires
    order_expiry_ms: 2_000,
    stale_after_ms: 5_000,
    wallets: Object.fromEntries(accounts.map((a) => [a.wallet, { address: a.master }])),
  };
}
