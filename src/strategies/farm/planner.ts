import type { Instrument } from "../../core/instrument.ts";
import type { Rng } from "../../core/random.ts";
import type { Venue } from "../../core/venue.ts";
import { SymbolMap } from "../pairs/symbols.ts";
import { type AllocationResult, drawLongCount } from "./allocation.ts";
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

export interface PlanOptions {
  /** a same-venue market (venue id, underlying) to leave out, e.g. one whose lot is too coarse */
  readonly skip?: (venue: string, base: string) => boolean;
  /** told why no group can form this round, when none can */
  readonly note?: (why: string) => void;
  /**
   * how many wallets the farm manages in all (default: the idle ones). In `mixed` mode too few
   * idle wallets for a same-venue group make cross-venue pairs only when the farm could never
   * gather a same-venue group; otherwise they wait for the wallets still resting, so the mix
   * of shapes stays what `mixed` means instead of turning into pairs of whoever rests least.
   */
  readonly totalWallets?: number;
}

/**
 * Cut idle wallets into groups and decide each group's shape: same-venue groups (docs/farm.md:
 * 3-5 wallets, one random market, longs uniform in [2, n-2]) and cross-venue pairs (seed 001:
 * longs on one venue, shorts on another, one or more wallets a side). In `mixed` mode a farm with
 * too few wallets for a same-venue group, or no same-venue market left, makes cross-venue pairs.
 */
