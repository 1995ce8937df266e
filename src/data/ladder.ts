import { InvalidValueError } from "../core/errors.ts";

/** Window sizing for one side of a book, in ticks. */
export interface LadderOptions {
  /** slots allocated for the first level seen (rounded up to a power of two) */
  readonly initialWindowTicks: number;
  /**
   * Largest window. A level further than this from the rest of the side (a stray bid at a tenth
   * of the price, as Binance feeds print) goes to a sparse overflow map instead of growing the
   * array without bound.
   */
  readonly maxWindowTicks: number;
}

const NONE = -1;

/**
 * One side of an L2 book: sizes in a Float64Array indexed by `ticks - base`, plus a sparse map
 * for the rare far-away levels. Invariant: when the side is not empty its best level is inside
 * the window, so every overflow level is worse than every window level and `walk` can visit the
 * window first, then the overflow.
 *
 * `descending` is true for bids (best = highest price).
 */
export class Ladder {
  readonly descending: boolean;
  private readonly minCap: number;
  private readonly maxCap: number;
  private base = 0;
  private cap: number;
  private sizes: Float64Array;
  /** non-zero levels inside the window */
  private windowLevels = 0;
  /** best price in ticks, or NONE */
  private bestTicks = NONE;
  private readonly overflow = new Map<number, number>();
  /** overflow prices sorted from the touch outward; rebuilt lazily after a change */
  private overflowSorted: number[] | null = null;

  constructor(descending: boolean, options: LadderOptions) {
    this.descending = descending;
    this.minCap = nextPow2(Math.max(16, options.initialWindowTicks));
    this.maxCap = Math.max(this.minCap, nextPow2(options.maxWindowTicks));
    this.cap = this.minCap;
    this.sizes = new Float64Array(this.cap);
  }

  best(): number | undefined {
    return this.bestTicks === NONE ? undefined : this.bestTicks;
  }

  /** number of non-empty levels on this side */
  levelCount(): number {
    return this.windowLevels + this.overflow.size;
  }

  /** current window width in ticks (exposed for tests and memory reports) */
  windowTicks(): number {
    return this.cap;
  }

  sizeAt(ticks: number): number {
    const i = ticks - this.base;
    if (i >= 0 && i < this.cap) return this.sizes[i];
    return this.overflow.get(ticks) ?? 0;
  }

  /** Set the size at a price; size 0 removes the level. `ticks` must be a positive integer. */
  set(ticks: number, size: number): void {
    const i = ticks - this.base;
    if (i >= 0 && i < this.cap) {
      const old = this.sizes[i];
      this.sizes[i] = size;
      if (old === 0) {
        if (size !== 0) {
          this.windowLevels++;
          if (this.bestTicks === NONE || this.better(ticks, this.bestTicks)) this.bestTicks = ticks;
        }
      } else if (size === 0) {
        this.windowLevels--;
        if (ticks === this.bestTicks) this.findBestAfterRemoval(i);
      }
      return;
    }
    this.setOutsideWindow(ticks, size);
  }

  /**
   * Visit levels from the touch outward until `visit` returns false. Stops scanning the window
   * once every window level has been seen, so a wide sparse window costs nothing past its last level.
   */
  walk(visit: (ticks: number, size: number) => boolean): void {
    if (this.bestTicks === NONE) return;
    const sizes = this.sizes;
    let remaining = this.windowLevels;
    const step = this.descending ? -1 : 1;
    for (let i = this.bestTicks - this.base; remaining > 0 && i >= 0 && i < this.cap; i += step) {
      const s = sizes[i];
      if (s !== 0) {
        remaining--;
        if (!visit(i + this.base, s)) return;
      }
    }
    if (this.overflow.size === 0) return;
    for (const t of this.sortedOverflow()) {
      if (!visit(t, this.overflow.get(t) as number)) return;
    }
  }

  clear(): void {
    // Zero only the occupied slots when the side is thin, so clearing a wide window is cheap:
    // from the touch outward until every window level has been seen (a book's usual ~20 levels)
    if (this.windowLevels * 8 < this.cap && this.bestTicks !== NONE) {
      const sizes = this.sizes;
      const cap = this.cap;
      const step = this.descending ? -1 : 1;
      let remaining = this.windowLevels;
      for (let i = this.bestTicks - this.base; remaining > 0 && i >= 0 && i < cap; i += step) {
        if (sizes[i] !== 0) {
          sizes[i] = 0;
          remaining--;
        }
      }
    } else {
      this.sizes.fill(0);
    }
    this.windowLevels = 0;
    this.bestTicks = NONE;
    this.overflow.clear();
    this.overflowSorted = null;
  }

  private better(a: number, b: number): boolean {
    return this.descending ? a > b : a < b;
  }

