import type { Instrument } from "../../core/instrument.ts";
import type { BookView } from "../../core/market.ts";
import type { MarketView } from "../contract.ts";
import type { PairsConfig } from "../pairs/config.ts";
import { discoverPairs, type Listing, type PairLeg, type TradablePair } from "../pairs/discover.ts";
import { listingsOf } from "../pairs/listings.ts";
import { DEPTH_LEVELS, type Level, type VenueQuote } from "./entry.ts";

/**
 * What carry reads of the market view, in base units: a leg's quote (rate per hour as the venue
 * adapter normalised it, book levels with the contract multiplier applied, fees from the
 * instrument) and the pair universe of the instance's venues.
 */
const LEVELS = 20;

/**
 * `depthUsd`: levels are read while fewer than the depth gate's or than `depthUsd` of notional
 * a side (entry.ts quoteDepthUsd), at most LEVELS; default: LEVELS.
 */
export function quoteOf(market: MarketView, leg: PairLeg, depthUsd = Number.POSITIVE_INFINITY): VenueQuote {
  // one handle for every figure where the view has one (a quote per listing per scan)
  const l = market.listing?.(leg.venue, leg.symbol);
  const inst = l?.instrument ?? market.instrument(leg.venue, leg.symbol);
  const book = l?.book ?? market.book(leg.venue, leg.symbol);
  const m = leg.multiplier;
  const { bids, asks } = levelsOf(book, inst, m, depthUsd);
  const predicted =
    l !== undefined ? l.predicted() : market.predictedFundingRatePerHour?.(leg.venue, leg.symbol);
  const ratePerHour = l !== undefined ? l.funding : market.fundingRatePerHour(leg.venue, leg.symbol);
  const rateTs = l !== undefined ? l.fundingTs : market.fundingRateTs(leg.venue, leg.symbol);
  const { makerFeeBps, takerFeeBps } = inst.spec;
  // one literal, no spread where no venue predicts (a quote is built for every listing every scan)
  const q: VenueQuote = {
    venue: leg.venue,
    symbol: leg.symbol,
    ratePerHour,
    rateTs,
    bids,
    asks,
    bboTs: book.lastUpdateTs,
    makerFeeBps,
    takerFeeBps,
    volume24hUsd: leg.volume24hUsd,
  };
  return predicted === undefined ? q : { ...q, predictedRatePerHour: predicted };
}

/**
 * What quoteOf reads of one listing, appended to `out` as LISTING_READS values in this order:
 * the leg, its book, the book's version, the instrument (fees), the rate in force, the predicted
 * rate, the rate's time and the book's time. The levels quoteOf gives are the ones kept for the
 * book's version (levelsOf), so two reads with the same book at the same version, the same
 * instrument and leg give quotes with the same levels and fees; the times are compared as
 * ages (scan-repeat.ts). No quote is built: a scan that repeats the last one reads only this.
 * Written from `out[at]` on (default: appended); returns the index after them.
 */
export function listingReads(market: MarketView, leg: PairLeg, out: unknown[], at = out.length): number {
  const l = market.listing?.(leg.venue, leg.symbol);
  const book = l?.book ?? market.book(leg.venue, leg.symbol);
  // (written in place: a scan reuses the array of the scan before the last, no array grows)
  out[at] = leg;
  out[at + 1] = book;
  out[at + 2] = book.version;
  if (l !== undefined) {
    out[at + 3] = l.instrument;
    out[at + 4] = l.funding;
    out[at + 5] = l.predicted();
    out[at + 6] = l.fundingTs;
  } else {
    out[at + 3] = market.instrument(leg.venue, leg.symbol);
    out[at + 4] = market.fundingRatePerHour(leg.venue, leg.symbol);
    out[at + 5] = market.predictedFundingRatePerHour?.(leg.venue, leg.symbol);
    out[at + 6] = market.fundingRateTs(leg.venue, leg.symbol);
  }
  out[at + 7] = book.lastUpdateTs;
  return at + LISTING_READS;
}

/** values listingReads appends per listing */
export const LISTING_READS = 8;

/**
 * The quote quoteOf would give for the listing whose reads (listingReads) start at `reads[i]`,
 * read at the same time: built from them, without reading the listing again.
 */
export function quoteFromReads(reads: readonly unknown[], i: number, depthUsd: number): VenueQuote {
  const leg = reads[i] as PairLeg;
  const book = reads[i + 1] as BookView;
  const inst = reads[i + 3] as Instrument;
  const predicted = reads[i + 5] as number | undefined;
  const { bids, asks } = levelsOf(book, inst, leg.multiplier, depthUsd);
  const { makerFeeBps, takerFeeBps } = inst.spec;
  const q: VenueQuote = {
    venue: leg.venue,
    symbol: leg.symbol,
    ratePerHour: reads[i + 4] as number,
    rateTs: reads[i + 6] as number,
    bids,
    asks,
    bboTs: reads[i + 7] as number,
    makerFeeBps,
    takerFeeBps,
    volume24hUsd: leg.volume24hUsd,
  };
  return predicted === undefined ? q : { ...q, predictedRatePerHour: predicted };
}

