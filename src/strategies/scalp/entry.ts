import type { ScalpConfig } from "./config.ts";

/**
 * The entry decision of STRATEGIES.md section 2.1 as pure functions over plain numbers: the edge
 * of a venue pair from both touches net of taker fees, the ten gates in their order, sizing and
 * the IOC allowance. Called on every book update, so nothing here allocates: results go into a
 * caller-owned scratch object, and the mid history is a fixed ring of typed arrays.
 */

/** One leg's touch in USD per unit of the base (contract multiplier applied). */
export interface Touch {
  bid: number;
  ask: number;
  /** base units resting at the touch */
  bidSize: number;
  askSize: number;
  /** time of the book update the touch was read from (ms) */
  ts: number;
  /** taker fee as a fraction (4.5 bps = 0.00045), from the instrument's fee schedule */
  takerFee: number;
}

export function emptyTouch(): Touch {
  return { bid: Number.NaN, ask: Number.NaN, bidSize: 0, askSize: 0, ts: 0, takerFee: 0 };
}

/** Edge of one pair: `dir` 1 buys leg a and sells leg b, -1 the opposite. */
export interface Edge {
  mid: number;
  /** buy a / sell b, bps net of both taker fees */
  e1: number;
  /** sell a / buy b */
  e2: number;
  /** max(e1, e2) - slippage_bps_buffer */
  edge: number;
  dir: 1 | -1;
}

export function emptyEdge(): Edge {
  return { mid: Number.NaN, e1: Number.NaN, e2: Number.NaN, edge: Number.NaN, dir: 1 };
}

/**
 * `mid = (b1+a1+b2+a2)/4`; `e1 = (b2(1-f2) - a1(1+f1))/mid x 1e4`; `e2 = (b1(1-f1) - a2(1+f2))/mid
 * x 1e4`; `edge = max(e1, e2) - buffer` (STRATEGIES.md 2.1). NaN when a side is empty.
 */
export function computeEdge(a: Touch, b: Touch, bufferBps: number, out: Edge): Edge {
  const mid = (a.bid + a.ask + b.bid + b.ask) / 4;
  out.mid = mid;
  out.e1 = ((b.bid * (1 - b.takerFee) - a.ask * (1 + a.takerFee)) / mid) * 10_000;
  out.e2 = ((a.bid * (1 - a.takerFee) - b.ask * (1 + b.takerFee)) / mid) * 10_000;
  out.dir = out.e1 >= out.e2 ? 1 : -1;
  out.edge = Math.max(out.e1, out.e2) - bufferBps;
  return out;
}

/** Touch spread in bps of the ask (gate 7 is `(ask - bid)/ask`). */
export function spreadBps(t: Touch): number {
  return ((t.ask - t.bid) / t.ask) * 10_000;
}

// ---- mid history: volatility (gate 1) and momentum (gate 6) --------------------------------------

const WINDOW_MS = 5_000;
const MOMENTUM_WINDOW_MS = 1_000;
/** samples closer than this replace the previous one: bounds the ring at ~500 per window */
const MIN_SAMPLE_GAP_MS = 10;

/** Pair mids of the last 5 s in a fixed ring (no allocation per update). */
export class MidHistory {
  private readonly ts: Float64Array;
  private readonly mid: Float64Array;
  private head = 0;
  private size = 0;
  constructor(capacity = 1024) {
    this.ts = new Float64Array(capacity);
    this.mid = new Float64Array(capacity);
  }

  push(ts: number, mid: number): void {
    if (!Number.isFinite(mid)) return;
    const cap = this.ts.length;
    if (this.size > 0) {
      const last = (this.head - 1 + cap) % cap;
      if (ts - this.ts[last] < MIN_SAMPLE_GAP_MS) {
        this.mid[last] = mid;
        return;
      }
    }
    this.ts[this.head] = ts;
    this.mid[this.head] = mid;
    this.head = (this.head + 1) % cap;
    if (this.size < cap) this.size++;
  }

  /** drop samples older than the window before `now` */
  private trim(now: number): void {
    const cap = this.ts.length;
    while (this.size > 0) {
      const first = (this.head - this.size + cap) % cap;
      if (this.ts[first] >= now - WINDOW_MS) break;
      this.size--;
    }
  }

