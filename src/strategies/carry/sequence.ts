import type { GroupOpenOptions, LegFillSummary, MarketView } from "../contract.ts";
import type { CarryConfig } from "./config.ts";
import { edgeAtFillsBps, type Level, type Opportunity, quoteDepthUsd, vwap } from "./entry.ts";
import { quoteOf } from "./market.ts";

/**
 * Which leg of a carry entry goes first (STRATEGIES.md 1.1 "Entry": "thinner or slower leg
 * first"), and the re-pricing between the legs. Pure but for the book the re-pricing reads.
 */

/** A leg's listing (grow.ts LegGrid): venue, symbol and base units per contract. */
interface Grid {
  readonly venue: string;
  readonly symbol: string;
  readonly multiplier: number;
}

/** Base units a side offers within `maxSlippageBps` of its touch, from the levels given. */
export function touchDepth(levels: readonly Level[], side: "buy" | "sell", maxSlippageBps: number): number {
  if (levels.length === 0) return 0;
  const touch = levels[0].price;
  const bound = touch * (1 + ((side === "buy" ? 1 : -1) * maxSlippageBps) / 10_000);
  let depth = 0;
  for (const l of levels) {
    // float noise of the bound is never a level of its own
    if (side === "buy" ? l.price > bound * (1 + 1e-12) : l.price < bound * (1 - 1e-12)) break;
    depth += l.size;
  }
  return depth;
}

/**
 * The leg sent first: the one whose book covers less of `qty` (base units) within
 * `max_slippage_bps` of its touch, from the levels the scan read (the long takes asks, the short
 * bids); when both cover it, the one with less depth in that band. Ties go to the slower venue;
 * no latency figure reaches a strategy (MarketView has none), so a tie goes to the first venue
 * by name.
 */
export function firstLeg(op: Opportunity, qty: number, maxSlippageBps: number): "long" | "short" {
  const long = touchDepth(op.long.asks, "buy", maxSlippageBps);
  const short = touchDepth(op.short.bids, "sell", maxSlippageBps);
  const differ = (a: number, b: number) => Math.abs(a - b) > Math.max(a, b, qty) * 1e-9;
  const coverL = Math.min(long, qty);
  const coverS = Math.min(short, qty);
  if (differ(coverL, coverS)) return coverL < coverS ? "long" : "short";
  if (differ(long, short)) return long < short ? "long" : "short";
  return op.long.venue <= op.short.venue ? "long" : "short";
}

/**
 * The sequence option of a carry entry: the first leg (index 0 is the long, 1 the short), and a
 * `beforeHedge` that re-prices the entry with the first leg's fill and the hedge leg's book now
 * (its VWAP for that quantity, a taker fee): below `edge_decay_ratio` x `detected` the hedge is
 * not sent and the engine unwinds the first leg (`edge_decayed`).
 */
export function entrySequence(
  c: CarryConfig,
  market: MarketView,
  op: Opportunity,
  legs: { readonly long: Grid; readonly short: Grid },
  qty: number,
  detected: number,
): { first: "long" | "short"; sequence: NonNullable<GroupOpenOptions["sequence"]> } {
  const first = firstLeg(op, qty, c.max_slippage_bps);
  const beforeHedge = (f: LegFillSummary): boolean => {
    const firstPair = first === "long" ? legs.long : legs.short;
    const hedge = first === "long" ? legs.short : legs.long;
    const q = market.instrument(f.venue, f.symbol).sizeValue(f.filledLots) * firstPair.multiplier;
    const firstPrice = f.avgPrice / firstPair.multiplier;
    if (!(q > 0) || !(firstPrice > 0)) return false;
    // the quote's volume and mid are not read here (only its levels and fee)
    const now = quoteOf(
      market,
      { ...hedge, base: op.base, volume24hUsd: undefined, unitMid: Number.NaN },
      quoteDepthUsd(c),
    );
    const sizeUsd = q * firstPrice;
    const hedgePrice = vwap(first === "long" ? now.bids : now.asks, sizeUsd);
    if (!Number.isFinite(hedgePrice)) return false;
    const atFills = edgeAtFillsBps(c, op, {
      longPrice: first === "long" ? firstPrice : hedgePrice,
      shortPrice: first === "long" ? hedgePrice : firstPrice,
      feesUsd: f.feesUsd + (sizeUsd * now.takerFeeBps) / 10_000,
      sizeUsd,
    });
    return atFills >= c.edge_decay_ratio * detected;
  };
  return { first, sequence: { first: first === "long" ? 0 : 1, beforeHedge } };
}
