import type { VenueFactory } from "../registry-types.ts";
import { EdgexConfigSchema, identityOf, isLoopback, signerSourceOf } from "./config.ts";
import { edgexDoctor } from "./doctor.ts";
import { EdgexVenue } from "./venue.ts";

/**
 * `kind = "edgex"`: the EdgeX V2 connector for `[venues.edgex]`. Accounts are bound afterwards by
 * the composition root with each wallet's trading key (secp256k1) carrying its API secret.
 */
export const edgexVenueFactory: VenueFactory<typeof EdgexConfigSchema> = {
  kind: "edgex",
  configSchema: EdgexConfigSchema,
  configDoc: "EdgeX V2 (see docs/venues/edgex.md); trades only the wallets listed under it.",
  create: (config, deps) => new EdgexVenue(config, deps.clock),
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId, w),
    })),
  // no public testnet in V2's docs: any host but this machine (the emulator) is the real exchange
  realMoney: (config) => !isLoopback(config.rest_url),
  network: (config) => (isLoopback(config.rest_url) ? "local" : "MAINNET"),
  doctor: edgexDoctor,
};
