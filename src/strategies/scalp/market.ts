import type { Instrument } from "../../core/instrument.ts";
import type { BookView } from "../../core/market.ts";
import type { MarketView } from "../contract.ts";
import type { PairsConfig } from "../pairs/config.ts";
import { type DroppedListing, discoverPairs, type TradablePair } from "../pairs/discover.ts";
import { listingsOf } from "../pairs/listings.ts";
import type { ScalpConfig } from "./config.ts";
import { type Edge, emptyEdge, emptyTouch, MidHistory, type Touch } from "./entry.ts";

/**
 * What scalp reads of the market view: each leg's instrument and book handle taken once per
 * refresh, so a book update costs a few array reads (no lookup by name, no allocation), and the
 * universe of venue pairs per base from pair discovery.
 */
export interface LegSlot {
  readonly venue: string;
  readonly symbol: string;
  readonly inst: Instrument;
  readonly book: BookView;
  /** base units per contract */
  readonly multiplier: number;
  /** base units per lot */
  readonly lotBase: number;
  readonly touch: Touch;
}

export interface PairSlot {
  /** `<base>:<venueA>:<venueB>` */
  readonly key: string;
  readonly base: string;
  readonly a: LegSlot;
  readonly b: LegSlot;
  readonly history: MidHistory;
  readonly edge: Edge;
  confirms: number;
  /** the best edge seen (bps), for the status view and reports */
  bestEdgeBps: number;
}

export function legSlot(market: MarketView, venue: string, symbol: string, multiplier: number): LegSlot {
  const inst = market.instrument(venue, symbol);
  const touch = emptyTouch();
  touch.takerFee = inst.spec.takerFeeBps / 10_000;
  return {
    venue,
    symbol,
    inst,
    book: market.book(venue, symbol),
    multiplier,
    lotBase: inst.lot.value * multiplier,
    touch,
  };
}

export function pairSlot(base: string, a: LegSlot, b: LegSlot): PairSlot {
  return {
    key: `${base}:${a.venue}:${b.venue}`,
    base,
    a,
    b,
    history: new MidHistory(),
    edge: emptyEdge(),
    confirms: 0,
    bestEdgeBps: Number.NEGATIVE_INFINITY,
  };
}

/** Refresh a leg's touch from its book, per unit of the base. NaN prices when a side is empty. */
export function readTouch(l: LegSlot): Touch {
  const t = l.touch;
  const bid = l.book.bestBidTicks();
  const ask = l.book.bestAskTicks();
  const m = l.multiplier;
  if (bid === undefined) {
    t.bid = Number.NaN;
    t.bidSize = 0;
  } else {
    t.bid = l.inst.priceValue(bid) / m;
    t.bidSize = l.book.sizeAt("bid", bid) * m;
  }
  if (ask === undefined) {
    t.ask = Number.NaN;
    t.askSize = 0;
  } else {
    t.ask = l.inst.priceValue(ask) / m;
    t.askSize = l.book.sizeAt("ask", ask) * m;
  }
  t.ts = l.book.lastUpdateTs;
  return t;
}

/** VWAP per base unit to take `qty` base units from one side; Infinity when the book is too thin. */
export function vwapFor(l: LegSlot, side: "bid" | "ask", qty: number): number {
  let left = qty;
  let cost = 0;
  const m = l.multiplier;
  l.book.walk(side, (ticks, size) => {
    const units = size * m;
    const take = Math.min(left, units);
    cost += take * (l.inst.priceValue(ticks) / m);
    left -= take;
    return left > 1e-12;
  });
  return left > 1e-9 * Math.max(1, qty) ? Number.POSITIVE_INFINITY : cost / qty;
}

/** The tradable pairs of the given venues, from the market view's listings. */
export function discover(
  market: MarketView,
  venues: readonly string[],
  pairs: PairsConfig,
): { pairs: readonly TradablePair[]; dropped: readonly DroppedListing[] } {
  const listings = venues.flatMap((v) => listingsOf(v, market.instruments(v), (s) => market.book(v, s)));
  return discoverPairs(listings, pairs, { minVolume24hUsd: 0 });
}