export function planGroups(
  idle: readonly string[],
  venues: readonly Listing[],
  config: FarmConfig,
  rng: Rng,
  group: Grouper,
  opts: PlanOptions = {},
): PlannedGroup[] {
  // the farm's markets are canonical bases (pairs/symbols.ts): kPEPE on one venue and 1000PEPE
  // on another are both PEPE; a cross-venue pair takes two venues whose contracts stand for the
  // same amount of the base (the allocation compares sizes and prices contract for contract)
  const map = new SymbolMap(config.pairs);
  const found = new Map<string, ReturnType<SymbolMap["listingOf"]>>();
  const listed = (v: Listing, base: string) => {
    const key = `${v.id}\u0000${base}`;
    if (!found.has(key)) found.set(key, map.listingOf(v.instruments(), base));
    return found.get(key);
  };
  const listing = (v: Listing, base: string) => listed(v, base)?.instrument;
  /** per base, the venues listing it with equal multipliers (the largest such set) */
  const crossVenues = (base: string): Listing[] => {
    const byMultiplier = new Map<number, Listing[]>();
    for (const v of venues) {
      const l = listed(v, base);
      if (l === undefined) continue;
      byMultiplier.set(l.multiplier, [...(byMultiplier.get(l.multiplier) ?? []), v]);
    }
    return [...byMultiplier.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  };
  /** the pinned long and short venues (cross_long_venue, cross_short_venue) of a base's venues */
  const pins = (vs: readonly Listing[]) => {
    const long = vs.find((v) => v.id === config.cross_long_venue);
    return { long, short: vs.find((v) => v.id === config.cross_short_venue && v !== long) };
  };
  const crossBases = config.markets.filter((b) => {
    const vs = crossVenues(b);
    const p = pins(vs);
    // a pinned venue that does not list the base leaves it out of cross-venue pairs
    return (
      vs.length >= 2 &&
      (config.cross_long_venue === "" || p.long !== undefined) &&
      (config.cross_short_venue === "" || p.short !== undefined)
    );
  });
  const crossPossible = venues.length >= 2 && crossBases.length > 0;
  const sameOptions = venues.flatMap((v) =>
    config.markets.filter((b) => listing(v, b) && !opts.skip?.(v.id, b)).map((b) => [v, b] as const),
  );
  let mode = config.mode === "cross_venue" && !crossPossible ? "same_venue" : config.mode;
  // mixed: a farm that can never make a same-venue group (too few wallets in all, every market
  // skipped) still makes cross-venue pairs; one whose other wallets are resting waits for them
  const total = Math.max(opts.totalWallets ?? idle.length, idle.length);
  if (mode === "mixed" && crossPossible && (total < config.min_group_size || sameOptions.length === 0))
    mode = "cross_venue";
  if (mode === "mixed" && idle.length < config.min_group_size && total >= config.min_group_size) return [];
  const minSize = mode === "cross_venue" ? 2 : config.min_group_size;
  const why = noGroupReason(idle.length, minSize, mode, crossPossible, sameOptions.length, config);
  if (why) {
    opts.note?.(why);
    return [];
  }
  const out: PlannedGroup[] = [];
  for (const members of group(idle, rng, minSize, Math.max(minSize, config.max_group_size))) {
    const cross = mode === "cross_venue" || (mode === "mixed" && crossPossible && rng.chance(0.5));
    if (cross) {
      const base = rng.pick(crossBases);
      const vs = crossVenues(base);
      const p = pins(vs);
      const rest = rng.shuffle(vs.filter((v) => v !== p.long && v !== p.short));
      const longVenue = p.long ?? rest.shift()!;
      const shortVenue = p.short ?? rest.shift()!;
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
      if (members.length < 3 || sameOptions.length === 0) continue;
      const [venue, base] = rng.pick(sameOptions);
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

function noGroupReason(
  idle: number,
  minSize: number,
  mode: string,
  crossPossible: boolean,
  sameOptions: number,
  config: FarmConfig,
): string | undefined {
  const wallets = `${idle} idle wallet${idle === 1 ? "" : "s"}`;
  const noCross = "cross-venue pairs need two farm venues listing one of the farm's markets";
  if (mode === "cross_venue") return idle < 2 ? `${wallets}: a cross-venue pair needs 2` : undefined;
  if (sameOptions === 0) {
    return `${wallets}: no market is left for same-venue groups${mode === "mixed" ? `, and ${noCross}` : ""}`;
  }
  if (idle >= minSize) return undefined;
  const need = `a same-venue group needs min_group_size ${config.min_group_size}`;
  if (mode === "mixed" && !crossPossible) return `${wallets}: ${need}, and ${noCross}`;
  return `${wallets}: ${need} (farm.mode = "${config.mode}"; "mixed" or "cross_venue" pairs 2 wallets on two venues)`;
}

/** Imbalance failures in a row, with no success between, after which a coarse market is skipped. */
export const COARSE_FAILURES_TO_SKIP = 3;

/**
 * The planner a running farm keeps: `planGroups` plus what it learns between rounds. It says
 * once (not every round) why no group can form, and leaves out for the rest of the run a
 * same-venue market whose groups keep failing to balance because one lot is coarser than the
 * bound (`COARSE_FAILURES_TO_SKIP` in a row), with one log line.
 */
export class FarmPlanner {
  private readonly skipped = new Set<string>();
  private readonly coarseFailures = new Map<string, number>();
  private lastNote: string | undefined;
  private readonly config: FarmConfig;
  private readonly log: (msg: string) => void;

  constructor(config: FarmConfig, log: (msg: string) => void) {
    this.config = config;
    this.log = log;
  }

  plan(
    idle: readonly string[],
    venues: readonly Listing[],
    rng: Rng,
    group: Grouper,
    totalWallets?: number,
  ): PlannedGroup[] {
    let noted: string | undefined;
    const plans = planGroups(idle, venues, this.config, rng, group, {
      totalWallets,
      skip: (venue, base) => this.skipped.has(`${venue}:${base}`),
      note: (why) => {
        noted = why;
      },
    });
    if (noted !== undefined && noted !== this.lastNote) this.log(`farm: no group can form: ${noted}`);
    this.lastNote = noted;
    return plans;
  }

  /** Told of a group that was allocated: its market balances, whatever failed before. */
  allocated(plan: PlannedGroup): void {
    this.coarseFailures.delete(`${plan.label}:${plan.base}`);
  }

  /**
   * Told of an allocation that failed. Returns true when the planner has dealt with it (the
   * market is now skipped and that was logged, or it was already skipped): the caller need not
   * log it again.
   */
  allocationFailed(plan: PlannedGroup, alloc: AllocationResult & { ok: false }): boolean {
    if (plan.mode !== "same_venue" || alloc.reason !== "imbalance" || alloc.referencePrice === undefined)
      return false;
    const inst = plan.longs[0]?.instrument;
    if (!inst) return false;
    const lotUsd = inst.lot.value * alloc.referencePrice;
    if (!(lotUsd > this.config.max_imbalance_usd)) return false;
    const key = `${plan.label}:${plan.base}`;
    if (this.skipped.has(key)) return true;
    const failures = (this.coarseFailures.get(key) ?? 0) + 1;
    this.coarseFailures.set(key, failures);
    if (failures < COARSE_FAILURES_TO_SKIP) return false;
    this.skipped.add(key);
    this.log(
      `farm: skipping ${inst.key} for same-venue groups from now on: one lot (${inst.spec.lotSize} ${plan.base} ≈ $${lotUsd.toFixed(2)}) is coarser than max_imbalance_usd $${this.config.max_imbalance_usd} and ${failures} groups in a row could not be balanced (last: ${alloc.detail})`,
    );
    return true;
  }
}
