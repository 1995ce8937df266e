import type { Instrument } from "../core/instrument.ts";
import type { BookView, MarketEvent } from "../core/market.ts";
import type { Venue } from "../core/venue.ts";
import type { Bbo, MarketView } from "../strategies/contract.ts";

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
  private readonly books = new Map<string, BookView>();
  private readonly marks = new Map<string, number>();
  private readonly funding = new Map<string, number>();
  private readonly fundingTs = new Map<string, number>();
  private readonly markFromFeed = new Set<string>();
  private readonly listeners = new Set<(e: MarketEvent) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(venues: ReadonlyMap<string, Venue>) {
    this.venueMap = venues;
    for (const [id, v] of venues) {
      const byId = new Map<string, Instrument>();
      // per symbol: its cache key, instrument and book, so an event builds no key string
      const entries = new Map<string, Entry>();
      for (const inst of v.instruments()) {
        byId.set(inst.symbol, inst);
        const k = key(id, inst.symbol);
        const book = v.book(inst.symbol);
        entries.set(inst.symbol, { k, inst, book, midOf: [Number.NaN, Number.NaN] });
        this.books.set(k, book);
        this.marks.set(k, v.markPrice(inst.symbol));
        this.funding.set(k, v.fundingRatePerHour(inst.symbol));
      }
      this.instrumentsByVenue.set(id, byId);
      this.unsubscribe.push(v.onMarket((e) => this.onMarket(id, entries, e)));
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
    return [...this.byVenue(venue).values()];
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
    const b = this.books.get(key(venue, symbol));
    if (b === undefined) throw new Error(`market: no book for ${venue}:${symbol}`);
    return b;
  }

  bbo(venue: string, symbol: string): Bbo {
    const b = this.book(venue, symbol);
    return { bidTicks: b.bestBidTicks(), askTicks: b.bestAskTicks(), ts: b.lastUpdateTs };
  }

  mark(venue: string, symbol: string): number {
    return this.marks.get(key(venue, symbol)) ?? Number.NaN;
  }

  fundingRatePerHour(venue: string, symbol: string): number {
    return this.funding.get(key(venue, symbol)) ?? 0;
  }

  /** A local read of the venue's last predicted rate (no request), undefined where it has none. */
  predictedFundingRatePerHour(venue: string, symbol: string): number | undefined {
    if (this.findInstrument(venue, symbol) === undefined) return undefined;
    return this.venueMap.get(venue)?.predictedFundingRatePerHour?.(symbol);
  }

  fundingRateTs(venue: string, symbol: string): number {
    return this.fundingTs.get(key(venue, symbol)) ?? 0;
  }

  private byVenue(venue: string): Map<string, Instrument> {
    const m = this.instrumentsByVenue.get(venue);
    if (m === undefined) throw new Error(`market: venue "${venue}" is not configured`);
    return m;
  }

  private onMarket(venue: string, entries: ReadonlyMap<string, Entry>, e: MarketEvent): void {
    const entry = entries.get(e.symbol);
    // (an event for a symbol the venue did not list has no entry: its key is built here)
    const k = entry === undefined ? key(venue, e.symbol) : entry.k;
    if (e.type === "mark") {
      this.markFromFeed.add(k);
      this.marks.set(k, e.markPrice);
    } else if ((e.type === "book" || e.type === "bbo") && entry !== undefined && !this.markFromFeed.has(k)) {
      // a feed without marks: the book's mid is the mark, as on the venue itself
      const bid = entry.book.bestBidTicks();
      const ask = entry.book.bestAskTicks();
      // most updates leave the touch where it was, and with it the mid (only this sets the mark
      // while the feed sends no marks)
      if (bid !== undefined && ask !== undefined && (bid !== entry.midOf[0] || ask !== entry.midOf[1])) {
        this.marks.set(k, entry.inst.priceValue(bid + ask) / 2);
        entry.midOf[0] = bid;
        entry.midOf[1] = ask;
      }
    } else if (e.type === "funding") {
      this.funding.set(k, e.ratePerHour);
      this.fundingTs.set(k, e.ts);
    }
    for (const l of this.listeners) l(e);
  }
}

interface Entry {
  readonly k: string;
  readonly inst: Instrument;
  readonly book: BookView;
  /** the touch (bid, ask ticks) the mark was last set from; NaN before */
  readonly midOf: [number, number];
}

function key(venue: string, symbol: string): string {
  return `${venue}\u0000${symbol}`;
}
