import type { z } from "zod";
import type { Clock } from "../core/clock.ts";
import type { Venue } from "../core/venue.ts";

/** What a venue factory is given besides its own config. */
export interface VenueDeps {
  readonly clock: Clock;
  /** a file for the venue's durable state, for venues that keep one (the simulator) */
  readonly statePath?: string;
  /** the data directory, for venues that keep files of their own (Hyperliquid's nonce file) */
  readonly dataDir?: string;
}

/** How one kind of venue is configured and built; each venue folder exports one. */
export interface VenueFactory<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  /** the venue's config section (zod: validator and type), parsed before create() */
  readonly configSchema: S;
  create(config: z.output<S>, deps: VenueDeps): Venue;
}
