import type { CarryConfig } from "./config.ts";
import { per8hBps } from "./funding.ts";

/**
 * The entry decision of STRATEGIES.md section 1.1 (scan steps 1-4 and sizing), as pure
 * functions of what the market view shows. Nothing here reads a clock or a venue.
 */

export interface Level {
  /** USD per base unit */
  readonly price: number;
  /** base units */
  readonly size: number;
}

/** One venue's side of a candidate, in base units (contract multiplier applied). */
export interface VenueQuote {
  readonly venue: string;
  readonly symbol: string;
  /** the rate in force (what the ledger estimates with until the venue settles) */
  readonly ratePerHour: number;
  /**
   * the venue's forecast of the next settlement's rate, per hour, where it publishes one
   * (Hyperliquid `predictedFundings`; the simulator when told): entries rank and gate on it
   */
  readonly predictedRatePerHour?: number;
  /** when the rate was published (ms); 0: never */
  readonly rateTs: number;
  /** best first; at least the five levels the depth gate reads */
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly bboTs: number;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  /** 24 h volume in USD where the venue publishes it */
  readonly volume24hUsd?: number;
}

export type Rejection =
  | "below_threshold"
  | "breakeven_too_long"
  | "stale_rate"
  | "stale_bbo"
  | "no_book"
  | "thin_depth"
  | "wide_spread";

export interface Opportunity {
  readonly base: string;
  readonly long: VenueQuote;
  readonly short: VenueQuote;
  /** |r_A - r_B| per hour */
  readonly yieldPerHour: number;
  readonly yield8hBps: number;
  readonly costBps: number;
  readonly netBps: number;
  readonly breakevenHours: number;
  readonly thresholdBps: number;
  readonly sizeUsd: number;
  /** empty: every gate passed */
  readonly rejections: readonly Rejection[];
  /** yield above sanity_alert_bps: alert, and the size was cut to 0.7 */
  readonly sanityAlert: boolean;
}

/** The rate an entry is decided on: the venue's prediction where it gives one, else the rate in force. */
export function decisionRate(q: VenueQuote): number {
  return q.predictedRatePerHour !== undefined && Number.isFinite(q.predictedRatePerHour)
    ? q.predictedRatePerHour
    : q.ratePerHour;
}

export function mid(q: VenueQuote): number {
  if (q.bids.length === 0 || q.asks.length === 0) return Number.NaN;
  return (q.bids[0].price + q.asks[0].price) / 2;
}

/** Volume-weighted price to trade `usd` of notional against the levels; Infinity when too thin. */
export function vwap(levels: readonly Level[], usd: number): number {
  let left = usd;
  let qty = 0;
  let cost = 0;
  for (const l of levels) {
    const take = Math.min(left, l.price * l.size);
    cost += take;
    qty += take / l.price;
    left -= take;
    if (left <= 1e-9) return cost / qty;
  }
  return Number.POSITIVE_INFINITY;
}

/** Slippage of a market order of `usd` against the touch mid, in bps; Infinity when too thin. */
export function slippageBps(q: VenueQuote, side: "buy" | "sell", usd: number): number {
  const m = mid(q);
  const p = vwap(side === "buy" ? q.asks : q.bids, usd);
  if (!Number.isFinite(p) || !(m > 0)) return Number.POSITIVE_INFINITY;
  return (Math.abs(p - m) / m) * 10_000;
}

/** The threshold of a venue pair (either order), premium for thin markets. */
export function thresholdBps(c: CarryConfig, a: string, b: string, volume24hUsd?: number): number {
  if (volume24hUsd !== undefined && volume24hUsd < c.min_volume_premium_usd) return c.premium_funding_bps;
  // (kept per settings object and venue pair: every evaluation of every scan asks, and the two
  // keys are strings built anew)
  let byA = thresholds.get(c);
  if (byA === undefined) {
    byA = new Map();
    thresholds.set(c, byA);
  }
  let byB = byA.get(a);
  if (byB === undefined) {
    byB = new Map();
    byA.set(a, byB);
  }
  let t = byB.get(b);
  if (t === undefined) {
    t = c.pair_threshold_bps[`${a}-${b}`] ?? c.pair_threshold_bps[`${b}-${a}`] ?? c.min_funding_bps;
    byB.set(b, t);
  }
  return t;
}

/** thresholdBps of a venue pair by settings object (settings are never modified once made) */
const thresholds = new WeakMap<CarryConfig, Map<string, Map<string, number>>>();

/**
 * Cost of a round trip in bps of one leg's notional: entry fees of both legs (maker when the
 * entry is maker-first), exit taker fees of both, twice the slippage at executable depth (in and
 * out), and the buffer. Each fee is counted once (Bruce188 FundingRateArb #642).
 */
