import type { BookView } from "../../core/market.ts";
import type { Side } from "../../core/types.ts";

/**
 * The hedged maker's decisions as pure functions (STRATEGIES.md 3.3). Sizes in base units are
 * floats here because A and B have different lot grids; each answer is rounded onto one venue's
 * grid by the caller.
 */

/** size below which two base-unit amounts are the same (float noise of lot arithmetic) */
export const EPS = 1e-9;

/**
 * B's executable price for `size` base units taken on `side` (a sell hedge walks B's bids, a buy
 * its asks): the VWAP of the levels it would consume, in B's ticks (float). Undefined: B's book
 * does not hold that much.
 */
export function executableTicks(book: BookView, side: Side, size: number): number | undefined {
  if (!(size > 0)) return undefined;
  let left = size;
  let cost = 0;
  book.walk(side === "sell" ? "bid" : "ask", (ticks, levelSize) => {
    const take = Math.min(left, levelSize);
    cost += take * ticks;
    left -= take;
    return left > EPS;
  });
  return left > EPS ? undefined : cost / size;
}

/**
 * The highest buy (lowest sell) price on A that still leaves `minProfitBps` after fees when the
 * fill is hedged at B's executable price `hedgePx`: buy A at p, sell B at h → h(1 - fB) - p(1 + fA)
 * >= p x minProfit, so p <= h(1 - fB) / (1 + fA + minProfit); the sell mirrored.
 */
export function breakEvenQuote(
  side: Side,
  hedgePx: number,
  makerFeeBpsA: number,
  takerFeeBpsB: number,
  minProfitBps: number,
): number {
  const fA = makerFeeBpsA / 10_000;
  const fB = takerFeeBpsB / 10_000;
  const m = minProfitBps / 10_000;
  return side === "buy" ? (hedgePx * (1 - fB)) / (1 + fA + m) : (hedgePx * (1 + fB)) / (1 - fA - m);
}

/** The quote's A price in ticks: post-only one tick inside A's touch, no better than break-even. */
export function quoteTicks(side: Side, bidA: number, askA: number, capTicks: number): number | undefined {
  const p = side === "buy" ? Math.min(askA - 1, capTicks) : Math.max(bidA + 1, capTicks);
  return p >= 1 ? p : undefined;
}

export type Phase = "buy" | "sell" | "done";

export interface PhaseState {
  readonly phase: Phase;
  /** cycles finished (a cycle is a buy phase then a sell phase) */
  readonly cyclesDone: number;
}

/**
 * The phase after A's position `posA` (base units): buy up to `+maxPos`, then sell down to
 * `-maxPos`; the last of `cycles` sells only to flat and ends. The target the quote works toward
 * is returned with it.
 */
export function nextPhase(
  s: PhaseState,
  posA: number,
  maxPos: number,
  cycles: number | null,
): PhaseState & { readonly target: number } {
  const last = cycles !== null && s.cyclesDone >= cycles - 1;
  if (s.phase === "done") return { ...s, target: 0 };
  if (s.phase === "buy") {
    if (posA >= maxPos - EPS)
      return nextPhase({ phase: "sell", cyclesDone: s.cyclesDone }, posA, maxPos, cycles);
    return { ...s, target: maxPos };
  }
  const target = last ? 0 : -maxPos;
  if (posA <= target + EPS) {
    const cyclesDone = s.cyclesDone + 1;
    if (cycles !== null && cyclesDone >= cycles) return { phase: "done", cyclesDone, target: 0 };
    return { phase: "buy", cyclesDone, target: maxPos };
  }
  return { ...s, target };
}

/**
 * The hedge for an unhedged delta `delta` (A + B, base units): its side on B and its lots on B's
 * grid, rounded down; zero while the amount is below B's minimum (one lot and the minimum
 * notional at `markB`): the remainder waits for more fills (Hummingbot #6055).
 */
export function hedgeOrder(
  delta: number,
  lotB: number,
  minNotionalB: number,
  markB: number,
): { readonly side: Side; readonly lots: number } {
  const side: Side = delta > 0 ? "sell" : "buy";
  const lots = Math.floor(Math.abs(delta) / lotB + EPS);
  if (lots < 1 || lots * lotB * markB < minNotionalB) return { side, lots: 0 };
  return { side, lots };
}

/**
 * Whether a quote of `size` may rest: with the quote counted as filled and not hedged, the
 * unhedged delta must stay within `maxUnhedgedUsd` (exposure bounded at all times).
 */
export function quoteFits(
  delta: number,
  side: Side,
  size: number,
  mark: number,
  maxUnhedgedUsd: number,
): boolean {
  const after = delta + (side === "buy" ? size : -size);
  return Math.max(Math.abs(after), Math.abs(delta)) * mark <= maxUnhedgedUsd + EPS;
}
