import type { CloseReason } from "../contract.ts";
import type { ScalpConfig } from "./config.ts";

/**
 * The exit rules of STRATEGIES.md section 2.1 as pure functions: `net_bps` of a held position at
 * executable exit prices, and the first matching rule. No clock, no venue: the caller passes
 * what the views show.
 */

/** One leg of a held scalp, in base units and USD per unit (contract multiplier applied). */
export interface ScalpLeg {
  readonly venue: string;
  readonly symbol: string;
  /** base units per contract of the listing */
  readonly multiplier: number;
  /** base units held (> 0) */
  readonly qty: number;
  /** average entry price per base unit */
  readonly entryPrice: number;
  /** taker fee of the instrument, a fraction */
  readonly takerFee: number;
}

/**
 * `net_bps = (sum of leg PnL at executable exit prices - fees paid - projected exit fees) / one
 * leg's entry notional x 1e4`. The long leg exits by selling at `longBid`, the short by buying at
 * `shortAsk`; projected exit fees are each leg's taker fee on its exit notional.
 */
export function netBps(
  long: ScalpLeg,
  short: ScalpLeg,
  feesPaidUsd: number,
  longBid: number,
  shortAsk: number,
): number {
  const pnl = long.qty * (longBid - long.entryPrice) + short.qty * (short.entryPrice - shortAsk);
  const exitFees = long.qty * longBid * long.takerFee + short.qty * shortAsk * short.takerFee;
  return ((pnl - feesPaidUsd - exitFees) / (long.qty * long.entryPrice)) * 10_000;
}

/** The spread captured at the fills, net of the entry fees paid, bps of the pair's mid. */
export function entryEdgeBps(long: ScalpLeg, short: ScalpLeg, feesPaidUsd: number): number {
  const q = Math.min(long.qty, short.qty);
  const mid = (long.entryPrice + short.entryPrice) / 2;
  return (((short.entryPrice - long.entryPrice) * q - feesPaidUsd) / (mid * q)) * 10_000;
}

export interface ExitInput {
  readonly now: number;
  /** persisted entry time (ms): a restart does not reset the hold clock */
  readonly openedAt: number;
  readonly netBps: number;
  /** highest net_bps seen, this update included */
  readonly peakBps: number;
  readonly entryEdgeBps: number;
  /** smaller of the two legs' liquidation distances; Infinity when the venue reports none */
  readonly liqDistance: number;
  /** older of the two legs' book ages (ms) */
  readonly bboAgeMs: number;
}

export type ExitDecision =
  | { readonly kind: "hold" }
  /** a leg's book is too old to decide on: nothing is decided until it is fresh, or the limit */
  | { readonly kind: "defer" }
  | { readonly kind: "close"; readonly reason: CloseReason; readonly detail: string };

const HOLD: ExitDecision = { kind: "hold" };
const DEFER: ExitDecision = { kind: "defer" };

/**
 * First match wins: (0) stale book: no decision, past `stale_close_s` close `stale_data`;
 * (1) liquidation distance below `liquidation_close_pct` (`liquidation_guard`); (2) `net_bps <
 * -stop_loss_bps` (`stop_loss`); (3) `net_bps >= take_profit_pct x |entry_edge_bps|` and `>=
 * min_profit_bps` (`take_profit`); (4) peak at least `trailing_arm_bps` and `peak - net_bps >=
 * trailing_giveback_pct x peak` (`trailing_stop`); (5) hold at least `max_hold_hours`
 * (`time_limit`). The liquidation guard and the time limit do not need a fresh book.
 */
export function decideExit(c: ScalpConfig, x: ExitInput): ExitDecision {
  const fresh = x.bboAgeMs <= c.max_bbo_age_ms;
  if (x.liqDistance < c.liquidation_close_pct)
    return close("liquidation_guard", `liquidation distance ${(x.liqDistance * 100).toFixed(1)} %`);
  if (!fresh) {
    if (x.bboAgeMs > c.stale_close_s * 1000)
      return close("stale_data", `book ${(x.bboAgeMs / 1000).toFixed(1)} s old`);
    if (x.now - x.openedAt >= c.max_hold_hours * 3_600_000) return close("time_limit", "max hold");
    return DEFER;
  }
  if (x.netBps < -c.stop_loss_bps) return close("stop_loss", `net ${x.netBps.toFixed(1)} bps`);
  if (x.netBps >= c.take_profit_pct * Math.abs(x.entryEdgeBps) && x.netBps >= c.min_profit_bps)
    return close("take_profit", `net ${x.netBps.toFixed(1)} bps`);
  if (x.peakBps >= c.trailing_arm_bps && x.peakBps - x.netBps >= c.trailing_giveback_pct * x.peakBps)
    return close("trailing_stop", `net ${x.netBps.toFixed(1)} bps from a peak of ${x.peakBps.toFixed(1)}`);
  if (x.now - x.openedAt >= c.max_hold_hours * 3_600_000)
    return close("time_limit", `held ${((x.now - x.openedAt) / 60_000).toFixed(1)} min`);
  return HOLD;
}

function close(reason: CloseReason, detail: string): ExitDecision {
  return { kind: "close", reason, detail };
}

/** Liquidation distance of a leg: long `(mark - liq)/mark`, short `(liq - mark)/mark`. */
export function liquidationDistance(side: "long" | "short", mark: number, liq: number | null): number {
  if (liq === null || !(liq > 0) || !(mark > 0)) return Number.POSITIVE_INFINITY;
  return side === "long" ? (mark - liq) / mark : (liq - mark) / mark;
}
