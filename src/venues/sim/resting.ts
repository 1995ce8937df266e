import type { OrderState } from "./state.ts";

/**
 * The simulated accounts' resting orders on one symbol, in price-time priority. They are not
 * part of the market book (the feed owns that); they fill when the market trades at or through
 * their price or the market book crosses them.
 */
export class RestingOrders {
  /** best (highest) price first, then oldest */
  readonly bids: OrderState[] = [];
  /** best (lowest) price first, then oldest */
  readonly asks: OrderState[] = [];

  get size(): number {
    return this.bids.length + this.asks.length;
  }

  add(o: OrderState): void {
    const list = o.side === "buy" ? this.bids : this.asks;
    const better = o.side === "buy" ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    // binary search for the first order this one ranks ahead of (strictly better price)
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = list[mid];
      if (better(o.priceTicks, m.priceTicks) || (o.priceTicks === m.priceTicks && o.seq < m.seq)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(lo, 0, o);
  }

  remove(o: OrderState): void {
    const list = o.side === "buy" ? this.bids : this.asks;
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
  }

  /** Buy orders priced at or above `ticks`, best first (a copy: fills remove orders). */
  bidsAtOrAbove(ticks: number): OrderState[] {
    const out: OrderState[] = [];
    for (const o of this.bids) {
      if (o.priceTicks < ticks) break;
      out.push(o);
    }
    return out;
  }

  /** Sell orders priced at or below `ticks`, best first (a copy). */
  asksAtOrBelow(ticks: number): OrderState[] {
    const out: OrderState[] = [];
    for (const o of this.asks) {
      if (o.priceTicks > ticks) break;
      out.push(o);
    }
    return out;
  }
}
