import { InvalidValueError } from "../core/errors.ts";
import type { Instrument } from "../core/instrument.ts";
import type { BookLevel, BookUpdate, MutableBook, PackedLevels } from "../core/market.ts";
import { Ladder, type LadderOptions } from "./ladder.ts";

export interface L2BookOptions {
  /** initial window per side in ticks (default 4096) */
  readonly initialWindowTicks?: number;
  /** largest window per side in ticks before far levels go to a sparse map (default 262144: 2 MiB) */
  readonly maxWindowTicks?: number;
}

/**
 * A feed price is "on grid" when it is within this many ticks of a grid point: float noise of
 * printing a decimal and multiplying it back is ~1e-10 ticks, a real off-grid price is >= 1e-2.
 */
const GRID_TOLERANCE_TICKS = 1e-6;

/**
 * An L2 order book on one instrument's tick grid: one typed-array ladder per side (see ladder.ts).
 * Feed prices are floats as printed; `apply` converts them to integer ticks and refuses a price
 * that is clearly off the grid, since that means the wrong instrument or a corrupt message.
 */
export class L2Book implements MutableBook {
  readonly instrument: Instrument;
  private readonly bids: Ladder;
  private readonly asks: Ladder;
  /** 1 / tick as an exact-as-possible float (10^decimals / atoms), so ticks = price * invTick */
  private readonly invTick: number;
  private ts = 0;
  private changes = 0;

  constructor(instrument: Instrument, options: L2BookOptions = {}) {
    this.instrument = instrument;
    const ladder: LadderOptions = {
      initialWindowTicks: options.initialWindowTicks ?? 4096,
      maxWindowTicks: options.maxWindowTicks ?? 262144,
    };
    for (const [k, v] of Object.entries(ladder)) {
      if (!Number.isInteger(v) || v < 1)
        throw new InvalidValueError(`L2Book ${instrument.key}: option ${k} = ${v} must be an integer >= 1`);
    }
    this.bids = new Ladder(true, ladder);
    this.asks = new Ladder(false, ladder);
    this.invTick = 10 ** instrument.tick.decimals / instrument.tick.atoms;
  }

  get lastUpdateTs(): number {
    return this.ts;
  }

  /** changes with every apply, setLevel and clear (BookView.version) */
  get version(): number {
    return this.changes;
  }

  bestBidTicks(): number | undefined {
    return this.bids.best();
  }

  bestAskTicks(): number | undefined {
    return this.asks.best();
  }

  sizeAt(side: "bid" | "ask", ticks: number): number {
    return (side === "bid" ? this.bids : this.asks).sizeAt(ticks);
  }

  walk(side: "bid" | "ask", visit: (ticks: number, size: number) => boolean): void {
    (side === "bid" ? this.bids : this.asks).walk(visit);
  }

  /** Apply a snapshot (replaces both sides) or a diff (size 0 removes a level). */
  apply(update: BookUpdate): void {
    if (update.symbol !== this.instrument.spec.symbol || update.venue !== this.instrument.spec.venue) {
      throw new InvalidValueError(
        `L2Book ${this.instrument.key}: got an update for ${update.venue}:${update.symbol}`,
      );
    }
    this.changes++;
    if (update.snapshot) this.clear();
    const packed = update.packed;
    if (packed !== undefined && packed.invTick === this.invTick) {
      // checked and converted when packed (pack below): the same levels, in the same order
      const { ticks, sizes, bidEnd, end } = packed;
      for (let i = packed.start; i < bidEnd; i++) this.bids.set(ticks[i], sizes[i]);
      for (let i = bidEnd; i < end; i++) this.asks.set(ticks[i], sizes[i]);
      this.ts = update.ts;
      return;
    }
    const bids = update.bids;
    for (let i = 0; i < bids.length; i++) this.applyLevel(this.bids, bids[i], "bid", update.ts);
    const asks = update.asks;
    for (let i = 0; i < asks.length; i++) this.applyLevel(this.asks, asks[i], "ask", update.ts);
    this.ts = update.ts;
  }

