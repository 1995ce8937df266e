import { isLoopback } from "../kit/loopback.ts";
import type { VenueFactory } from "../registry-types.ts";
import { BackpackConfigSchema, identityOf, signerSourceOf } from "./config.ts";
import { backpackDoctor } from "./doctor.ts";
import { BackpackVenue } from "./venue.ts";

/**
 * `kind = "backpack"`: the Backpack perps connector for `[venues.backpack]`. Accounts are bound
 * afterwards by the composition root with ed25519 signers from the keystore.
 */
export const backpackVenueFactory: VenueFactory<typeof BackpackConfigSchema> = {
  kind: "backpack",
  configSchema: BackpackConfigSchema,
  configDoc: "Backpack (see docs/venues/backpack.md); trades only the wallets listed under it.",
  create: (config, deps) => new BackpackVenue(config, deps.clock),
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  // Backpack has no testnet: any host but this machine (the emulator) is the real exchange
  realMoney: (config) => !isLoopback(config.rest_url),
  // no testnet either: a run on this machine's host is on the emulator
  network: (config) => (isLoopback(config.rest_url) ? "local" : "MAINNET"),
  doctor: backpackDoctor,
  liveProblems(config, engine) {
    // the engine takes "not found" after send_expiry_ms as proof an order never landed: true
    // only if the venue refuses the signed request by then, i.e. its window has closed
    if (config.window_ms > engine.sendExpiryMs)
      return [
        {
          path: "venues.backpack.window_ms",
          message: `${config.window_ms} must be at most engine.send_expiry_ms (${engine.sendExpiryMs}): an order whose answer was lost must be unable to land once the engine takes it as never placed`,
        },
      ];
    return [];
  },
};