  /** The best level was just removed at window index `from`: scan outward for the next one. */
  private findBestAfterRemoval(from: number): void {
    if (this.windowLevels > 0) {
      const sizes = this.sizes;
      const step = this.descending ? -1 : 1;
      for (let i = from + step; i >= 0 && i < this.cap; i += step) {
        if (sizes[i] !== 0) {
          this.bestTicks = i + this.base;
          return;
        }
      }
      throw new Error("Ladder invariant broken: window level count > 0 but no level found");
    }
    if (this.overflow.size === 0) {
      this.bestTicks = NONE;
      return;
    }
    // The window emptied while far levels remain: bring the best of them into a new window.
    this.rebuild(this.windowFromTouch(this.sortedOverflow()[0], this.cap), this.cap);
  }

  private setOutsideWindow(ticks: number, size: number): void {
    if (size === 0) {
      if (this.overflow.delete(ticks)) this.overflowSorted = null;
      return;
    }
    if (this.bestTicks === NONE) {
      this.rebuild(this.windowAround(ticks, this.cap), this.cap);
      this.set(ticks, size);
      return;
    }
    // A level this far from the touch can never fit, and a full-size window cannot grow: skip
    // the O(window) scan below (stray far levels are updated often in real feeds).
    if (this.cap >= this.maxCap || Math.abs(ticks - this.bestTicks) * 2 >= this.maxCap) {
      this.placeFar(ticks, size);
      return;
    }
    // Grow to cover the occupied window range and the new level when it fits, else to full size.
    const [occLo, occHi] = this.occupiedRange();
    const lo = Math.min(occLo, ticks);
    const hi = Math.max(occHi, ticks);
    const span = hi - lo + 1;
    if (span * 2 <= this.maxCap) {
      const cap = Math.max(this.minCap, nextPow2(span * 2));
      this.rebuild(lo - Math.floor((cap - span) / 2), cap);
    } else {
      this.rebuild(this.windowFromTouch(this.bestTicks, this.maxCap), this.maxCap);
    }
    this.set(ticks, size);
  }

  /** A level outside a window that cannot grow: worse ones go to overflow, a new best re-centres. */
  private placeFar(ticks: number, size: number): void {
    if (!this.better(ticks, this.bestTicks)) {
      if (!this.overflow.has(ticks)) this.overflowSorted = null;
      this.overflow.set(ticks, size);
      return;
    }
    // Old levels now outside the new window go to overflow; they are all worse than `ticks`.
    this.rebuild(this.windowFromTouch(ticks, this.maxCap), this.maxCap);
    this.set(ticks, size);
  }

  /**
   * A window of `cap` slots for a new best price `ticks`: every other level is worse, so most of
   * the room goes behind the touch and an eighth ahead of it for the price to improve into.
   */
  private windowFromTouch(ticks: number, cap: number): number {
    const ahead = Math.floor(cap / 8);
    return this.descending ? ticks - cap + 1 + ahead : ticks - ahead;
  }

  /** a window of `cap` slots placed so `ticks` has room on both sides */
  private windowAround(ticks: number, cap: number): number {
    return ticks - Math.floor(cap / 2);
  }

  private occupiedRange(): [number, number] {
    const sizes = this.sizes;
    let lo = 0;
    while (lo < this.cap && sizes[lo] === 0) lo++;
    let hi = this.cap - 1;
    while (hi >= 0 && sizes[hi] === 0) hi--;
    if (lo > hi) return [this.bestTicks, this.bestTicks];
    return [lo + this.base, hi + this.base];
  }

  /** Move every level into a window starting at `base` of `cap` slots (default: same size). */
  private rebuild(base: number, cap: number): void {
    const levels: [number, number][] = [];
    const sizes = this.sizes;
    for (let i = 0; i < this.cap; i++) if (sizes[i] !== 0) levels.push([i + this.base, sizes[i]]);
    for (const [t, s] of this.overflow) levels.push([t, s]);
    this.base = base;
    if (cap !== this.cap) {
      this.cap = cap;
      this.sizes = new Float64Array(cap);
    } else {
      this.sizes.fill(0);
    }
    this.overflow.clear();
    this.overflowSorted = null;
    this.windowLevels = 0;
    this.bestTicks = NONE;
    for (const [t, s] of levels) {
      const i = t - base;
      if (i >= 0 && i < cap) {
        this.sizes[i] = s;
        this.windowLevels++;
      } else {
        this.overflow.set(t, s);
      }
      if (this.bestTicks === NONE || this.better(t, this.bestTicks)) this.bestTicks = t;
    }
  }

  private sortedOverflow(): number[] {
    if (this.overflowSorted === null) {
      const keys = [...this.overflow.keys()];
      keys.sort(this.descending ? (a, b) => b - a : (a, b) => a - b);
      this.overflowSorted = keys;
    }
    return this.overflowSorted;
  }
}

function nextPow2(n: number): number {
  if (!(n >= 1) || !Number.isFinite(n)) throw new InvalidValueError(`ladder window ${n} must be >= 1`);
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
