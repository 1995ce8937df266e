import type { CarryConfig } from "./config.ts";
import { baseShare, type Opportunity } from "./entry.ts";
import { mtmBps } from "./exits.ts";

/**
 * Scale-up, scale-down and optimisation (STRATEGIES.md section 1.1, scan step 5 and
 * "Scale-up"), as pure functions of what a scan or a check knows. Nothing here reads a clock or
 * a venue; the caller (grow.ts) opens or closes the groups.
 */

const HOUR = 3_600_000;
/** a scale-up needs a re-evaluated net of at least max(this, thr / 2) */
export const SCALE_UP_MIN_NET_BPS = 50;
/** the position stops growing at this multiple of its entry size */
export const SCALE_UP_MAX_MULTIPLE = 2.85;
/** no scale-up while the MTM is below this (bps of size) */
export const SCALE_UP_MIN_MTM_BPS = -30;
/** a slice smaller than this is not worth its fees */
export const SCALE_UP_MIN_SLICE_USD = 10;
export const SCALE_UP_MIN_AGE_MS = HOUR;

/** The yield a scaled position must keep: entry x 0.85 (entry >= 100), x 0.90 (>= 75), else x 1. */
export function keepYieldFloorBps(entryYieldBps: number): number {
  const f = entryYieldBps >= 100 ? 0.85 : entryYieldBps >= 75 ? 0.9 : 1;
  return entryYieldBps * f;
}

/** What a scale-up decision reads of the position. */
export interface ScaleablePosition {
  readonly openedAt: number;
  readonly entryYieldBps: number;
  readonly sizeUsd: number;
  readonly initialSizeUsd: number;
  readonly scaleUps: number;
  readonly slices: readonly unknown[];
  readonly lastScaleAt: number;
  readonly lastMtmUsd: number;
}

export interface ScaleUpContext {
  readonly now: number;
  /** E: the instance's equity over its venues */
  readonly equityUsd: number;
  /** open carry size, total and on this base (USD, one leg's notional) */
  readonly openTotalUsd: number;
  readonly openBaseUsd: number;
  /** other positions holding a scale-up now (max_pairs_with_scaleup) */
  readonly othersScaledUp: number;
  readonly freeMarginUsd: readonly [number, number];
  readonly leverage: number;
}

export type ScaleUpDecision =
  | { readonly ok: true; readonly sliceUsd: number }
  | { readonly ok: false; readonly why: ScaleUpRefusal };

export type ScaleUpRefusal =
  | "gates"
  | "net_below_scale_up_threshold"
  | "yield_decayed"
  | "first_needs_profit"
  | "mtm_too_low"
  | "too_young"
  | "cooldown"
  | "max_scale_ups"
  | "max_pairs_with_scaleup"
  | "max_multiple"
  | "slice_too_small";

/**
 * Whether a held position may take one more slice now, and its size: the opportunity is the
 * position's own direction re-evaluated this scan (every entry gate but the threshold and the
 * allocation still applies).
 */
export function decideScaleUp(
  c: CarryConfig,
  p: ScaleablePosition,
  op: Opportunity,
  x: ScaleUpContext,
): ScaleUpDecision {
  const no = (why: ScaleUpRefusal): ScaleUpDecision => ({ ok: false, why });
  if (op.rejections.some((r) => r !== "below_threshold")) return no("gates");
  if (op.netBps < Math.max(SCALE_UP_MIN_NET_BPS, op.thresholdBps / 2))
    return no("net_below_scale_up_threshold");
  if (op.yield8hBps < keepYieldFloorBps(p.entryYieldBps)) return no("yield_decayed");
  if (p.slices.length === 0 && !(p.lastMtmUsd > 0)) return no("first_needs_profit");
  if (mtmBps(p.lastMtmUsd, p.sizeUsd) < SCALE_UP_MIN_MTM_BPS) return no("mtm_too_low");
  if (x.now - p.openedAt < SCALE_UP_MIN_AGE_MS) return no("too_young");
  if (p.lastScaleAt > 0 && x.now - p.lastScaleAt < c.scale_up_cooldown_s * 1000) return no("cooldown");
  if (p.scaleUps >= c.max_scale_ups) return no("max_scale_ups");
  if (p.slices.length === 0 && x.othersScaledUp >= c.max_pairs_with_scaleup)
    return no("max_pairs_with_scaleup");
  const maxTotal = SCALE_UP_MAX_MULTIPLE * p.initialSizeUsd;
  if (!(p.sizeUsd < maxTotal)) return no("max_multiple");
  const E = x.equityUsd;
  const slice = Math.min(
    E * c.max_carry_total_alloc_pct * c.scale_up_slice_pct,
    maxTotal - p.sizeUsd,
    c.max_position_usd - p.sizeUsd,
    E * baseShare(c, op.yield8hBps) - x.openBaseUsd,
    E * c.max_carry_total_alloc_pct - x.openTotalUsd,
    x.freeMarginUsd[0] * x.leverage,
    x.freeMarginUsd[1] * x.leverage,
  );
  if (!(slice >= SCALE_UP_MIN_SLICE_USD)) return no("slice_too_small");
  return { ok: true, sliceUsd: slice };
}

