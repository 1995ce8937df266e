import type { VenueFactory } from "../registry-types.ts";
import { BackpackConfigSchema } from "./config.ts";
import { BackpackVenue } from "./venue.ts";

/** `kind = "backpack"`: the Backpack perps connector. */
export const backpackVenueFactory: VenueFactory<typeof BackpackConfigSchema> = {
  kind: "backpack",
  configSchema: BackpackConfigSchema,
  create: (config, deps) => new BackpackVenue(config, deps.clock),
};
