import { join } from "node:path";
import type { VenueFactory } from "../registry-types.ts";
import {
  deadManIssues,
  deadManOf,
  endpointsOf,
  hyperliquidConfigSchema,
  identityOf,
  signerSourceOf,
} from "./config.ts";
import { hyperliquidDoctor } from "./doctor.ts";
import { FileNonceStore, MemoryNonceStore, NonceManager } from "./nonce.ts";
import { HyperliquidVenue } from "./venue.ts";

/**
 * One NonceManager per nonce file, for the whole process: several wallets (and several venue
 * objects) that share an agent key then draw from one strictly increasing sequence.
 */
const MANAGERS = new Map<string, NonceManager>();

export function sharedNonceManager(path: string | undefined): NonceManager {
  const key = path ?? ":memory:";
  let m = MANAGERS.get(key);
  if (m === undefined) {
    m = new NonceManager(path === undefined ? new MemoryNonceStore() : new FileNonceStore(path));
    MANAGERS.set(key, m);
  }
  return m;
}

/** The nonce file under the data directory. */
export function nonceFileIn(dataDir: string): string {
  return join(dataDir, "hyperliquid-nonces.json");
}

/**
 * Kind "hyperliquid": the connector for `[venues.hyperliquid]`. Nonces persist in
 * `<dataDir>/hyperliquid-nonces.json` (without a data dir, in memory: tests only, since nonces
 * must survive restarts). Accounts are bound afterwards by the composition root with signers
 * from the keystore (config.ts `bindingsOf`).
 */
export const hyperliquidVenueFactory: VenueFactory<typeof hyperliquidConfigSchema> = {
  kind: "hyperliquid",
  configSchema: hyperliquidConfigSchema,
  sandboxByDefault: true,
  configDoc: "Hyperliquid (see docs/venues/hyperliquid.md); trades only the wallets listed under it.",
  create(config, deps) {
    return new HyperliquidVenue({
      endpoints: endpointsOf(config),
      clock: deps.clock,
      nonces: sharedNonceManager(deps.dataDir === undefined ? undefined : nonceFileIn(deps.dataDir)),
      timeoutMs: config.timeout_ms,
      orderExpiryMs: config.order_expiry_ms,
      staleAfterMs: config.stale_after_ms,
      deadMan: deadManOf(config),
    });
  },
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  realMoney: (config) => endpointsOf(config).mainnet,
  doctor: hyperliquidDoctor,
  liveProblems(config, engine) {
    // the engine takes "not found" as proof an order never landed once send_expiry_ms passed:
    // only true when the venue refuses the order after that, i.e. it expires first
    const e = config.order_expiry_ms;
    const deadMan = deadManIssues(config);
    if (e === 0 || e > engine.sendExpiryMs)
      return [
        ...deadMan,
        {
          path: "venues.hyperliquid.order_expiry_ms",
          message: `${e} must be between 1 and engine.send_expiry_ms (${engine.sendExpiryMs}): an order whose answer was lost must be unable to land once the engine takes it as never placed`,
        },
      ];
    return deadMan;
  },
};
