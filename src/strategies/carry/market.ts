import type { MarketView } from "../contract.ts";
import type { PairsConfig } from "../pairs/config.ts";
import { discoverPairs, type PairLeg, type TradablePair } from "../pairs/discover.ts";
import { listingsOf } from "../pairs/listings.ts";
import type { Level, VenueQuote } from "./entry.ts";

/**
 * What carry reads of the market view, in base units: a leg's quote (rate per hour as the venue
 * adapter normalised it, book levels with the contract multiplier applied, fees from the
 * instrument) and the pair universe of the instance's venues.
 */
const LEVELS = 20;

export function quoteOf(market: MarketView, leg: PairLeg): VenueQuote {
  const inst = market.instrument(leg.venue, leg.symbol);
  const book = market.book(leg.venue, leg.symbol);
  const m = leg.multiplier;
  const side = (s: "bid" | "ask"): Level[] => {
    const out: Level[] = [];
    book.walk(s, (ticks, size) => {
      out.push({ price: inst.priceValue(ticks) / m, size: size * m });
      return out.length < LEVELS;
    });
    return out;
  };
  const predicted = market.predictedFundingRatePerHour?.(leg.venue, leg.symbol);
  return {
    venue: leg.venue,
    symbol: leg.symbol,
    ratePerHour: market.fundingRatePerHour(leg.venue, leg.symbol),
    ...(predicted !== undefined ? { predictedRatePerHour: predicted } : {}),
    rateTs: market.fundingRateTs(leg.venue, leg.symbol),
    bids: side("bid"),
    asks: side("ask"),
    bboTs: book.lastUpdateTs,
    makerFeeBps: inst.spec.makerFeeBps,
    takerFeeBps: inst.spec.takerFeeBps,
    volume24hUsd: leg.volume24hUsd,
  };
}

/** The tradable pairs on the given venues, from the market view's listings. */
export function universe(
  market: MarketView,
  venues: readonly string[],
  pairs: PairsConfig,
  minVolume24hUsd: number,
): TradablePair[] {
  const listings = venues.flatMap((v) => listingsOf(v, market.instruments(v), (s) => market.book(v, s)));
  return [...discoverPairs(listings, pairs, { minVolume24hUsd }).pairs];
}
