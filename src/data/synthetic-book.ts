import type { Instrument } from "../core/instrument.ts";
import type { BookLevel } from "../core/market.ts";
import type { Rng } from "../core/random.ts";

/** The shape of one synthetic book side. */
export interface BookShape {
  /** levels per side */
  readonly levels: number;
  /** spacing of levels behind the touch, in ticks, on an absolute grid so a mid move shifts few levels */
  readonly levelStepTicks: number;
  /** mean size at the touch, in base units */
  readonly touchSize: number;
  /** each level further out holds (1 + growth * k) times the touch size on average */
  readonly growthPerLevel: number;
}

/**
 * One side of a synthetic book: parallel arrays of ticks and sizes in walk order (bids
 * descending, asks ascending). Rebuilding around a new touch keeps the size of every price that
 * stays in the book, so the diff against the previous state is small, as on a real feed.
 */
export class SyntheticSide {
  readonly isBid: boolean;
  /** levels in use (fewer than shape.levels only when a bid ladder reaches price 0) */
  count = 0;
  ticks: Float64Array;
  sizes: Float64Array;
  // double buffers, swapped on every full re-lay so a step allocates nothing but its output levels
  private spareTicks: Float64Array;
  private spareSizes: Float64Array;
  private readonly shape: BookShape;
  private readonly lot: number;
  // price = ticks * atoms / 10^decimals, as Instrument.priceValue computes it, with the power cached
  private readonly tickAtoms: number;
  private readonly tickScale: number;
  private readonly lotAtoms: number;
  private readonly lotScale: number;

  constructor(instrument: Instrument, isBid: boolean, shape: BookShape) {
    this.isBid = isBid;
    this.shape = shape;
    this.lot = instrument.lot.value;
    this.tickAtoms = instrument.tick.atoms;
    this.tickScale = 10 ** instrument.tick.decimals;
    this.lotAtoms = instrument.lot.atoms;
    this.lotScale = 10 ** instrument.lot.decimals;
    this.ticks = new Float64Array(shape.levels);
    this.sizes = new Float64Array(shape.levels);
    this.spareTicks = new Float64Array(shape.levels);
    this.spareSizes = new Float64Array(shape.levels);
  }

  /**
   * A size for level k: grows away from the touch, uniform noise in [0.25, 1.75) of the mean
   * (cheaper than lognormal, and the shape of the noise does not matter to any consumer), on the
   * lot grid, at least 1 lot.
   */
  drawSize(rng: Rng, k: number): number {
    const mean = this.shape.touchSize * (1 + this.shape.growthPerLevel * k);
    const raw = mean * (0.25 + 1.5 * rng.next());
    const lots = Math.max(1, Math.round(raw / this.lot));
    return (lots * this.lotAtoms) / this.lotScale;
  }

  /**
   * Re-lay the side behind a new best price. Returns the levels that changed as feed levels
   * (removed ones with size 0), appended to `out`.
   */
  relay(best: number, rng: Rng, out: BookLevel[]): void {
    const step = this.shape.levelStepTicks;
    const n = this.shape.levels;
    const gridStart = this.isBid ? Math.floor((best - 1) / step) * step : Math.ceil((best + 1) / step) * step;
    if (this.count > 1 && this.ticks[1] === gridStart) {
      // Common case: the touch moved within one grid step; only the touch level changes.
      out.push({ price: this.price(this.ticks[0]), size: 0 });
      this.ticks[0] = best;
      this.sizes[0] = this.drawSize(rng, 0);
      out.push({ price: this.price(best), size: this.sizes[0] });
      return;
    }
    const newTicks = this.spareTicks;
    const newSizes = this.spareSizes;
    const dir = this.isBid ? -1 : 1;
    newTicks[0] = best;
    let m = 1;
    for (let t = gridStart; m < n && t > 0; t += dir * step) newTicks[m++] = t;
    // Merge old and new (both in walk order): keep sizes of surviving prices, report the rest.
    const oldTicks = this.ticks;
    const oldSizes = this.sizes;
    const oldCount = this.count;
    let i = 0;
    let j = 0;
    while (i < oldCount || j < m) {
      if (j >= m || (i < oldCount && (oldTicks[i] - newTicks[j]) * dir < 0)) {
        out.push({ price: this.price(oldTicks[i]), size: 0 });
        i++;
      } else if (i >= oldCount || (oldTicks[i] - newTicks[j]) * dir > 0) {
        newSizes[j] = this.drawSize(rng, j);
        out.push({ price: this.price(newTicks[j]), size: newSizes[j] });
        j++;
      } else {
        // a price kept: so are the ones after it while both lists run on the same grid
        do {
          newSizes[j] = oldSizes[i];
          i++;
          j++;
        } while (i < oldCount && j < m && oldTicks[i] === newTicks[j]);
      }
    }
    this.spareTicks = oldTicks;
    this.spareSizes = oldSizes;
    this.ticks = newTicks;
    this.sizes = newSizes;
    this.count = m;
  }

  /** Redraw the size of level k (queue churn without a price move); appends the change. */
  churn(k: number, rng: Rng, out: BookLevel[]): void {
    if (k >= this.count) return;
    const size = this.drawSize(rng, k);
    if (size === this.sizes[k]) return;
    this.sizes[k] = size;
    out.push({ price: this.price(this.ticks[k]), size });
  }

  /** every level, for a snapshot */
  levels(): BookLevel[] {
    const out: BookLevel[] = new Array(this.count);
    for (let k = 0; k < this.count; k++) {
      out[k] = { price: this.price(this.ticks[k]), size: this.sizes[k] };
    }
    return out;
  }

  /** float price of `ticks`, exactly the decimal the venue would print */
  price(ticks: number): number {
    return (ticks * this.tickAtoms) / this.tickScale;
  }

  best(): number | undefined {
    return this.count > 0 ? this.ticks[0] : undefined;
  }
}
