import type { ConfigValues } from "../config/registry.ts";
import { SimClock } from "../core/clock.ts";
import { strategiesSection } from "../strategies/instances.ts";
import { type PairsConfig, pairsDefaults } from "../strategies/pairs/config.ts";
import { type Discovery, discoverPairs } from "../strategies/pairs/discover.ts";
import { listingsOf } from "../strategies/pairs/listings.ts";
import { simSection } from "../venues/sim/config.ts";
import { createPaperWorld } from "./paper.ts";

/**
 * `perpbot pairs`: what is tradable on which venues and why a listing was dropped. In paper mode
 * the listings are the simulated venues' catalogue, with mids from the first step of the seeded
 * synthetic market (the same prices a paper run starts from); the simulator publishes no 24 h
 * volume, so the volume floor is shown but applies to no listing.
 */
export interface PairsReport {
  readonly source: string;
  /** the instance whose `pairs` table and volume floor were used; null: the defaults */
  readonly instance: string | null;
  readonly minVolume24hUsd: number;
  readonly venues: readonly string[];
  readonly discovery: Discovery;
}

/** The pairs settings of the named instance (or the first that has any), else the defaults. */
export function pairsSettingsFrom(
  values: ConfigValues,
  instance?: string,
): { instance: string | null; pairs: PairsConfig; minVolume24hUsd: number } {
  const tables = strategiesSection.get(values) as Record<string, Record<string, unknown>>;
  const names = instance === undefined ? Object.keys(tables) : [instance];
  if (instance !== undefined && tables[instance] === undefined) {
    throw new Error(
      `no instance [strategies.${instance}] in the config (instances: ${Object.keys(tables).join(", ") || "none"})`,
    );
  }
  for (const name of names) {
    const t = tables[name];
    if (t !== undefined && typeof t.pairs === "object" && t.pairs !== null) {
      return {
        instance: name,
        pairs: t.pairs as PairsConfig,
        minVolume24hUsd: Number(t.min_volume_24h_usd ?? 0),
      };
    }
  }
  if (instance !== undefined)
    throw new Error(`instance ${instance} has no pairs settings (kind without pairs)`);
  return { instance: null, pairs: pairsDefaults(), minVolume24hUsd: 0 };
}

export function paperPairs(values: ConfigValues, o: { instance?: string; now?: number } = {}): PairsReport {
  const settings = pairsSettingsFrom(values, o.instance);
  const sim = simSection.get(values);
  const world = createPaperWorld(sim, new SimClock(o.now ?? Date.UTC(2026, 0, 1)));
  try {
    const listings = [...world.venues.values()].flatMap((v) =>
      listingsOf(v.id, v.instruments(), (s) => v.book(s)),
    );
    return {
      source: `paper: the simulated venues' catalogue (${sim.venues.join(", ")}), mids from the synthetic market (seed ${sim.seed}); no 24 h volume published`,
      instance: settings.instance,
      minVolume24hUsd: settings.minVolume24hUsd,
      venues: [...world.venues.keys()],
      discovery: discoverPairs(listings, settings.pairs, { minVolume24hUsd: settings.minVolume24hUsd }),
    };
  } finally {
    world.close();
  }
}

export function formatPairs(r: PairsReport): string {
  const lines = [
    `source: ${r.source}`,
    `settings: ${r.instance === null ? "defaults (no instance with a pairs table)" : `strategies.${r.instance}.pairs`}; 24 h volume floor $${r.minVolume24hUsd}`,
    "",
    `tradable (${r.discovery.pairs.length}):`,
  ];
  for (const p of r.discovery.pairs) {
    const legs = p.legs.map((l) => `${l.venue}:${l.symbol}${l.multiplier !== 1 ? ` x${l.multiplier}` : ""}`);
    lines.push(`  ${p.base.padEnd(8)} ${legs.join("  ")}`);
  }
  lines.push("", `dropped (${r.discovery.dropped.length}):`);
  for (const d of r.discovery.dropped) {
    const where = d.venue === undefined ? d.base : `${d.venue}:${d.symbol}`;
    lines.push(`  ${where.padEnd(22)} ${d.reason.padEnd(17)} ${d.detail}`);
  }
  return `${lines.join("\n")}\n`;
}
