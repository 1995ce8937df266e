import { z } from "zod";
import { type ConfigValues, defineSection } from "../config/registry.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { Venue } from "../core/venue.ts";
import { asterVenueFactory } from "./aster/factory.ts";
import { backpackVenueFactory } from "./backpack/factory.ts";
import { edgexVenueFactory } from "./edgex/factory.ts";
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
  asterVenueFactory as unknown as VenueFactory,
  backpackVenueFactory as unknown as VenueFactory,
  edgexVenueFactory as unknown as VenueFactory,
  hyperliquidVenueFactory as unknown as VenueFactory,
  lighterVenueFactory as unknown as VenueFactory,
];

/** The kinds configured under `[venues.<kind>]` with wallets to trade live (the others are paper). */
const LIVE_FACTORIES = FACTORIES.filter((f) => f.liveAccounts !== undefined);

/**
 * The `[venues.<kind>]` tables of perpbot.toml, one per live venue kind (the simulator keeps its
 * own `[sim]` section). Each table is its venue's schema from its folder, so the loader, `config
 * show` and the docs see every key; a new live venue appears here by being in FACTORIES.
 */
export const venuesSection = defineSection(
  "venues",
  z
    .strictObject(
      Object.fromEntries(
        LIVE_FACTORIES.map((f) => [f.kind, f.configSchema.describe(f.configDoc ?? `${f.kind} venue`)]),
      ) as Record<string, z.ZodType>,
    )
    .prefault({}),
  {
    doc: `Live venues: ${LIVE_FACTORIES.map((f) => `\`[venues.${f.kind}]\``).join(", ")}, each with its \`[venues.<kind>.wallets.<id>]\` accounts.`,
  },
);

/** The parsed `[venues.<kind>]` table of one venue kind, typed by its factory. */
export function venueConfigOf<S extends z.ZodType>(
  values: ConfigValues,
  factory: VenueFactory<S>,
): z.output<S> {
  return (venuesSection.get(values) as Record<string, unknown>)[factory.kind] as z.output<S>;
}

/**
 * The kinds a sandbox run reads market data from: every `[venues.<kind>]` table the config gives
 * (`given(kind)`), else the kinds whose factory is a sandbox default.
 */
export function sandboxKinds(given: (kind: string) => boolean): string[] {
  const present = LIVE_FACTORIES.filter((f) => given(f.kind));
  return (present.length > 0 ? present : LIVE_FACTORIES.filter((f) => f.sandboxByDefault === true))
    .map((f) => f.kind)
    .sort();
}

/** How a live run or doctor tells the user to configure a venue: every live kind, with its doc. */
export function liveVenueHint(): string {
  return LIVE_FACTORIES.map(
    (f) => `[venues.${f.kind}] and its [venues.${f.kind}.wallets.<id>] (docs/venues/${f.kind}.md)`,
  ).join(", or ");
}

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
