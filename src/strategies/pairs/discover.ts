import type { PairsConfig } from "./config.ts";
import { SymbolMap } from "./symbols.ts";

/**
 * Pair discovery (STRATEGIES.md section 0): each venue listing is mapped to a canonical base and
 * a contract multiplier, filtered (blocklists, allowlist, 24 h volume floor where the venue
 * publishes it, mid divergence), and the bases left on two venues or more are tradable. Pure:
 * the same listings and config give the same answer, every drop with its reason.
 */

/** What a venue publishes about one listing (mid and volume when known). */
export interface Listing {
  readonly venue: string;
  readonly symbol: string;
  /** the venue's own base name (e.g. "kPEPE", "1000PEPE", "BTC") */
  readonly base: string;
  /** 24 h volume in USD; undefined: the venue does not publish it, the floor is not applied */
  readonly volume24hUsd?: number;
  /** mid price of one contract; undefined or NaN: no book yet */
  readonly mid?: number;
}

export interface PairLeg {
  readonly venue: string;
  readonly symbol: string;
  readonly base: string;
  /** units of the base one contract stands for */
  readonly multiplier: number;
  readonly volume24hUsd: number | undefined;
  /** mid per unit of the base (mid / multiplier); NaN when unknown */
  readonly unitMid: number;
}

export interface TradablePair {
  readonly base: string;
  /** one leg per venue, sorted by venue */
  readonly legs: readonly PairLeg[];
}

export type DropReason =
  | "blocked_base"
  | "blocked_symbol"
  | "blocked_pattern"
  | "not_allowlisted"
  | "low_volume"
  | "duplicate_listing"
  | "mid_divergence"
  | "single_venue";

export interface DroppedListing {
  readonly base: string;
  /** undefined: the whole base was dropped (single_venue) */
  readonly venue?: string;
  readonly symbol?: string;
  readonly reason: DropReason;
  readonly detail: string;
}

export interface Discovery {
  readonly pairs: readonly TradablePair[];
  readonly dropped: readonly DroppedListing[];
}

export interface DiscoverOptions {
  /** 24 h volume floor in USD (listings that publish a volume); 0: none */
  readonly minVolume24hUsd: number;
}

/** Canonical base and multiplier of a listing (SymbolMap.canonical, for one listing). */
export function canonical(
  l: Listing,
  c: PairsConfig,
  map = new SymbolMap(c),
): { base: string; multiplier: number } {
  const { base, multiplier } = map.canonical(l);
  return { base, multiplier };
}

/** one SymbolMap per settings object (its answers are kept: discovery runs on every market change) */
const symbolMaps = new WeakMap<PairsConfig, SymbolMap>();

function symbolMapOf(c: PairsConfig): SymbolMap {
  let m = symbolMaps.get(c);
  if (m === undefined) {
    m = new SymbolMap(c);
    symbolMaps.set(c, m);
  }
  return m;
}

export function discoverPairs(listings: readonly Listing[], c: PairsConfig, o: DiscoverOptions): Discovery {
  const dropped: DroppedListing[] = [];
  const map = symbolMapOf(c);
  const byBase = new Map<string, Map<string, PairLeg>>();
  const sorted = [...listings].sort((a, b) => cmp(a.venue, b.venue) || cmp(a.symbol, b.symbol));
  for (const l of sorted) {
    const r = map.resolve(l);
    const { base } = r;
    const drop = (reason: DropReason, detail: string) =>
      dropped.push({ base, venue: l.venue, symbol: l.symbol, reason, detail });
    if (!r.ok) {
      drop(r.reason, r.detail);
      continue;
    }
    const { multiplier } = r;
    if (l.volume24hUsd !== undefined && o.minVolume24hUsd > 0 && l.volume24hUsd < o.minVolume24hUsd) {
      drop("low_volume", `24 h volume $${Math.round(l.volume24hUsd)} < floor $${o.minVolume24hUsd}`);
      continue;
    }
    const leg: PairLeg = {
      venue: l.venue,
      symbol: l.symbol,
      base,
      multiplier,
      volume24hUsd: l.volume24hUsd,
      unitMid: l.mid !== undefined && l.mid > 0 ? l.mid / multiplier : Number.NaN,
    };
    const perVenue = byBase.get(base) ?? new Map<string, PairLeg>();
    byBase.set(base, perVenue);
    const prior = perVenue.get(l.venue);
    if (prior !== undefined) {
      // one position per base and venue: keep the more liquid listing (the first when unknown)
      const keepNew = (leg.volume24hUsd ?? -1) > (prior.volume24hUsd ?? -1);
      const lost = keepNew ? prior : leg;
      if (keepNew) perVenue.set(l.venue, leg);
      dropped.push({
        base,
        venue: lost.venue,
        symbol: lost.symbol,
        reason: "duplicate_listing",
        detail: `${l.venue} lists ${base} twice; kept ${(keepNew ? leg : prior).symbol}`,
      });
      continue;
    }
    perVenue.set(l.venue, leg);
  }
  const pairs: TradablePair[] = [];
  for (const base of [...byBase.keys()].sort(cmp)) {
    let legs = [...byBase.get(base)!.values()];
    // the median over every venue's mid (itself included) is the reference: with three venues or
    // more one bad listing cannot drag it; with two, both are equally suspect and both go
    const known = legs.filter((x) => Number.isFinite(x.unitMid)).map((x) => x.unitMid);
    const ref = known.length > 1 ? median(known) : Number.NaN;
    legs = legs.filter((leg) => {
      if (!Number.isFinite(leg.unitMid) || !Number.isFinite(ref)) return true;
      const bps = (Math.abs(leg.unitMid - ref) / ref) * 10_000;
      if (bps <= c.max_mid_divergence_bps) return true;
      dropped.push({
        base,
        venue: leg.venue,
        symbol: leg.symbol,
        reason: "mid_divergence",
        detail: `mid per unit ${fmt(leg.unitMid)} is ${bps.toFixed(0)} bps from the venues' median ${fmt(ref)} (max ${c.max_mid_divergence_bps}): check the mapping or multiplier`,
      });
      return false;
    });
    if (legs.length < 2) {
      dropped.push({
        base,
        reason: "single_venue",
        detail:
          legs.length === 1
            ? `only ${legs[0].venue} lists ${base} (after filters)`
            : `no venue left for ${base}`,
      });
      continue;
    }
    pairs.push({ base, legs });
  }
  return { pairs, dropped };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fmt(x: number): string {
  return x >= 1 ? x.toFixed(2) : x.toPrecision(4);
}