/**
 * What decideScaleUp reads of a position at `now`, as one string: equal strings (with the same
 * opportunity and context) give the same decision. The clock and the MTM enter only through its
 * comparisons, so those are given as the comparisons' outcomes (scan-repeat.ts compares scans by
 * this; keep it in step with decideScaleUp).
 */
export function scaleUpInputs(c: CarryConfig, p: ScaleablePosition, now: number): string {
  return `${scaleUpStateInputs(p)}/${scaleUpTimedInputs(c, p, now)}`;
}

/** scaleUpInputs' first part: the position's own figures (the refusals of OPPORTUNITY_REFUSALS read only these). */
export function scaleUpStateInputs(p: ScaleablePosition): string {
  return scaleUpState(p).join("/");
}

/** What scaleUpStateInputs writes, as values (equal values: the same text). */
export function scaleUpState(p: ScaleablePosition): readonly number[] {
  return [p.entryYieldBps, p.sizeUsd, p.initialSizeUsd, p.scaleUps, p.slices.length];
}

/** scaleUpInputs' second part: what moves with the clock and the MTM (young, cooling, profit, low). */
export function scaleUpTimedInputs(c: CarryConfig, p: ScaleablePosition, now: number): string {
  const young = now - p.openedAt < SCALE_UP_MIN_AGE_MS;
  const cooling = p.lastScaleAt > 0 && now - p.lastScaleAt < c.scale_up_cooldown_s * 1000;
  const profit = p.lastMtmUsd > 0;
  const low = mtmBps(p.lastMtmUsd, p.sizeUsd) < SCALE_UP_MIN_MTM_BPS;
  return `${+young}/${+cooling}/${+profit}/${+low}`;
}

/**
 * The refusals decideScaleUp gives before it reads the MTM or the clock: from the opportunity
 * and the entry yield alone (keep in step with decideScaleUp's order).
 */
export const OPPORTUNITY_REFUSALS: ReadonlySet<ScaleUpRefusal> = new Set([
  "gates",
  "net_below_scale_up_threshold",
  "yield_decayed",
]);

/**
 * Why a scaled position should give back its newest slice now (undefined: it should not): the
 * yield that justified the slices no longer holds, or a cap it grew into has shrunk under it
 * (equity fell, the yield left its tier, or `max_position_usd` was lowered).
 */
export function scaleDownWhy(
  c: CarryConfig,
  p: { readonly entryYieldBps: number; readonly sizeUsd: number; readonly slices: readonly unknown[] },
  x: { readonly cy: number; readonly equityUsd: number; readonly openTotalUsd: number },
): string | undefined {
  if (p.slices.length === 0) return undefined;
  const floor = keepYieldFloorBps(p.entryYieldBps);
  if (x.cy < floor)
    return `yield ${x.cy.toFixed(1)} bps/8h < ${floor.toFixed(1)} a scaled position must keep`;
  const cap = x.equityUsd * c.max_carry_total_alloc_pct;
  if (x.openTotalUsd > cap + 1e-6)
    return `carry holds $${x.openTotalUsd.toFixed(2)} > the total cap $${cap.toFixed(2)}`;
  const base = x.equityUsd * baseShare(c, x.cy);
  if (p.sizeUsd > base + 1e-6) return `$${p.sizeUsd.toFixed(2)} > the base cap $${base.toFixed(2)}`;
  if (p.sizeUsd > c.max_position_usd + 1e-6)
    return `$${p.sizeUsd.toFixed(2)} > max_position_usd ${c.max_position_usd}`;
  return undefined;
}

/** What optimisation reads of a held position. */
export interface HeldForOptimisation {
  readonly groupId: string;
  readonly base: string;
  /** current yield per 8 h (bps) */
  readonly cy: number;
  readonly lastMtmUsd: number;
  readonly sizeUsd: number;
}

/**
 * At the total cap, the held position to replace by a candidate that passed every gate but the
 * allocation (undefined: none). The worst position is the one with the lowest forward value,
 * `cy / 8 x hold_min_hours` bps (its entry cost is paid); it is replaced when the candidate's
 * net over the same horizon (after its round-trip cost) beats that by `optimization_buffer_bps`
 * and the worst's MTM is at least `rebalance_min_profit_bps` (a replacement never realises a
 * loss).
 */
export function optimisationTarget(
  c: CarryConfig,
  held: readonly HeldForOptimisation[],
  candidate: Opportunity,
): { groupId: string; detail: string } | undefined {
  let worst: HeldForOptimisation | undefined;
  let worstValue = Number.POSITIVE_INFINITY;
  for (const p of held) {
    if (p.base === candidate.base) continue;
    const v = (p.cy / 8) * c.hold_min_hours;
    if (v < worstValue) {
      worst = p;
      worstValue = v;
    }
  }
  if (worst === undefined) return undefined;
  if (!(candidate.netBps >= worstValue + c.optimization_buffer_bps)) return undefined;
  const mtm = mtmBps(worst.lastMtmUsd, worst.sizeUsd);
  if (!(mtm >= c.rebalance_min_profit_bps)) return undefined;
  return {
    groupId: worst.groupId,
    detail: `replaced by ${candidate.base} ${candidate.long.venue}>${candidate.short.venue}: net ${candidate.netBps.toFixed(1)} bps >= ${worstValue.toFixed(1)} + ${c.optimization_buffer_bps}, MTM ${mtm.toFixed(1)} bps >= ${c.rebalance_min_profit_bps}`,
  };
}
