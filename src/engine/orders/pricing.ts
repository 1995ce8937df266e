import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView } from "../../core/market.ts";
import type { Side } from "../../core/types.ts";

/**
 * Pure price and size decisions of the executor: protection prices from the book, and the trims
 * that bring a partially filled hedge back within one lot. No I/O, so every rule is tested alone.
 */

/**
 * The limit of an IOC that may take liquidity up to `maxSlippageBps` beyond the touch. The raw
 * bound is rounded AWAY from the touch (a buy rounds down, a sell up), so the order can never pay
 * more than the slippage allowed; it is never less aggressive than the touch itself, so a small
 * allowance on a coarse tick still reaches the best level. undefined when that side is empty.
 */
export function protectionPriceTicks(
  inst: Instrument,
  book: BookView,
  side: Side,
  maxSlippageBps: number,
): number | undefined {
  if (!(maxSlippageBps >= 0) || !Number.isFinite(maxSlippageBps))
    throw new InvalidValueError(`${inst.key}: maxSlippageBps ${maxSlippageBps} must be a finite number >= 0`);
  const touch = side === "buy" ? book.bestAskTicks() : book.bestBidTicks();
  if (touch === undefined) return undefined;
  const ref = inst.priceValue(touch);
  const factor = side === "buy" ? 1 + maxSlippageBps / 10_000 : 1 - maxSlippageBps / 10_000;
  const raw = ref * factor;
  if (!(raw > 0)) return touch;
  const bound = inst.roundPrice(raw, side, "away_from_touch");
  return side === "buy" ? Math.max(touch, bound) : Math.min(touch, bound);
}

/**
 * The price of a post-only order that joins the best level on its own side (a buy at the best
 * bid, a sell at the best ask): it rests and never crosses. undefined when that side is empty.
 */
export function makerPriceTicks(book: BookView, side: Side): number | undefined {
  return side === "buy" ? book.bestBidTicks() : book.bestAskTicks();
}

/** One leg as the hedge check sees it: its instrument, side and the lots it holds now. */
export interface HedgeLeg {
  readonly legIndex: number;
  readonly inst: Instrument;
  readonly side: Side;
  /** lots the leg holds, >= 0, in the direction of `side` */
  readonly heldLots: number;
}

/** A reduce-only order that removes `lots` from a leg. */
export interface Trim {
  readonly legIndex: number;
  readonly lots: number;
}

/** Base units held long minus short, per underlying (spec.base). */
export function netExposureByBase(legs: readonly HedgeLeg[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const l of legs) {
    const units = l.inst.sizeValue(l.heldLots) * (l.side === "buy" ? 1 : -1);
    net.set(l.inst.spec.base, (net.get(l.inst.spec.base) ?? 0) + units);
  }
  return net;
}

/** The imbalance bound of an underlying: one lot of the coarsest instrument among its legs. */
export function imbalanceBound(legs: readonly HedgeLeg[], base: string): number {
  let bound = 0;
  for (const l of legs) if (l.inst.spec.base === base) bound = Math.max(bound, l.inst.lot.value);
  return bound;
}

/** Bases whose legs have both sides: only those are hedges (a one-sided group is deliberate). */
export function hedgedBases(legs: readonly HedgeLeg[]): Set<string> {
  const sides = new Map<string, Set<Side>>();
  for (const l of legs) {
    const s = sides.get(l.inst.spec.base) ?? new Set<Side>();
    s.add(l.side);
    sides.set(l.inst.spec.base, s);
  }
  return new Set([...sides].filter(([, s]) => s.size === 2).map(([b]) => b));
}

// float noise of summing sizeValue()s, far below any lot
const EPS = 1e-9;

/** Whether every hedged underlying is balanced to within its bound. */
export function isBalanced(legs: readonly HedgeLeg[]): boolean {
  const net = netExposureByBase(legs);
  for (const base of hedgedBases(legs)) {
    const bound = imbalanceBound(legs, base);
    if (Math.abs(net.get(base) ?? 0) > bound * (1 + EPS)) return false;
  }
  return true;
}

/**
 * The trims that flatten each hedged underlying's excess to within one lot: the heavy side gives
 * back what it holds beyond the light side, largest leg first, each trim rounded to the nearest
 * lot of its own instrument (so the residual is at most half a lot of the last leg trimmed) and
 * never more than the leg holds.
 */
export function trimsToBalance(legs: readonly HedgeLeg[]): Trim[] {
  const trims: Trim[] = [];
  const net = netExposureByBase(legs);
  for (const base of hedgedBases(legs)) {
    const bound = imbalanceBound(legs, base);
    let excess = net.get(base) ?? 0;
    if (Math.abs(excess) <= bound * (1 + EPS)) continue;
    const heavy: Side = excess > 0 ? "buy" : "sell";
    const candidates = legs
      .filter((l) => l.inst.spec.base === base && l.side === heavy && l.heldLots > 0)
      .sort((a, b) => b.inst.sizeValue(b.heldLots) - a.inst.sizeValue(a.heldLots) || a.legIndex - b.legIndex);
    for (const l of candidates) {
      const remaining = Math.abs(excess);
      if (remaining <= l.inst.lot.value / 2 + EPS * l.inst.lot.value) break;
      const lots = Math.min(l.heldLots, l.inst.roundSize(remaining, "nearest"));
      if (lots <= 0) continue;
      trims.push({ legIndex: l.legIndex, lots });
      excess -= Math.sign(excess) * l.inst.sizeValue(lots);
    }
  }
  return trims;
}
