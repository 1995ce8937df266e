import type { Instrument } from "../../core/instrument.ts";
import type { BookView } from "../../core/market.ts";
import type { Listing } from "./discover.ts";

/** Listings of a venue's instruments, with the book's mid where there is one. */
export function listingsOf(
  venue: string,
  instruments: readonly Instrument[],
  book: (symbol: string) => BookView,
  volume?: (symbol: string) => number | undefined,
): Listing[] {
  return instruments.map((inst) => {
    const b = book(inst.symbol);
    const bid = b.bestBidTicks();
    const ask = b.bestAskTicks();
    const mid = bid !== undefined && ask !== undefined ? inst.priceValue(bid + ask) / 2 : undefined;
    return { venue, symbol: inst.symbol, base: inst.spec.base, mid, volume24hUsd: volume?.(inst.symbol) };
  });
}
