import { InvalidValueError } from "../../core/errors.ts";
import type { MutableBook } from "../../core/market.ts";
import type { OrderState } from "./state.ts";

/**
 * How the simulated venue fills resting orders (SimVenueOptions.fillModel).
 *
 * - "cross" (the default): no queue position. A resting order fills in full as soon as the market
 *   book trades through it, and up to a trade's printed size when a trade prints at or through its
 *   price (exchange.ts).
 * - "queue": a resting order waits behind the market's size at its price. The rules:
 *   1. Entry: when the order reaches the venue (after `placeLatencyMs`) its size ahead is the
 *      visible market size at its price on its side at that moment. Size added later queues
 *      behind it.
 *   2. A trade printed at the order's price by an aggressor of the other side first consumes the
 *      size ahead; only what is left after it fills the order (at most the trade's size over all
 *      our orders at that price).
 *   3. Size that leaves the level without a trade counts as cancelled behind us, except that the
 *      size ahead can never exceed what the level still shows: after each book change, ahead =
 *      min(ahead, level size). This is the conservative reading: a cancel moves us forward only
 *      when it must have been ahead of us.
 *   4. A level deleted (size 0) leaves nothing ahead: the next trade at the price fills us.
 *   5. Price trading through: a trade printed at a worse price than ours (a sell below our bid, a
 *      buy above our ask), or the other side of the book reaching our price, fills the order in
 *      full at its own price, whatever was ahead.
 *   6. Feed order: a book stream can show a trade's decrease before the trade stream prints it
 *      (on the Binance USD-M recording about one matched trade in four). What rule 3 took off the
 *      size ahead in the last TRADE_MATCH_MS (100 ms) is therefore taken as trades still to be printed: a
 *      trade at the price first uses up that credit and consumes only the rest, so one trade is
 *      never counted twice. A credit no trade explains in time was a cancellation. This errs on
 *      the conservative side: a cancel ahead and a separate trade within the window count once.
 *   Cancels and amends reach the venue after `cancelLatencyMs` / `placeLatencyMs`, and the order
 *   can fill until then; an amend that loses time priority rejoins at the back (rule 1).
 *   Queue positions live in memory only: after a venue restart a resting order rejoins behind the
 *   level's visible size.
 */
export type FillModel =
  | { readonly kind: "cross" }
  | { readonly kind: "queue"; readonly placeLatencyMs: number; readonly cancelLatencyMs: number };

/** Every problem of a fill model, or an empty list. */
export function fillModelProblems(m: FillModel): string[] {
  if (m.kind === "cross") return [];
  if (m.kind !== "queue")
    return [`fillModel.kind "${String((m as { kind: unknown }).kind)}" must be cross or queue`];
  const out: string[] = [];
  for (const k of ["placeLatencyMs", "cancelLatencyMs"] as const) {
    const v = m[k];
    if (!(typeof v === "number" && v >= 0 && Number.isFinite(v)))
      out.push(`fillModel.${k} ${v} must be a finite number >= 0`);
  }
  return out;
}

/** how long a decrease of the level stays a possible trade not printed yet (rule 6) */
export const TRADE_MATCH_MS = 100;

interface Spot {
  /** market size (base units) ahead of the order at its price */
  ahead: number;
  /** what rule 3 took off `ahead` lately (rule 6), and when last */
  credit: number;
  creditTs: number;
  joinedTs: number;
  filled: boolean;
}

/** capAll's spots of one list of orders, as they were at `version` of the spot map */
interface Aligned {
  readonly list: readonly OrderState[];
  /** the list's orders when the spots were found */
  orders: OrderState[];
  spots: Spot[];
  version: number;
  /**
   * capAll found nothing ahead of any of them: so it stays until the spots change (version),
   * since what is ahead of a spot only ever decreases (capAll, onTrade), and capAll skips them
   */
  nothingAhead: boolean;
}

/** lists whose spots capAll keeps (two per symbol: 32 symbols with resting orders) */
const MAX_ALIGNED = 64;

/** What the queue model saw, for backtest reports. */
export interface QueueStats {
  /** ms from joining the queue to the first fill, one entry per order that filled */
  readonly waitsMs: number[];
  /** orders that left the queue (cancelled or expired) without any fill */
  cancelledUnfilled: number;
  /** fills by rule 2 (the size ahead traded) */
  queueFills: number;
  /** fills by rule 5 (price traded through) */
  throughFills: number;
}

export function emptyQueueStats(): QueueStats {
  return { waitsMs: [], cancelledUnfilled: 0, queueFills: 0, throughFills: 0 };
}

/** Fills the queue model grants on one trade: which order, how many lots, and by which rule. */
export interface QueueFill {
  readonly order: OrderState;
  readonly lots: number;
  readonly through: boolean;
}

/**
 * The queue positions of the resting orders of one venue (all symbols), keyed by venue order id.
 * Pure bookkeeping: the exchange core asks it which fills a trade grants and books them itself.
 */
export class QueuePositions {
  readonly stats: QueueStats = emptyQueueStats();
  private readonly spots = new Map<string, Spot>();
  /** bumped by every change to `spots` (an entry added, replaced or removed) */
  private spotsVersion = 0;
  /** capAll's spots of the lists it was given (the venue's resting lists), see alignedSpots */
  private readonly aligned: Aligned[] = [];
  private readonly books: ReadonlyMap<string, MutableBook>;

  constructor(books: ReadonlyMap<string, MutableBook>) {
    this.books = books;
  }

  /** Rule 1: the order joins behind the visible size at its price. */
  join(o: OrderState, ts: number): void {
    this.spots.set(o.venueOrderId, this.fresh(o, ts, false));
    this.spotsVersion++;
  }