export function roundTripCostBps(
  c: CarryConfig,
  long: VenueQuote,
  short: VenueQuote,
  sizeUsd: number,
): number {
  const entryFees = c.maker_entry
    ? long.makerFeeBps + short.makerFeeBps
    : long.takerFeeBps + short.takerFeeBps;
  const exitFees = long.takerFeeBps + short.takerFeeBps;
  const slip = slippageBps(long, "buy", sizeUsd) + slippageBps(short, "sell", sizeUsd);
  return entryFees + exitFees + 2 * slip + c.slippage_bps_buffer;
}

export interface SizingInput {
  /** E: the instance's equity over its venues */
  readonly equityUsd: number;
  /** peak equity seen (for the drawdown multiplier) */
  readonly peakEquityUsd: number;
  /** sizes of the open carry positions, in USD, total and on this base */
  readonly openTotalUsd: number;
  readonly openBaseUsd: number;
  /** free margin on each of the two venues */
  readonly freeMarginUsd: readonly [number, number];
  /** leverage the legs trade at (config, capped at the markets' max) */
  readonly leverage: number;
}

/** Drawdown multiplier: 0.75 / 0.5 / 0.25 at a drawdown from the peak of 2 / 5 / 10 %. */
export function drawdownMultiplier(equity: number, peak: number): number {
  const dd = peak > 0 ? (peak - equity) / peak : 0;
  return dd >= 0.1 ? 0.25 : dd >= 0.05 ? 0.5 : dd >= 0.02 ? 0.75 : 1;
}

/** The share of E one base may hold at a yield (STRATEGIES.md "Sizing", per-base caps). */
export function baseShare(c: CarryConfig, yield8hBps: number): number {
  return yield8hBps >= c.yield_tier1_bps
    ? 0.5
    : yield8hBps >= c.min_funding_bps
      ? c.max_symbol_alloc_pct
      : 0.25;
}

/** size_usd of STRATEGIES.md "Sizing", with every cap; 0 when nothing fits. */
export function sizeUsd(c: CarryConfig, yield8hBps: number, s: SizingInput): number {
  const E = s.equityUsd;
  const clamp = Math.min(1.5, Math.max(0.5, yield8hBps / 100));
  let size =
    E * c.max_carry_total_alloc_pct * c.carry_alloc_pct * clamp * drawdownMultiplier(E, s.peakEquityUsd);
  size = Math.min(size, c.max_position_usd);
  size = Math.min(
    size,
    E * baseShare(c, yield8hBps) - s.openBaseUsd,
    E * c.max_carry_total_alloc_pct - s.openTotalUsd,
  );
  // each leg's margin must fit the free margin of its venue
  size = Math.min(size, s.freeMarginUsd[0] * s.leverage, s.freeMarginUsd[1] * s.leverage);
  return Math.max(size, 0);
}

/** levels a side the depth gate reads */
export const DEPTH_LEVELS = 5;

/** Sum of the first five levels' notional on the thinner side. */
export function depthUsd(q: VenueQuote): number {
  return Math.min(depthOf(q.bids), depthOf(q.asks));
}

function depthOf(ls: readonly Level[]): number {
  let s = 0;
  for (let i = 0; i < ls.length && i < DEPTH_LEVELS; i++) s += ls[i].price * ls[i].size;
  return s;
}

/**
 * How deep into a side (USD of notional) any decision on a quote reads: past the depth gate's
 * levels, only the VWAP at an entry's size (max(size, 1), the size never above
 * max_position_usd: sizeUsd), here with 1 % and $1 to spare so float rounding in vwap's running
 * remainder can never reach a level not read. Levels past that change no decision.
 */
export function quoteDepthUsd(c: CarryConfig): number {
  return Math.max(c.max_position_usd, 1) * 1.01 + 1;
}

/**
 * Evaluate one base on one venue pair: short the higher rate, long the lower (predicted rates
 * where the venues publish them, see decisionRate). `size` is the
 * sizing input, computed from the yield first (the cost depends on the size through slippage).
 */
