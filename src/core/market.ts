/**
 * Market-data events, venue-neutral. Prices and sizes here are floats as the feed printed them
 * (feeds are analytics input); the book converts them to the instrument's grid where it must.
 */
export interface BookLevel {
  readonly price: number;
  readonly size: number;
}

/** A full snapshot (replaces the book) or a diff (size 0 removes a level). */
export interface BookUpdate {
  readonly type: "book";
  readonly venue: string;
  readonly symbol: string;
  readonly ts: number;
  readonly snapshot: boolean;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /**
   * The same levels already on one instrument's tick grid, when a replay decoded them once
   * (L2Book.pack): a book on that grid applies these instead of converting every price again.
   */
  readonly packed?: PackedLevels;
}

/**
 * Book levels as ticks and sizes in typed arrays shared by many updates: entries
 * [start, bidEnd) are the bids, [bidEnd, end) the asks, in the update's order.
 */
export interface PackedLevels {
  /** 1 / tick of the grid the ticks are on (a book on another grid ignores them) */
  readonly invTick: number;
  readonly ticks: Float64Array;
  readonly sizes: Float64Array;
  readonly start: number;
  readonly bidEnd: number;
  readonly end: number;
}

export interface TradePrint {
  readonly type: "trade";
  readonly venue: string;
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  readonly size: number;
  /** the aggressor's side */
  readonly side: "buy" | "sell";
}

/** Best bid/offer only (bookTicker-style feeds). */
export interface BboUpdate {
  readonly type: "bbo";
  readonly venue: string;
  readonly symbol: string;
  readonly ts: number;
  readonly bidPrice: number;
  readonly bidSize: number;
  readonly askPrice: number;
  readonly askSize: number;
}

/** A funding rate in force from `ts`, normalised to a rate per hour at the venue boundary. */
export interface FundingRateUpdate {
  readonly type: "funding";
  readonly venue: string;
  readonly symbol: string;
  readonly ts: number;
  readonly ratePerHour: number;
}

export interface MarkPriceUpdate {
  readonly type: "mark";
  readonly venue: string;
  readonly symbol: string;
  readonly ts: number;
  readonly markPrice: number;
  readonly oraclePrice: number;
}

export type MarketEvent = BookUpdate | TradePrint | BboUpdate | FundingRateUpdate | MarkPriceUpdate;

/**
 * Read side of an L2 book on an instrument's tick grid: what matching and strategies need.
 * Prices are integer ticks, sizes float base units (depth is analytics; orders are on the lot grid).
 */
export interface BookView {
  bestBidTicks(): number | undefined;
  bestAskTicks(): number | undefined;
  /** size resting at a price level (0 when empty) */
  sizeAt(side: "bid" | "ask", ticks: number): number;
  /**
   * Visit levels from the touch outward until the visitor returns false.
   * side "ask" walks up from the best ask, "bid" walks down from the best bid.
   */
  walk(side: "bid" | "ask", visit: (ticks: number, size: number) => boolean): void;
  /** time of the last update applied (ms) */
  readonly lastUpdateTs: number;
  /**
   * A count that changes whenever a level changes (not when only the time moves); readers may
   * keep what they read of the book while it stays the same. Undefined: the book does not count.
   */
  readonly version?: number;
}

/** A book that market data can be applied to (the data layer's L2 ladder implements it). */
export interface MutableBook extends BookView {
  /** apply a snapshot or diff (prices converted to the instrument's tick grid) */
  apply(update: BookUpdate): void;
  /** set one level directly; size 0 removes it (the simulator uses it to consume liquidity) */
  setLevel(side: "bid" | "ask", ticks: number, size: number): void;
  clear(): void;
}