  /** Size ahead of a resting order (it joins now when it was never seen: a restart). */
  ahead(o: OrderState, ts: number): number {
    return this.spot(o, ts).ahead;
  }

  /** The order left the book (filled, cancelled, expired). */
  leave(o: OrderState): void {
    const s = this.spots.get(o.venueOrderId);
    if (s === undefined) return;
    if (!s.filled) this.stats.cancelledUnfilled++;
    this.spots.delete(o.venueOrderId);
    this.spotsVersion++;
  }

  /** Rules 3 and 4 after a book change: ahead never exceeds what the level shows. */
  capAll(orders: readonly OrderState[], ts: number): void {
    // the orders are usually one side of one symbol: its book is looked up once
    let symbol: string | undefined;
    let book: MutableBook | undefined;
    const a = this.alignedSpots(orders, ts);
    if (a.nothingAhead) return;
    const spots = a.spots;
    let nothingAhead = true;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i];
      const s = spots[i];
      if (s.ahead > 0) {
        if (o.symbol !== symbol) {
          symbol = o.symbol;
          book = this.bookOf(symbol);
        }
        const level = book!.sizeAt(o.side === "buy" ? "bid" : "ask", o.priceTicks);
        if (level < s.ahead) {
          s.credit = (ts - s.creditTs <= TRADE_MATCH_MS ? s.credit : 0) + (s.ahead - level);
          s.creditTs = ts;
          s.ahead = level;
        }
        if (s.ahead > 0) nothingAhead = false;
      }
    }
    a.nothingAhead = nothingAhead;
  }

  /**
   * Rules 2 and 5 for one trade of `size` base units at `ticks`, given the resting orders it can
   * reach (our side, at or through the trade's price, best first). `lot` is the lot size in base
   * units. Returns the fills granted, in order.
   */
  onTrade(orders: readonly OrderState[], ticks: number, size: number, lot: number, ts: number): QueueFill[] {
    const out: QueueFill[] = [];
    let leftLots = Math.floor(size / lot + 1e-9);
    for (const o of orders) {
      const rem = o.sizeLots - o.filledLots;
      const s = this.spot(o, ts);
      if (o.priceTicks !== ticks) {
        out.push({ order: o, lots: rem, through: true });
        continue;
      }
      // rule 6: the part of the trade the book already showed is not counted again
      let counted = size;
      if (s.credit > 0 && ts - s.creditTs <= TRADE_MATCH_MS) {
        const seen = Math.min(size, s.credit);
        s.credit -= seen;
        counted -= seen;
      }
      const over = counted - s.ahead;
      s.ahead = Math.max(0, s.ahead - counted);
      if (over <= 0 || leftLots <= 0) continue;
      const lots = Math.min(rem, leftLots, Math.floor(over / lot + 1e-9));
      if (lots <= 0) continue;
      leftLots -= lots;
      out.push({ order: o, lots, through: false });
    }
    return out;
  }

  /** A fill was booked for the order (by a trade or the book crossing it). */
  filled(o: OrderState, ts: number, through: boolean): void {
    const s = this.spot(o, ts);
    if (through) this.stats.throughFills++;
    else this.stats.queueFills++;
    if (!s.filled) {
      s.filled = true;
      this.stats.waitsMs.push(ts - s.joinedTs);
    }
  }

  private spot(o: OrderState, ts: number): Spot {
    let s = this.spots.get(o.venueOrderId);
    if (s === undefined) {
      s = this.fresh(o, ts, o.filledLots > 0);
      this.spots.set(o.venueOrderId, s);
      this.spotsVersion++;
    }
    return s;
  }

  /**
   * spot(o, ts) of every order of the list, in its order. capAll runs after every market event
   * on the same two lists per symbol, which change only when an order comes or goes: the spots
   * found last time are reused while the list holds the same orders and no spot was added,
   * replaced or removed since (then each is the one the map would give). Creating a missing
   * spot first and capping after is what the one-by-one loop did: capping never moves the book.
   */
  private alignedSpots(orders: readonly OrderState[], ts: number): Aligned {
    let a: Aligned | undefined;
    for (let i = 0; i < this.aligned.length; i++) {
      if (this.aligned[i].list === orders) {
        a = this.aligned[i];
        break;
      }
    }
    if (a !== undefined && a.version === this.spotsVersion && a.orders.length === orders.length) {
      let same = true;
      for (let i = 0; i < orders.length && same; i++) same = a.orders[i] === orders[i];
      if (same) return a;
    }
    const spots: Spot[] = [];
    for (let i = 0; i < orders.length; i++) spots.push(this.spot(orders[i], ts));
    if (a === undefined) {
      // a bounded cache: a venue's first lists (two per symbol) are kept, other lists are not
      const fresh: Aligned = { list: orders, orders: [], spots, version: -1, nothingAhead: false };
      if (this.aligned.length >= MAX_ALIGNED) return fresh;
      a = fresh;
      this.aligned.push(a);
    }
    a.orders = orders.slice();
    a.spots = spots;
    a.version = this.spotsVersion;
    a.nothingAhead = false;
    return a;
  }

  private fresh(o: OrderState, ts: number, filled: boolean): Spot {
    return { ahead: this.levelSize(o), credit: 0, creditTs: ts, joinedTs: ts, filled };
  }

  private levelSize(o: OrderState): number {
    return this.bookOf(o.symbol).sizeAt(o.side === "buy" ? "bid" : "ask", o.priceTicks);
  }

  private bookOf(symbol: string): MutableBook {
    const book = this.books.get(symbol);
    if (book === undefined) throw new InvalidValueError(`queue model: no book for ${symbol}`);
    return book;
  }
}
