import type { VenueFactory } from "../registry-types.ts";
import { identityOf, LighterConfigSchema, signerSourceOf } from "./config.ts";
import { lighterDoctor } from "./doctor.ts";
import { LighterVenue } from "./venue.ts";

/** `kind = "lighter"`: the Lighter perps connector; accounts are bound with keystore API keys. */
export const lighterVenueFactory: VenueFactory<typeof LighterConfigSchema> = {
  kind: "lighter",
  configDoc: "Lighter (see docs/venues/lighter.md); trades only the wallets listed under it.",
  configSchema: LighterConfigSchema,
  create: (config, deps) => new LighterVenue(config, deps.clock),
  liveAccounts: (config) =>
    Object.entries(config.wallets).map(([walletId, w]) => ({
      account: walletId,
      identity: identityOf(w),
      signer: signerSourceOf(walletId),
    })),
  // mainnet trades real money unless the URL is a local emulator's
  doctor: lighterDoctor,
  realMoney: (config) =>
    config.network === "mainnet" && !/^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(config.rest_url),
};
