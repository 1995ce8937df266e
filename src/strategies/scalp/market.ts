import type { Instrument } from "../../core/instrument.ts";
import type { BookView } from "../../core/market.ts";
import type { MarketView } from "../contract.ts";
import type { PairsConfig } from "../pairs/config.ts";
import { type DroppedListing, discoverPairs, type TradablePair } from "../pairs/discover.ts";
import { listingsOf } from "../pairs/listings.ts";
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