interface KeptLevels {
  readonly version: number;
  readonly inst: Instrument;
  readonly multiplier: number;
  readonly depthUsd: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** a book's levels as last read, while its `version` says they have not changed */
const keptLevels = new WeakMap<BookView, KeptLevels>();

/**
 * The first LEVELS levels a side, in base units. A book that counts its changes (`version`) is
 * read again only when it changed: the arrays are never mutated, so a quote may share them. A
 * level read again at the same price and size is the same object as before (a market step
 * usually moves the touch and leaves the rest: no new objects for the levels that stayed).
 */
function levelsOf(
  book: BookView,
  inst: Instrument,
  m: number,
  depthUsd: number,
): { bids: readonly Level[]; asks: readonly Level[] } {
  const version = book.version;
  const kept = version === undefined ? undefined : keptLevels.get(book);
  const same =
    kept !== undefined && kept.inst === inst && kept.multiplier === m && kept.depthUsd === depthUsd;
  if (same && kept.version === version) return kept;
  const read = {
    bids: sideOf(book, "bid", inst, m, depthUsd, same ? kept.bids : undefined),
    asks: sideOf(book, "ask", inst, m, depthUsd, same ? kept.asks : undefined),
  };
  if (version !== undefined) keptLevels.set(book, { version, inst, multiplier: m, depthUsd, ...read });
  return read;
}

function sideOf(
  book: BookView,
  s: "bid" | "ask",
  inst: Instrument,
  m: number,
  depthUsd: number,
  prev: readonly Level[] | undefined,
): Level[] {
  const out: Level[] = [];
  let notional = 0;
  const more = () => out.length < LEVELS && (out.length < DEPTH_LEVELS || notional < depthUsd);
  // both lists are in walk order (bids descending, asks ascending): one pass over the previous
  const dir = s === "bid" ? -1 : 1;
  let j = 0;
  book.walk(s, (ticks, size) => {
    const price = inst.priceValue(ticks) / m;
    const qty = size * m;
    if (prev !== undefined) {
      while (j < prev.length && (prev[j].price - price) * dir < 0) j++;
      const p = prev[j];
      if (p !== undefined && p.price === price && p.size === qty) {
        out.push(p);
        notional += price * qty;
        j++;
        return more();
      }
    }
    out.push({ price, size: qty });
    notional += price * qty;
    return more();
  });
  return out;
}

/**
 * The tradable pairs on the given venues, from the market view's listings. The list is the one
 * returned before while nothing it was found from changed: never to be modified.
 */
export function universe(
  market: MarketView,
  venues: readonly string[],
  pairs: PairsConfig,
  minVolume24hUsd: number,
): readonly TradablePair[] {
  // discovery is pure: the same listings (mids included) and settings give the same pairs; books
  // that count their changes and did not change have the same mids, so not even those are read
  const last = lastUniverse.get(market);
  const same = last !== undefined && last.pairsConfig === pairs && last.minVolume24hUsd === minVolume24hUsd;
  // (compared in place first: a scan that finds every book as it was allocates nothing here)
  if (same && booksAsBefore(market, venues, last)) return last.pairs;
  const books: BookView[] = [];
  const versions: (number | undefined)[] = [];
  const lists = venues.map((v) => market.instruments(v));
  for (let i = 0; i < venues.length; i++)
    for (const inst of lists[i]) {
      const v = venues[i];
      const b = market.book(v, inst.symbol);
      books.push(b);
      versions.push(b.version);
    }
  const listings = venues.flatMap((v, i) => listingsOf(v, lists[i], (s) => market.book(v, s)));
  if (same && sameListings(last.listings, listings)) {
    lastUniverse.set(market, { ...last, books, versions, lists });
    return last.pairs;
  }
  const found = discoverPairs(listings, pairs, { minVolume24hUsd }).pairs;
  lastUniverse.set(market, {
    pairsConfig: pairs,
    minVolume24hUsd,
    listings,
    books,
    versions,
    lists,
    pairs: found,
  });
  return found;
}

/** Every listing's book is the one read before, at the version read then (books that count them). */
function booksAsBefore(
  market: MarketView,
  venues: readonly string[],
  last: { books: readonly BookView[]; versions: readonly (number | undefined)[]; lists: readonly unknown[] },
): boolean {
  const { books, versions, lists } = last;
  // a view with listing handles keeps one book per listing for its life (MarketView.listing):
  // the same instrument lists as before are the same books, whose versions alone say the rest
  if (market.listing !== undefined && venues.length === lists.length) {
    let listed = true;
    for (let i = 0; i < venues.length && listed; i++) listed = market.instruments(venues[i]) === lists[i];
    if (listed) {
      for (let i = 0; i < books.length; i++) {
        const version = books[i].version;
        if (version === undefined || versions[i] !== version) return false;
      }
      return true;
    }
  }
  let k = 0;
  for (const v of venues)
    for (const inst of market.instruments(v)) {
      const b = market.book(v, inst.symbol);
      const version = b.version;
      if (k >= books.length || books[k] !== b || version === undefined || versions[k] !== version)
        return false;
      k++;
    }
  return k === books.length;
}

const lastUniverse = new WeakMap<
  MarketView,
  {
    readonly pairsConfig: PairsConfig;
    readonly minVolume24hUsd: number;
    readonly listings: readonly Listing[];
    /** every listing's book in the order read, and its version then */
    readonly books: readonly BookView[];
    readonly versions: readonly (number | undefined)[];
    /** each venue's instrument list as the view gave it then */
    readonly lists: readonly (readonly Instrument[])[];
    readonly pairs: readonly TradablePair[];
  }
>();

function sameListings(a: readonly Listing[], b: readonly Listing[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (
      x.venue !== y.venue ||
      x.symbol !== y.symbol ||
      x.base !== y.base ||
      !Object.is(x.mid, y.mid) ||
      !Object.is(x.volume24hUsd, y.volume24hUsd)
    )
      return false;
  }
  return true;
}
