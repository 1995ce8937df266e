import type { VenueFactory } from "../registry-types.ts";
import { catalogInstruments } from "./catalog.ts";
import { simFaultsOf, simVenueConfigSchema } from "./config.ts";
import { SimVenue } from "./sim-venue.ts";

/** Kind "sim": one catalogued simulated venue, its state in `deps.statePath` when given. */
export const simVenueFactory: VenueFactory<typeof simVenueConfigSchema> = {
  kind: "sim",
  configSchema: simVenueConfigSchema,
  create(config, deps) {
    return new SimVenue({
      id: config.id,
      instruments: catalogInstruments(config.id),
      clock: deps.clock,
      // the same seed derivation as the paper world, so a venue built either way replays alike
      seed: `${config.seed}:${config.id}`,
      latencyMs: config.latency_ms,
      faults: simFaultsOf(config.faults),
      dbPath: deps.statePath,
      staleAfterMs: config.stale_after_ms,
    });
  },
};
