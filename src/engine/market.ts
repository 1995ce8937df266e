import type { Instrument } from "../core/instrument.ts";
import type { BookView, MarketEvent } from "../core/market.ts";
import type { Venue } from "../core/venue.ts";
import type { Bbo, ListingFigures, MarketView } from "../strategies/contract.ts";

const CHANNELS = ["book", "trades", "mark", "funding"] as const;

/**
 * The markets as the engine keeps them from the venues' streams, for strategies to read.
 * Marks and funding rates come from the market events (seeded once from the venue when the
 * cache is built, since a feed may have spoken before anyone listened); a book is the venue's
 * stream-maintained local book, whose handle is taken once per instrument here, so reading a
 * book, a BBO or a mark is never a call on the venue.
 */
export class MarketCache implements MarketView {
  private readonly venueMap: ReadonlyMap<string, Venue>;
  private readonly instrumentsByVenue = new Map<string, Map<string, Instrument>>();
  private readonly instrumentLists = new Map<string, readonly Instrument[]>();
  /** venue -> symbol -> what is known of that market (one lookup per read, no key to build) */
  private readonly entries = new Map<string, Map<string, MarketEntry>>();
  private readonly listeners = new Set<(e: MarketEvent) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(venues: ReadonlyMap<string, Venue>) {
    this.venueMap = venues;
    for (const [id, v] of venues) {
      const byId = new Map<string, Instrument>();
      const entries = new Map<string, MarketEntry>();
      for (const inst of v.instruments()) {
        byId.set(inst.symbol, inst);
        entries.set(inst.symbol, {
          instrument: inst,
          book: v.book(inst.symbol),
          mark: v.markPrice(inst.symbol),
          funding: v.fundingRatePerHour(inst.symbol),
          fundingTs: 0,
          markFromFeed: false,
          midBid: Number.NaN,
          midAsk: Number.NaN,
          predicted: () => v.predictedFundingRatePerHour?.(inst.symbol),
        });
      }
      this.instrumentsByVenue.set(id, byId);
      this.entries.set(id, entries);
      this.unsubscribe.push(v.onMarket((e) => this.onMarket(id, e)));
      // a venue streams only what is subscribed; the cache follows every listed instrument (a
      // live venue with hundreds of listings will want this narrowed to the instances' markets)
      for (const inst of byId.values())
        for (const channel of CHANNELS) this.unsubscribe.push(v.subscribe({ symbol: inst.symbol, channel }));
    }
  }

  /** Stop following the streams. */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.listeners.clear();
  }

  /** Every market event, after the cache applied it (the strategies' book and trade events). */
  subscribe(listener: (e: MarketEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  venues(): readonly string[] {
    return [...this.venueMap.keys()];
  }

  instruments(venue: string): readonly Instrument[] {
    // (one array per venue: the listings are fixed when the cache is built)
    let list = this.instrumentLists.get(venue);
    if (list === undefined) {
      list = [...this.byVenue(venue).values()];
      this.instrumentLists.set(venue, list);
    }
    return list;
  }

  instrument(venue: string, symbol: string): Instrument {
    const inst = this.byVenue(venue).get(symbol);
    if (inst === undefined) throw new Error(`market: venue "${venue}" lists no instrument "${symbol}"`);
    return inst;
  }

  findInstrument(venue: string, symbol: string): Instrument | undefined {
    return this.instrumentsByVenue.get(venue)?.get(symbol);
  }

  book(venue: string, symbol: string): BookView {
    const e = this.entries.get(venue)?.get(symbol);
    if (e === undefined) throw new Error(`market: no book for ${venue}:${symbol}`);
    return e.book;
  }

  bbo(venue: string, symbol: string): Bbo {
    const b = this.book(venue, symbol);
    return { bidTicks: b.bestBidTicks(), askTicks: b.bestAskTicks(), ts: b.lastUpdateTs };
  }

  mark(venue: string, symbol: string): number {
    return this.entries.get(venue)?.get(symbol)?.mark ?? Number.NaN;
  }

  fundingRatePerHour(venue: string, symbol: string): number {
    return this.entries.get(venue)?.get(symbol)?.funding ?? 0;
  }

  /** A local read of the venue's last predicted rate (no request), undefined where it has none. */
  predictedFundingRatePerHour(venue: string, symbol: string): number | undefined {
    if (this.findInstrument(venue, symbol) === undefined) return undefined;
    return this.venueMap.get(venue)?.predictedFundingRatePerHour?.(symbol);
  }

  fundingRateTs(venue: string, symbol: string): number {
    return this.entries.get(venue)?.get(symbol)?.fundingTs ?? 0;
  }

  listing(venue: string, symbol: string): ListingFigures | undefined {
    return this.entries.get(venue)?.get(symbol);
  }

  private byVenue(venue: string): Map<string, Instrument> {
    const m = this.instrumentsByVenue.get(venue);
    if (m === undefined) throw new Error(`market: venue "${venue}" is not configured`);
    return m;
  }

  private onMarket(venue: string, e: MarketEvent): void {
    const m = this.entries.get(venue)?.get(e.symbol);
    if (m === undefined) {
      // a symbol the venue did not list when the cache was built: nothing kept, listeners told
    } else if (e.type === "mark") {
      m.markFromFeed = true;
      m.mark = e.markPrice;
    } else if ((e.type === "book" || e.type === "bbo") && !m.markFromFeed) {
      // a feed without marks: the book's mid is the mark, as on the venue itself
      const bid = m.book.bestBidTicks();
      const ask = m.book.bestAskTicks();
      // most updates leave the touch where it was, and with it the mid
      if (bid !== undefined && ask !== undefined && (bid !== m.midBid || ask !== m.midAsk)) {
        m.mark = m.instrument.priceValue(bid + ask) / 2;
        m.midBid = bid;
        m.midAsk = ask;
      }
    } else if (e.type === "funding") {
      m.funding = e.ratePerHour;
      m.fundingTs = e.ts;
    }
    for (const l of this.listeners) l(e);
  }
}

/** What the cache keeps of one listed market. */
interface MarketEntry extends ListingFigures {
  readonly instrument: Instrument;
  readonly book: BookView;
  mark: number;
  funding: number;
  /** time of the last funding event (0: none yet) */
  fundingTs: number;
  /** the feed sends marks: the book's mid is no longer the mark */
  markFromFeed: boolean;
  /** the touch (bid, ask ticks) the mark was last set from; NaN before */
  midBid: number;
  midAsk: number;
}
