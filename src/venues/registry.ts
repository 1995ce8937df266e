import { z } from "zod";
import { defineSection } from "../config/registry.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { Venue } from "../core/venue.ts";
import { backpackVenueFactory } from "./backpack/factory.ts";
import { hyperliquidVenueFactory } from "./hyperliquid/factory.ts";
import { lighterVenueFactory } from "./lighter/factory.ts";
import type { LiveAccountSpec, VenueDeps, VenueFactory } from "./registry-types.ts";
import { simVenueFactory } from "./sim/factory.ts";

export type { LiveAccountSpec, VenueDeps, VenueFactory } from "./registry-types.ts";

/**
 * Every kind of venue perpbot can build, by `kind`. A new venue adds its folder's factory here
 * (one line); nothing else in the program names a venue.
 */
const FACTORIES: readonly VenueFactory[] = [
  simVenueFactory as unknown as VenueFactory,
  backpackVenueFactory as unknown as VenueFactory,
  hyperliquidVenueFactory as unknown as VenueFactory,
  lighterVenueFactory as unknown as VenueFactory,
];

/**
 * The `[venues.<kind>]` tables of perpbot.toml, one per live venue kind (the simulator keeps its
 * own `[sim]` section). Each table is its venue's schema from its folder, so the loader, `config
 * show` and the docs see every key.
 */
export const venuesSection = defineSection(
  "venues",
  z
    .strictObject({
      hyperliquid: hyperliquidVenueFactory.configSchema.describe(
        "Hyperliquid (see docs/venues/hyperliquid.md); trades only the wallets listed under it.",
      ),
      lighter: lighterVenueFactory.configSchema
        .optional()
        .describe("Lighter (see docs/venues/lighter.md); trades only the wallets listed under it."),
    })
    .prefault({}),
  {
    doc: "Live venues: `[venues.hyperliquid]`, `[venues.lighter]` and their `[venues.<kind>.wallets.<id>]` accounts.",
  },
);

const byKind = new Map(FACTORIES.map((f) => [f.kind, f]));
if (byKind.size !== FACTORIES.length) throw new Error("venues/registry: two factories share a kind");

export function venueKinds(): string[] {
  return [...byKind.keys()].sort();
}

export function venueFactory(kind: string): VenueFactory {
  const f = byKind.get(kind);
  if (f === undefined)
    throw new InvalidValueError(`unknown venue kind "${kind}" (known: ${venueKinds().join(", ")})`);
  return f;
}

/**
 * Validate `config` against the kind's schema and build the venue. Every problem is reported at
 * once, each with its key path under `where` (e.g. "venues.hl_main").
 */
export function createVenue(kind: string, config: unknown, deps: VenueDeps, where = `venue ${kind}`): Venue {
  const f = venueFactory(kind);
  const parsed = f.configSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${[where, ...i.path.map(String)].join(".")}: ${i.message}`,
    );
    throw new InvalidValueError(`invalid ${kind} venue config: ${problems.join("; ")}`);
  }
  return f.create(parsed.data, deps);
}

/** A `[venues.<kind>]` table configured for a live run: its factory, parsed config and accounts. */
export interface LiveVenueConfig {
  readonly kind: string;
  readonly factory: VenueFactory;
  readonly config: unknown;
  readonly accounts: readonly LiveAccountSpec[];
}

/** Every `[venues.<kind>]` table that lists accounts to trade, in kind order. */
export function liveVenueConfigs(venues: Readonly<Record<string, unknown>>): LiveVenueConfig[] {
  const out: LiveVenueConfig[] = [];
  for (const kind of Object.keys(venues).sort()) {
    const factory = venueFactory(kind);
    const accounts = factory.liveAccounts?.(venues[kind]) ?? [];
    if (accounts.length > 0) out.push({ kind, factory, config: venues[kind], accounts });
  }
  return out;
}
