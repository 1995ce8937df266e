import type { Instrument } from "../../core/instrument.ts";
import type { Rng } from "../../core/random.ts";
import type { Venue } from "../../core/venue.ts";
import { drawLongCount } from "./allocation.ts";
import type { FarmConfig } from "./config.ts";

export interface PlannedMember {
  readonly wallet: string;
  readonly venue: string;
  readonly instrument: Instrument;
}

/** A group before allocation: who is long and short, where, on which underlying. */
export interface PlannedGroup {
  readonly mode: "same_venue" | "cross_venue";
  readonly base: string;
  /** "simA" for a same-venue group, "simA>simB" (long venue > short venue) for a cross-venue one */
  readonly label: string;
  readonly longs: readonly PlannedMember[];
  readonly shorts: readonly PlannedMember[];
}

/** what planning reads of a venue: its id and listings */
type Listing = Pick<Venue, "id" | "instruments">;

type Grouper = (wallets: readonly string[], rng: Rng, min: number, max: number) => string[][];

/**
 * Cut idle wallets into groups and decide each group's shape: same-venue groups (DOMAIN.md
 * section 4: 3-5 wallets, one random market, longs uniform in [2, n-2]) and cross-venue pairs
 * (seed 001: longs on one venue, shorts on another, one or more wallets a side).
 */
export function planGroups(
  idle: readonly string[],
  venues: readonly Listing[],
  config: FarmConfig,
  rng: Rng,
  group: Grouper,
): PlannedGroup[] {
  const listing = (v: Listing, base: string) => v.instruments().find((i) => i.spec.base === base);
  const crossBases = config.markets.filter((b) => venues.filter((v) => listing(v, b)).length >= 2);
  const crossPossible = venues.length >= 2 && crossBases.length > 0;
  const mode = config.mode === "cross_venue" && !crossPossible ? "same_venue" : config.mode;
  const minSize = mode === "cross_venue" ? 2 : config.min_group_size;
  if (idle.length < minSize) return [];
  const out: PlannedGroup[] = [];
  for (const members of group(idle, rng, minSize, Math.max(minSize, config.max_group_size))) {
    const cross = mode === "cross_venue" || (mode === "mixed" && crossPossible && rng.chance(0.5));
    if (cross) {
      const base = rng.pick(crossBases);
      const [longVenue, shortVenue] = rng.shuffle(venues.filter((v) => listing(v, base)).slice()).slice(0, 2);
      const k = members.length === 2 ? 1 : rng.int(1, members.length - 1);
      const at = (v: Listing) => (w: string) => ({ wallet: w, venue: v.id, instrument: listing(v, base)! });
      out.push({
        mode: "cross_venue",
        base,
        label: `${longVenue.id}>${shortVenue.id}`,
        longs: members.slice(0, k).map(at(longVenue)),
        shorts: members.slice(k).map(at(shortVenue)),
      });
    } else {
      if (members.length < 3) continue;
      const options = venues.flatMap((v) =>
        config.markets.filter((b) => listing(v, b)).map((b) => [v, b] as const),
      );
      if (options.length === 0) continue;
      const [venue, base] = rng.pick(options);
      const k = drawLongCount(members.length, rng);
      const at = (w: string) => ({ wallet: w, venue: venue.id, instrument: listing(venue, base)! });
      out.push({
        mode: "same_venue",
        base,
        label: venue.id,
        longs: members.slice(0, k).map(at),
        shorts: members.slice(k).map(at),
      });
    }
  }
  return out;
}