  /** (max - min)/min of the window's mids, bps; 0 with fewer than two samples */
  rangeBps(now: number): number {
    this.trim(now);
    if (this.size < 2) return 0;
    const cap = this.ts.length;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0, j = (this.head - this.size + cap) % cap; i < this.size; i++, j = (j + 1) % cap) {
      const m = this.mid[j];
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
    return ((hi - lo) / lo) * 10_000;
  }

  /**
   * |last - first| / first / seconds over the last second, bps per second; 0 unless that second
   * holds at least 5 samples spanning more than 0.1 s (a burst at one instant is not a trend).
   * The 5 s window would dilute a fast move below anything the range gate lets through.
   */
  momentumBpsPerS(now: number): number {
    this.trim(now);
    const cap = this.ts.length;
    const last = (this.head - 1 + cap) % cap;
    let n = 0;
    let first = last;
    for (let i = 0, j = last; i < this.size; i++, j = (j - 1 + cap) % cap) {
      if (this.ts[j] < now - MOMENTUM_WINDOW_MS) break;
      first = j;
      n++;
    }
    if (n < 5) return 0;
    const dt = (this.ts[last] - this.ts[first]) / 1000;
    if (!(dt > 0.1)) return 0;
    return ((Math.abs(this.mid[last] - this.mid[first]) / this.mid[first]) * 10_000) / dt;
  }

  get samples(): number {
    return this.size;
  }
}

// ---- gates -------------------------------------------------------------------------------------

/** Every reason an entry is refused, as counted in view() and the backtest report. */
export const REJECTIONS = [
  "no_book",
  "trade_gap",
  "volatility",
  "below_entry",
  "suspicious_edge",
  "unconfirmed",
  "stale_bbo",
  "cooldown",
  "held_symbol",
  "bad_symbol",
  "momentum",
  "wide_spread",
  "spread_cost",
  "insufficient_depth",
  "edge_decay",
  "no_allocation",
  "leverage_pending",
  "leverage_refused",
] as const;
export type Rejection = (typeof REJECTIONS)[number];

export const MOMENTUM_MAX_BPS_PER_S = 100;
/** a 5 s range above this raises the entry floor by half (gate 2) */
export const VOLATILE_RANGE_BPS = 25;

/** What the gates read besides the touches and the edge. */
export interface GateInput {
  now: number;
  /** the last entry of this instance (ms); -Infinity: none */
  lastEntryAt: number;
  rangeBps: number;
  momentumBpsPerS: number;
  /** updates in a row this pair passed gates 1-2, this one included */
  confirms: number;
  /** an open or opening scalp holds the base */
  held: boolean;
  cooldownUntil: number;
  badUntil: number;
  /** notional of the entry (after sizing), USD; <= 0: nothing fits */
  notionalUsd: number;
}

/** Gates 1-2 alone: they decide whether the update counts as a confirmation (gate 3). */
export function edgeInRange(c: ScalpConfig, edge: number, rangeBps: number): boolean {
  const floor = rangeBps > VOLATILE_RANGE_BPS ? c.spread_entry_bps * 1.5 : c.spread_entry_bps;
  return rangeBps <= c.max_volatility_bps && edge >= floor && edge <= c.max_edge_bps;
}

/**
 * Gates 1-9 in STRATEGIES.md order (gate 10, the VWAP check, walks the book: the caller runs it
 * last with `vwapEdgeBps`). Returns the first failing gate's reason, or null.
 */
