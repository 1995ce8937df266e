import type { VenueFactory } from "../registry-types.ts";
import { chainOf, identityOf, isLoopback, ParadexConfigSchema, realMoney, signerSourceOf } from "./config.ts";
import { paradexDoctor } from "./doctor.ts";
import { ParadexVenue } from "./venue.ts";

/**
 * `kind = "paradex"`: the Paradex perps connector for `[venues.paradex]`. Accounts are bound by
 * the composition root with stark signers from the keystore (field `stark_private_key`).
 */
export const paradexVenueFactory: VenueFactory<typeof ParadexConfigSchema> = {
  kind: "paradex",
  configSchema: ParadexConfigSchema,
  configDoc: "Paradex (see docs/venues/paradex.md); trades only the wallets listed under it.",
  create: (config, deps) => new ParadexVenue(config, deps.clock),
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  realMoney: (config) => realMoney(config),
  network: (config) =>
    isLoopback(config.rest_url)
      ? "local"
      : chainOf(config) === "PRIVATE_SN_PARACLEAR_MAINNET"
        ? "MAINNET"
        : "testnet",
  doctor: paradexDoctor,
};