export interface Universe {
  readonly slots: Map<string, PairSlot>;
  /** venue -> symbol -> the pairs that leg is in */
  readonly index: Map<string, Map<string, PairSlot[]>>;
}

/**
 * The venue pairs of every tradable base (each two venues listing it), reusing the previous
 * slots (their mid history and confirmations), minus those failing the sanity rule. `dropped` is
 * rebuilt: each pair the sanity rule drops with its reason, and each listing discovery drops for
 * a mid too far from the other venues' (`pairs.max_mid_divergence_bps`, the same check at a
 * tighter default) under `<base>:<venue>`, so neither kind of drop is silent. A pair in `held`
 * is kept whatever discovery says, since the position's exits need its books.
 */
export function buildUniverse(
  market: MarketView,
  venues: readonly string[],
  c: ScalpConfig,
  o: {
    previous: ReadonlyMap<string, PairSlot>;
    held: ReadonlySet<string>;
    dropped: Record<string, string>;
    /** since the instance started (ms), for sanity_max_wait_s */
    waitedMs: number;
  },
): Universe {
  const { pairs, dropped } = discover(market, venues, c.pairs);
  for (const k of Object.keys(o.dropped)) delete o.dropped[k];
  for (const d of dropped)
    if (d.reason === "mid_divergence") o.dropped[`${d.base}:${d.venue}`] = `${d.symbol}: ${d.detail}`;
  const slots = new Map<string, PairSlot>();
  for (const p of pairs) {
    for (let i = 0; i < p.legs.length; i++) {
      for (let j = i + 1; j < p.legs.length; j++) {
        const [x, y] = [p.legs[i], p.legs[j]];
        const key = `${p.base}:${x.venue}:${y.venue}`;
        const slot =
          o.previous.get(key) ??
          pairSlot(
            p.base,
            legSlot(market, x.venue, x.symbol, x.multiplier),
            legSlot(market, y.venue, y.symbol, y.multiplier),
          );
        const why = sanity(c, slot, o.waitedMs);
        if (why !== null) {
          o.dropped[key] = why;
          continue;
        }
        slots.set(key, slot);
      }
    }
  }
  for (const key of o.held) {
    const s = o.previous.get(key);
    if (s !== undefined && !slots.has(key)) slots.set(key, s);
  }
  const index = new Map<string, Map<string, PairSlot[]>>();
  for (const s of slots.values()) {
    for (const l of [s.a, s.b]) {
      const bySymbol = index.get(l.venue) ?? new Map<string, PairSlot[]>();
      index.set(l.venue, bySymbol);
      bySymbol.set(l.symbol, [...(bySymbol.get(l.symbol) ?? []), s]);
    }
  }
  return { slots, index };
}

/** sanity_max_wait_s / sanity_rel_tol: both books in time, mids per unit within the tolerance. */
export function sanity(c: ScalpConfig, s: PairSlot, waitedMs: number): string | null {
  const a = readTouch(s.a);
  const b = readTouch(s.b);
  const ok = (t: Touch) => t.bid > 0 && t.ask > 0;
  if (!ok(a) || !ok(b)) {
    const missing = [ok(a) ? "" : s.a.venue, ok(b) ? "" : s.b.venue].filter((v) => v !== "").join(" and ");
    return waitedMs > c.sanity_max_wait_s * 1000
      ? `no book on ${missing} within sanity_max_wait_s (${c.sanity_max_wait_s} s)`
      : null;
  }
  const ma = (a.bid + a.ask) / 2;
  const mb = (b.bid + b.ask) / 2;
  const rel = Math.abs(ma - mb) / Math.min(ma, mb);
  return rel > c.sanity_rel_tol
    ? `mids ${ma.toPrecision(6)} / ${mb.toPrecision(6)} differ by ${(rel * 100).toFixed(0)} % > sanity_rel_tol (${Number((c.sanity_rel_tol * 100).toFixed(4))} %)`
    : null;
}
