import { join } from "node:path";
import type { VenueFactory } from "../registry-types.ts";
import { HibachiConfigSchema, identityOf, isLoopback, signerSourceOf } from "./config.ts";
import { hibachiDoctor } from "./doctor.ts";
import { HibachiVenue } from "./venue.ts";

/** The nonce window the emulator enforces (emulator/start.ts); Hibachi publishes none. */
const NONCE_WINDOW_MS = 60_000;

/**
 * `kind = "hibachi"`: the Hibachi perps connector for `[venues.hibachi]`. Accounts are bound
 * afterwards by the composition root with signers from the keystore: secp256k1 for trustless
 * wallets, HMAC-only (scheme "hmac") for exchange-managed accounts.
 */
export const hibachiVenueFactory: VenueFactory<typeof HibachiConfigSchema> = {
  kind: "hibachi",
  configSchema: HibachiConfigSchema,
  configDoc: "Hibachi (see docs/venues/hibachi.md); trades only the wallets listed under it.",
  create: (config, deps) =>
    new HibachiVenue(
      config,
      deps.clock,
      deps.dataDir === undefined ? undefined : join(deps.dataDir, `hibachi-${config.id}-orders.jsonl`),
    ),
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  // no testnet: any host but this machine (the emulator) is the real exchange
  realMoney: (config) => !isLoopback(config.trade_url),
  network: (config) => (isLoopback(config.trade_url) ? "local" : "MAINNET"),
  doctor: hibachiDoctor,
  liveProblems(_config, engine) {
    // "not found" after send_expiry_ms proves an order never landed only if a lost request can no
    // longer land by then: its nonce must have left the venue's window
    if (engine.sendExpiryMs < NONCE_WINDOW_MS)
      return [
        {
          path: "engine.send_expiry_ms",
          message: `${engine.sendExpiryMs} must be at least ${NONCE_WINDOW_MS} for hibachi: a signed order stays acceptable while its nonce is within the venue's window (±60 s on the emulator; unpublished live)`,
        },
      ];
    return [];
  },
};