  /**
   * Book updates of this instrument with their levels converted to ticks once, into typed arrays
   * shared by the whole list (a replay decodes its input before running it many times). Every
   * level is checked as apply checks it, so a bad price or size throws here, naming it; updates
   * of other instruments are returned as they are.
   */
  pack<E extends { readonly type: string }>(events: readonly E[]): E[] {
    let n = 0;
    for (const e of events) if (this.packable(e)) n += e.bids.length + e.asks.length;
    const ticks = new Float64Array(n);
    const sizes = new Float64Array(n);
    let k = 0;
    return events.map((e) => {
      if (!this.packable(e)) return e;
      const start = k;
      for (const l of e.bids) {
        sizes[k] = this.checkedSize(l, "bid", e.ts);
        ticks[k++] = this.priceToTicks(l.price);
      }
      const bidEnd = k;
      for (const l of e.asks) {
        sizes[k] = this.checkedSize(l, "ask", e.ts);
        ticks[k++] = this.priceToTicks(l.price);
      }
      const packed: PackedLevels = { invTick: this.invTick, ticks, sizes, start, bidEnd, end: k };
      return { ...e, packed };
    });
  }

  /** Fast path: set one level by integer ticks; size 0 removes it. */
  setLevel(side: "bid" | "ask", ticks: number, size: number): void {
    if (!(ticks > 0) || !Number.isSafeInteger(ticks))
      throw new InvalidValueError(
        `L2Book ${this.instrument.key}: ${side} ticks ${ticks} must be a positive integer`,
      );
    if (!(size >= 0) || size === Number.POSITIVE_INFINITY)
      throw new InvalidValueError(
        `L2Book ${this.instrument.key}: ${side} size ${size} at ${ticks} ticks must be >= 0`,
      );
    this.changes++;
    (side === "bid" ? this.bids : this.asks).set(ticks, size);
  }

  /** Same as setLevel but also stamps the book's time (the simulator's path). */
  setLevelAt(side: "bid" | "ask", ticks: number, size: number, ts: number): void {
    this.setLevel(side, ticks, size);
    this.ts = ts;
  }

  clear(): void {
    this.changes++;
    this.bids.clear();
    this.asks.clear();
  }

  /** Convert a feed price to ticks, throwing when it is not on this instrument's grid. */
  priceToTicks(price: number): number {
    const q = price * this.invTick;
    const ticks = Math.round(q);
    if (!(ticks > 0) || Math.abs(q - ticks) > GRID_TOLERANCE_TICKS + ticks * 1e-13) {
      throw new InvalidValueError(
        `L2Book ${this.instrument.key}: price ${price} is not on the tick grid ${this.instrument.spec.tickSize}`,
      );
    }
    return ticks;
  }

  /** mid price as a float (analytics), or undefined when a side is empty */
  mid(): number | undefined {
    const b = this.bids.best();
    const a = this.asks.best();
    if (b === undefined || a === undefined) return undefined;
    return this.instrument.priceValue(b + a) / 2;
  }

  /** best ask minus best bid in ticks (negative when crossed), or undefined */
  spreadTicks(): number | undefined {
    const b = this.bids.best();
    const a = this.asks.best();
    if (b === undefined || a === undefined) return undefined;
    return a - b;
  }

  isCrossed(): boolean {
    const s = this.spreadTicks();
    return s !== undefined && s <= 0;
  }

  levelCount(side: "bid" | "ask"): number {
    return (side === "bid" ? this.bids : this.asks).levelCount();
  }

  /** The first `n` levels of a side as float prices, for display and logs. */
  depth(side: "bid" | "ask", n: number): BookLevel[] {
    const out: BookLevel[] = [];
    if (n <= 0) return out;
    this.walk(side, (ticks, size) => {
      out.push({ price: this.instrument.priceValue(ticks), size });
      return out.length < n;
    });
    return out;
  }

  /** Sum of size over levels within `ticksFromTouch` of the best price (inclusive). */
  sizeWithin(side: "bid" | "ask", ticksFromTouch: number): number {
    const best = side === "bid" ? this.bids.best() : this.asks.best();
    if (best === undefined) return 0;
    let total = 0;
    this.walk(side, (ticks, size) => {
      if (Math.abs(ticks - best) > ticksFromTouch) return false;
      total += size;
      return true;
    });
    return total;
  }

  private applyLevel(ladder: Ladder, level: BookLevel, side: string, ts: number): void {
    const size = this.checkedSize(level, side, ts);
    ladder.set(this.priceToTicks(level.price), size);
  }

  private checkedSize(level: BookLevel, side: string, ts: number): number {
    const size = level.size;
    if (!(size >= 0) || size === Number.POSITIVE_INFINITY) {
      throw new InvalidValueError(
        `L2Book ${this.instrument.key}: ${side} size ${size} at price ${level.price} (ts ${ts}) must be >= 0`,
      );
    }
    return size;
  }

  private packable<E extends { readonly type: string }>(e: E): e is E & BookUpdate {
    const u = e as unknown as BookUpdate;
    return (
      e.type === "book" && u.symbol === this.instrument.spec.symbol && u.venue === this.instrument.spec.venue
    );
  }
}
