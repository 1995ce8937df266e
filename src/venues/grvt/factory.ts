import type { VenueFactory } from "../registry-types.ts";
import { GrvtConfigSchema, hostsOf, identityOf, isLoopback, isRealMoney, signerSourceOf } from "./config.ts";
import { grvtDoctor } from "./doctor.ts";
import { GrvtVenue } from "./venue.ts";

/**
 * `kind = "grvt"`: the GRVT perpetuals connector for `[venues.grvt]`. Accounts are bound
 * afterwards by the composition root with secp256k1 signers from the keystore.
 */
export const grvtVenueFactory: VenueFactory<typeof GrvtConfigSchema> = {
  kind: "grvt",
  configSchema: GrvtConfigSchema,
  configDoc: "GRVT (see docs/venues/grvt.md); trades only the wallets listed under it.",
  create: (config, deps) => new GrvtVenue(config, deps.clock),
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  realMoney: (config) => isRealMoney(config),
  network: (config) =>
    config.rest_url !== "" && isLoopback(hostsOf(config).trades)
      ? "local"
      : config.network === "mainnet"
        ? "MAINNET"
        : "testnet",
  doctor: grvtDoctor,
  liveProblems(config, engine) {
    // "not found" after send_expiry_ms proves an order never landed only if its signature has
    // expired by then: the venue refuses an expired order (2001)
    if (config.order_expiry_ms > engine.sendExpiryMs)
      return [
        {
          path: "venues.grvt.order_expiry_ms",
          message: `${config.order_expiry_ms} must be at most engine.send_expiry_ms (${engine.sendExpiryMs}): an order whose answer was lost must be unable to land once the engine takes it as never placed`,
        },
      ];
    return [];
  },
};