export function evaluate(
  c: CarryConfig,
  base: string,
  a: VenueQuote,
  b: VenueQuote,
  sizing: SizingInput,
  now: number,
): Opportunity {
  // ranked by predicted funding where a venue publishes it (the next settlement pays that),
  // accounted by the settled payments (funding.ts)
  const ra = decisionRate(a);
  const rb = decisionRate(b);
  const [short, long] = ra >= rb ? [a, b] : [b, a];
  const yieldPerHour = Math.abs(ra - rb);
  const yield8hBps = per8hBps(yieldPerHour);
  const sanityAlert = yield8hBps > c.sanity_alert_bps;
  const size = sizeUsd(c, yield8hBps, sizing) * (sanityAlert ? 0.7 : 1);
  const rejections: Rejection[] = [];
  for (let side = 0; side < 2; side++) {
    const q = side === 0 ? long : short;
    const m = mid(q);
    if (!(m > 0)) {
      rejections.push("no_book");
      continue;
    }
    if (now - q.rateTs > c.max_rate_age_minutes * 60_000) rejections.push("stale_rate");
    if (now - q.bboTs > c.max_bbo_age_ms) rejections.push("stale_bbo");
    if (depthUsd(q) < Math.max(c.min_depth_usd, size)) rejections.push("thin_depth");
    if ((q.asks[0].price - q.bids[0].price) / m > c.max_spread_pct) rejections.push("wide_spread");
  }
  const costBps = roundTripCostBps(c, long, short, Math.max(size, 1));
  const yieldBpsPerHour = yieldPerHour * 10_000;
  const netBps = yieldBpsPerHour * c.hold_min_hours - costBps;
  const breakevenHours = yieldBpsPerHour > 0 ? costBps / yieldBpsPerHour : Number.POSITIVE_INFINITY;
  const lv = long.volume24hUsd;
  const sv = short.volume24hUsd;
  const thr = thresholdBps(
    c,
    long.venue,
    short.venue,
    lv === undefined ? sv : sv === undefined ? lv : Math.min(lv, sv),
  );
  if (!(netBps >= thr)) rejections.push("below_threshold");
  if (!(breakevenHours <= c.max_breakeven_hours)) rejections.push("breakeven_too_long");
  return {
    base,
    long,
    short,
    yieldPerHour,
    yield8hBps,
    costBps,
    netBps,
    breakevenHours,
    thresholdBps: thr,
    sizeUsd: size,
    rejections: distinct(rejections),
    sanityAlert,
  };
}

/** The reasons once each, in their first order (most lists have no repeat: returned as they are). */
function distinct(rs: Rejection[]): Rejection[] {
  for (let i = 1; i < rs.length; i++) if (rs.indexOf(rs[i]) !== i) return [...new Set(rs)];
  return rs;
}

/** Rank: entries by net bps, then lower cost (STRATEGIES.md scan step 5); one per base. */
export function rank(ops: readonly Opportunity[]): Opportunity[] {
  const best = new Map<string, Opportunity>();
  const sorted = [...ops].sort((x, y) => y.netBps - x.netBps || x.costBps - y.costBps);
  for (const o of sorted) if (!best.has(o.base)) best.set(o.base, o);
  return [...best.values()];
}

/**
 * The entry's net edge re-priced at its fills (bps over the horizon): the net planned at the
 * decision, less the slippage and fees the fills cost beyond what the plan counted for the way
 * in. Below `edge_decay_ratio` x the net detected, the entry is unwound (scan.ts).
 */
export function edgeAtFillsBps(
  c: CarryConfig,
  op: Opportunity,
  fills: {
    /** average fill price per base unit of the long and the short */
    readonly longPrice: number;
    readonly shortPrice: number;
    /** fees of both legs' entry orders, USD */
    readonly feesUsd: number;
    /** one leg's filled notional, USD */
    readonly sizeUsd: number;
  },
): number {
  const ml = mid(op.long);
  const ms = mid(op.short);
  const slip = ((fills.longPrice - ml) / ml + (ms - fills.shortPrice) / ms) * 10_000;
  const plannedSlip =
    slippageBps(op.long, "buy", Math.max(op.sizeUsd, 1)) +
    slippageBps(op.short, "sell", Math.max(op.sizeUsd, 1));
  const plannedFees = c.maker_entry
    ? op.long.makerFeeBps + op.short.makerFeeBps
    : op.long.takerFeeBps + op.short.takerFeeBps;
  const fees = fills.sizeUsd > 0 ? (fills.feesUsd / fills.sizeUsd) * 10_000 : plannedFees;
  return op.netBps - (slip - plannedSlip) - (fees - plannedFees);
}

/** A held leg's touch spread above this (bps of mid) means the market is under stress. */
export const STRESS_SPREAD_BPS = 50;

/**
 * Why new entries are sized x 0.5 now (STRATEGIES.md "Sizing": halved under stress), undefined
 * when they are not: a held leg's spread above 50 bps, or fewer than half of at least three
 * entries within the last hour ended hedged.
 */
export function stressWhy(
  heldSpreadsBps: readonly number[],
  entries: readonly { readonly ts: number; readonly hedged: boolean }[],
  now: number,
): string | undefined {
  const wide = Math.max(...heldSpreadsBps, Number.NEGATIVE_INFINITY);
  if (wide > STRESS_SPREAD_BPS) return `a held leg's spread is ${wide.toFixed(1)} bps > ${STRESS_SPREAD_BPS}`;
  const recent = entries.filter((e) => e.ts > now - 3_600_000);
  const hedged = recent.filter((e) => e.hedged).length;
  if (recent.length >= 3 && hedged < recent.length / 2)
    return `${hedged} of ${recent.length} entries in the last hour ended hedged`;
  return undefined;
}
