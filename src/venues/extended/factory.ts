import { registerSecret } from "../../log/redact.ts";
import type { VenueFactory } from "../registry-types.ts";
import { ExtendedConfigSchema, identityOf, isLoopback, restUrlOf, signerSourceOf } from "./config.ts";
import { extendedDoctor } from "./doctor.ts";
import { ExtendedVenue } from "./venue.ts";

/**
 * `kind = "extended"`: the Extended (x10) perps connector for `[venues.extended]`. Accounts are
 * bound afterwards by the composition root with "stark" signers from the keystore; each
 * wallet's API key is kept out of logs.
 */
export const extendedVenueFactory: VenueFactory<typeof ExtendedConfigSchema> = {
  kind: "extended",
  configSchema: ExtendedConfigSchema,
  configDoc: "Extended (see docs/venues/extended.md); trades only the wallets listed under it.",
  create: (config, deps) => {
    for (const w of Object.values(config.wallets)) registerSecret(w.api_key);
    return new ExtendedVenue(config, deps.clock);
  },
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  // mainnet or a host other than this machine is real money; Sepolia is a testnet
  realMoney: (config) => !isLoopback(restUrlOf(config)) && config.network === "mainnet",
  network: (config) =>
    isLoopback(restUrlOf(config)) ? "local" : config.network === "mainnet" ? "MAINNET" : "testnet",
  doctor: extendedDoctor,
};
