import type { VenueFactory } from "../registry-types.ts";
import { AsterConfigSchema, identityOf, isLoopback, NONCE_WINDOW_MS, signerSourceOf } from "./config.ts";
import { asterDoctor } from "./doctor.ts";
import { AsterVenue } from "./venue.ts";

/**
 * `kind = "aster"`: the Aster perpetuals connector (V3 API). Accounts are bound by the composition
 * root with the API wallets' signers from the keystore. Aster has no public testnet in this
 * config: anything but a loopback URL (the emulator) trades real money.
 */
export const asterVenueFactory: VenueFactory<typeof AsterConfigSchema> = {
  kind: "aster",
  configSchema: AsterConfigSchema,
  configDoc: "Aster (see docs/venues/aster.md); trades only the wallets listed under it.",
  create: (config, deps) => new AsterVenue(config, deps.clock),
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  realMoney: (config) => !isLoopback(config),
  doctor: asterDoctor,
  liveProblems(config, engine) {
    // "Order does not exist" proves an order never landed only once its request can no longer
    // be accepted: after the venue's nonce window and the request's own timeout
    const need = NONCE_WINDOW_MS + config.request_timeout_ms;
    if (engine.sendExpiryMs > need) return [];
    return [
      {
        path: "venues.aster.request_timeout_ms",
        message: `engine.send_expiry_ms (${engine.sendExpiryMs}) must be above the venue's 10 s nonce window plus request_timeout_ms (${config.request_timeout_ms}): above ${need}`,
      },
    ];
  },
};
