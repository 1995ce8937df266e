import type { OrderRequest } from "../core/types.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";

/**
 * What the backtest reports work out from the fills once a run has ended (STRATEGIES.md 1.4 and
 * 2.4): exposure left unhedged between fills, and each fill's price split into the mid and touch
 * of the book its order was priced from. Nothing here runs per tick: the venue below records one
 * book reading per order sent, the rest reads the stored fills at the end.
 */

/** The book an order was priced from, read when the engine sent it. */
export interface OrderTouch {
  /** the touch on the order's side as a taker sees it: the best ask for a buy, the best bid for a sell */
  readonly touch: number;
  readonly mid: number;
}

/**
 * A simulated venue that keeps, for every order sent to it, the touch and mid of the order's
 * book at the moment of sending (by client order id). The engine prices an order from that book
 * at that moment, so this is the book of the decision the fill answers. Everything else is the
 * SimVenue's own behaviour.
 */
export class TouchRecordingSimVenue extends SimVenue {
  readonly touches = new Map<string, OrderTouch>();

  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    const t = this.touchOf(order.symbol, order.side);
    if (t !== undefined) this.touches.set(order.clientOrderId, t);
    return super.submit(order);
  }

  private touchOf(symbol: string, side: "buy" | "sell"): OrderTouch | undefined {
    // an unknown symbol: nothing to read, the venue refuses the order as usual
    if (!this.instruments().some((i) => i.symbol === symbol)) return undefined;
    const inst = this.instrument(symbol);
    const book = this.book(symbol);
    const bid = book.bestBidTicks();
    const ask = book.bestAskTicks();
    if (bid === undefined || ask === undefined) return undefined;
    const b = inst.priceValue(bid);
    const a = inst.priceValue(ask);
    return { touch: side === "buy" ? a : b, mid: (a + b) / 2 };
  }
}

/** One fill in base units and USD per base unit. */
export interface FillRow {
  readonly venue: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly ts: number;
}

export interface Unhedged {
  /** time during which some base was held long and short in unequal amounts */
  readonly ms: number;
  /** the largest unhedged USD at any instant (after that instant's fills) */
  readonly maxUsd: number;
  /** unhedged USD x seconds: the exposure integrated over the time it was held */
  readonly usdSeconds: number;
  readonly maxBaseUnits: Record<string, number>;
}

/**
 * Net base exposure over time from fills: every fill of one instant is applied together (two
 * legs filled at once were never apart), then the exposure holds until the next instant. Returns
 * how long any base was unhedged, the largest USD exposure and USD x seconds; each base's USD is
 * its net units at its last fill price. Exposure after the last fill is not counted (a run's
 * report has closed everything by then, or says what is still open).
 */
export function unhedged(
  fills: readonly FillRow[],
  baseOf: (venue: string, symbol: string) => string,
): Unhedged {
  const sorted = [...fills].sort((a, b) => a.ts - b.ts);
  const net = new Map<string, number>();
  const px = new Map<string, number>();
  const maxBaseUnits: Record<string, number> = {};
  let ms = 0;
  let maxUsd = 0;
  let usdSeconds = 0;
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i];
    const b = baseOf(f.venue, f.symbol);
    net.set(b, (net.get(b) ?? 0) + (f.side === "buy" ? f.qty : -f.qty));
    px.set(b, f.price);
    const next = sorted[i + 1];
    if (next !== undefined && next.ts === f.ts) continue;
    let usd = 0;
    for (const [base, n] of net) {
      // below a billionth of a unit is float dust of equal fills, not exposure
      const x = Math.abs(n) < 1e-9 ? 0 : Math.abs(n);
      maxBaseUnits[base] = Math.max(maxBaseUnits[base] ?? 0, x);
      usd += x * (px.get(base) ?? 0);
    }
    maxUsd = Math.max(maxUsd, usd);
    if (next !== undefined && usd > 0) {
      ms += next.ts - f.ts;
      usdSeconds += (usd * (next.ts - f.ts)) / 1000;
    }
  }
  return { ms, maxUsd, usdSeconds, maxBaseUnits };
}

/**
 * A fill's cash flow (`+price x qty` for a sell, `-price x qty` for a buy) in three parts, from
 * the book its order was priced from:
 * - `atMidUsd`: the same quantity traded at that book's mid;
 * - `spreadUsd`: the touch's distance from the mid x qty (the half spread a taker crosses; > 0 a cost);
 * - `slippageUsd`: how much worse than that touch the fill was x qty (buy: price - ask, sell:
 *   bid - price; > 0 a cost, < 0 a better price, as a maker fill inside the spread gets).
 * `cash = atMid - spread - slippage` exactly. Without a book reading the fill is all `atMid`.
 */
export function priceParts(
  side: "buy" | "sell",
  qty: number,
  price: number,
  at: OrderTouch | undefined,
): { atMidUsd: number; spreadUsd: number; slippageUsd: number } {
  const s = side === "sell" ? 1 : -1;
  if (at === undefined) return { atMidUsd: s * price * qty, spreadUsd: 0, slippageUsd: 0 };
  return {
    atMidUsd: s * at.mid * qty,
    spreadUsd: s * (at.mid - at.touch) * qty,
    slippageUsd: s * (at.touch - price) * qty,
  };
}