export function firstRejection(c: ScalpConfig, a: Touch, b: Touch, e: Edge, g: GateInput): Rejection | null {
  if (!(a.bid > 0 && a.ask > 0 && b.bid > 0 && b.ask > 0)) return "no_book";
  if (g.now - g.lastEntryAt < c.min_trade_gap_s * 1000) return "trade_gap";
  if (g.rangeBps > c.max_volatility_bps) return "volatility";
  const floor = g.rangeBps > VOLATILE_RANGE_BPS ? c.spread_entry_bps * 1.5 : c.spread_entry_bps;
  if (!(e.edge >= floor)) return "below_entry";
  if (e.edge > c.max_edge_bps) return "suspicious_edge";
  if (g.confirms < c.required_confirms) return "unconfirmed";
  if (!(g.now - a.ts <= c.max_bbo_age_ms && g.now - b.ts <= c.max_bbo_age_ms)) return "stale_bbo";
  if (g.held) return "held_symbol";
  if (g.now < g.badUntil) return "bad_symbol";
  if (g.now < g.cooldownUntil) return "cooldown";
  if (g.momentumBpsPerS > MOMENTUM_MAX_BPS_PER_S) return "momentum";
  const sa = spreadBps(a);
  const sb = spreadBps(b);
  if (sa > c.max_spread_pct * 10_000 || sb > c.max_spread_pct * 10_000) return "wide_spread";
  if (e.edge < 1.1 * (1.5 * (sa + sb) + exitFeesBps(c, a, b))) return "spread_cost";
  if (!(g.notionalUsd > 0)) return "no_allocation";
  // the taken side: the ask where we buy, the bid where we sell
  const [buy, sell] = e.dir === 1 ? [a, b] : [b, a];
  const need = c.min_depth_multiple * g.notionalUsd;
  if (buy.askSize * buy.ask < need || sell.bidSize * sell.bid < need) return "insufficient_depth";
  return null;
}

/** `exit_fees_bps = max(estimated_exit_fees_bps, (f1 + f2) x 1e4)`: the real schedule is a floor. */
export function exitFeesBps(c: ScalpConfig, a: Touch, b: Touch): number {
  return Math.max(c.estimated_exit_fees_bps, (a.takerFee + b.takerFee) * 10_000);
}

/** Gate 10: the edge at the VWAPs for the quantity keeps `edge_decay_ratio x spread_entry_bps`. */
export function passesDecay(c: ScalpConfig, vwapEdgeBps: number): boolean {
  return vwapEdgeBps >= c.edge_decay_ratio * c.spread_entry_bps;
}

/** The edge of buying at `buyPx` and selling at `sellPx` (VWAPs), net of fees and the buffer. */
export function edgeAt(
  buyPx: number,
  buyFee: number,
  sellPx: number,
  sellFee: number,
  mid: number,
  bufferBps: number,
): number {
  return ((sellPx * (1 - sellFee) - buyPx * (1 + buyFee)) / mid) * 10_000 - bufferBps;
}

// ---- sizing and pricing ------------------------------------------------------------------------

export interface SizingInput {
  /** equity of the instance's account on each venue of the pair */
  equityA: number;
  equityB: number;
  /** open (and opening) scalp notional of the instance, USD */
  openNotionalUsd: number;
}

/**
 * `notional = min(pair venue equities) x alloc_frac_per_trade`, capped at `notional_per_trade_max`,
 * `max_scalp_total_alloc_pct x equity - open` and `max_total_notional_usd - open`; 0 when the
 * result is below `notional_per_trade_min`. `equity` is the pair's two venues together.
 */
export function notionalUsd(c: ScalpConfig, s: SizingInput): number {
  let n = Math.min(s.equityA, s.equityB) * c.alloc_frac_per_trade;
  n = Math.min(
    n,
    c.notional_per_trade_max,
    c.max_scalp_total_alloc_pct * (s.equityA + s.equityB) - s.openNotionalUsd,
    c.max_total_notional_usd - s.openNotionalUsd,
  );
  return n >= c.notional_per_trade_min ? n : 0;
}

/** IOC allowance beyond the touch: `max(min_slippage_bps, min(1.2 x spread_bps, 0.4 x edge))`. */
export function entrySlipBps(c: ScalpConfig, spreadBpsWidest: number, edge: number): number {
  return Math.max(c.min_slippage_bps, Math.min(1.2 * spreadBpsWidest, 0.4 * edge));
}

/** One base quantity on the coarser of two grids (base units per lot), rounded down. */
export function quantityOn(notional: number, price: number, stepA: number, stepB: number): number {
  const step = Math.max(stepA, stepB);
  return Math.floor(notional / price / step + 1e-9) * step;
}
