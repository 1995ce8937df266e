import type { VenueFactory } from "../registry-types.ts";
import { AsterConfigSchema } from "./config.ts";
import { AsterVenue } from "./venue.ts";

/** `kind = "aster"`: the Aster perpetuals connector (V3 API). */
export const asterVenueFactory: VenueFactory<typeof AsterConfigSchema> = {
  kind: "aster",
  configSchema: AsterConfigSchema,
  create: (config, deps) => new AsterVenue(config, deps.clock),
};
