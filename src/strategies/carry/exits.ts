import type { CloseReason } from "../contract.ts";
import type { CarryConfig } from "./config.ts";

/**
 * The exit rules of STRATEGIES.md section 1.1, first match wins, as a pure function of one check's
 * inputs. The caller keeps the counters (stale checks, deferral start, MTM peak and samples).
 */

export interface ExitInput {
  readonly now: number;
  readonly openedAt: number;
  /** yield per 8 h in bps at entry */
  readonly entryYieldBps: number;
  /** current yield per 8 h in bps, `(r_short - r_long) x 8 x 10^4` (> 0: collecting) */
  readonly cy: number;
  readonly mtmUsd: number;
  readonly sizeUsd: number;
  /** ledger funding of both legs (settled + estimate), USD */
  readonly fundingUsd: number;
  /** running MTM peak (bps) including this check */
  readonly peakBps: number;
  /** per leg: liquidation distance (share of mark), NaN when the venue reported no price */
  readonly liqDistances: readonly number[];
  /** per leg: BBO age in ms, Infinity when a side of the book is empty */
  readonly bboAgesMs: readonly number[];
  /** consecutive checks so far with a leg missing its BBO (this one included) */
  readonly missingBboChecks: number;
  /** when decisions started being deferred for a stale BBO; null: not deferred */
  readonly deferredSince: number | null;
  /** spike protection in force until (ms); 0: none */
  readonly spikeProtectUntil: number;
}

export type ExitDecision =
  | { readonly kind: "hold"; readonly warnings: readonly string[] }
  | { readonly kind: "defer"; readonly detail: string }
  | { readonly kind: "close"; readonly reason: CloseReason; readonly detail: string };

export function mtmBps(mtmUsd: number, sizeUsd: number): number {
  return sizeUsd > 0 ? (mtmUsd / sizeUsd) * 10_000 : 0;
}

/** The stop and trail of the anchor's tier (tiers from the highest min_yield_bps down). */
export function tierOf(c: CarryConfig, anchor: number): { stop: number; trail: number } {
  const t =
    c.stop_loss_tiers.find((x) => anchor >= x.min_yield_bps) ??
    c.stop_loss_tiers[c.stop_loss_tiers.length - 1];
  return { stop: t.stop_bps, trail: t.trail_bps };
}

/** The stop line (bps, negative) and trailing line of rule 4; -Infinity when not armed. */
export function stopLines(c: CarryConfig, i: ExitInput): { base: number; trailing: number } {
  const holdH = (i.now - i.openedAt) / 3_600_000;
  const anchor = Math.max(i.cy, i.entryYieldBps);
  const { stop, trail } = tierOf(c, anchor);
  let base = -stop;
  if (holdH <= c.mtm_multiplier_window_hours) base -= anchor * c.mtm_yield_multiplier;
  const fundingBps = mtmBps(i.fundingUsd, i.sizeUsd);
  if (fundingBps > 0) base -= Math.min(c.cushion_ratio * fundingBps, c.cushion_cap_bps);
  if (holdH > c.time_bonus_start_hours)
    base -= Math.min(c.time_bonus_bps_per_hour * (holdH - c.time_bonus_start_hours), c.time_bonus_cap_bps);
  if (i.now < i.spikeProtectUntil) base -= c.spike_buffer_bps;
  base = Math.max(base, -c.mtm_stop_bps);
  const trailing =
    i.peakBps >= c.mtm_trailing_min_bps
      ? i.peakBps - Math.min(trail, c.mtm_trailing_bps)
      : Number.NEGATIVE_INFINITY;
  return { base, trailing };
}

export function decideExit(c: CarryConfig, i: ExitInput): ExitDecision {
  const holdMs = i.now - i.openedAt;
  const holdH = holdMs / 3_600_000;
  const mtm = mtmBps(i.mtmUsd, i.sizeUsd);
  // 0. stale data: a leg with no BBO for stale_exit_checks checks closes; a stale BBO defers the
  // decision (prices it would act on are old) until deferred_exit_max_s, then it is forced
  if (i.missingBboChecks >= c.stale_exit_checks) {
    return {
      kind: "close",
      reason: "stale_data",
      detail: `no BBO on a leg for ${i.missingBboChecks} checks`,
    };
  }
  const stale = i.bboAgesMs.some((a) => !(a <= c.exit_max_bbo_age_ms));
  if (stale) {
    const since = i.deferredSince ?? i.now;
    if (i.now - since < c.deferred_exit_max_s * 1000) {
      return { kind: "defer", detail: `a leg's BBO is older than ${c.exit_max_bbo_age_ms} ms` };
    }
  }
  const warnings: string[] = [];
  // 1. liquidation proximity, from each leg's venue-reported liquidation price
  for (const d of i.liqDistances) {
    if (Number.isNaN(d)) continue;
    if (d < c.liquidation_close_pct) {
      return {
        kind: "close",
        reason: "liquidation_guard",
        detail: `a leg is ${(d * 100).toFixed(2)} % from liquidation (close below ${c.liquidation_close_pct * 100} %)`,
      };
    }
    if (d < c.liquidation_warn_pct) warnings.push(`a leg is ${(d * 100).toFixed(2)} % from liquidation`);
  }
  // 2. time limit
  if (holdH >= c.hold_max_hours) {
    return {
      kind: "close",
      reason: "time_limit",
      detail: `held ${holdH.toFixed(2)} h >= ${c.hold_max_hours} h`,
    };
  }
  // 3. low yield while in profit
  if (i.cy < c.low_yield_exit_bps && i.mtmUsd > 0 && holdH >= 0.5) {
    return {
      kind: "close",
      reason: "low_yield",
      detail: `yield ${i.cy.toFixed(1)} bps/8h < ${c.low_yield_exit_bps}, MTM $${i.mtmUsd.toFixed(2)} > 0`,
    };
  }
  // 4. MTM stop and trailing stop, past the grace period
  if (holdMs >= c.mtm_grace_minutes * 60_000) {
    const { base, trailing } = stopLines(c, i);
    const line = Math.max(base, trailing);
    if (mtm < line) {
      const trail = trailing > base;
      return {
        kind: "close",
        reason: trail ? "trailing_stop" : "stop_loss",
        detail: `MTM ${mtm.toFixed(1)} bps < ${trail ? `trailing line ${trailing.toFixed(1)} (peak ${i.peakBps.toFixed(1)})` : `stop ${base.toFixed(1)}`} bps`,
      };
    }
  }
  // 5. take-profit: high-yield positions on a share of size, others once MTM beats the entry yield
  const anchor = Math.max(i.cy, i.entryYieldBps);
  if (anchor >= c.high_yield_threshold_bps) {
    const tp =
      holdH >= c.high_yield_tp_decay_hours ? c.high_yield_tp_pct_after_decay : c.high_yield_tp_pct_initial;
    if (i.mtmUsd >= i.sizeUsd * tp) {
      return {
        kind: "close",
        reason: "take_profit",
        detail: `MTM $${i.mtmUsd.toFixed(2)} >= ${tp * 100} % of size`,
      };
    }
  } else if (mtm > 0 && mtm >= i.entryYieldBps) {
    return {
      kind: "close",
      reason: "take_profit",
      detail: `MTM ${mtm.toFixed(1)} bps >= entry yield ${i.entryYieldBps.toFixed(1)} bps`,
    };
  }
  // 6. windfall
  if (mtm > c.mtm_tp_bps) {
    return { kind: "close", reason: "take_profit", detail: `MTM ${mtm.toFixed(1)} bps > ${c.mtm_tp_bps}` };
  }
  // 7. early reversal
  if (i.cy < -5 && holdMs >= c.early_reversal_min_minutes * 60_000) {
    return {
      kind: "close",
      reason: "reversal",
      detail: `yield ${i.cy.toFixed(1)} bps/8h < -5 (early reversal)`,
    };
  }
  // 8. reversal after the minimum hold
  if (holdH >= c.hold_min_hours && i.cy < 1) {
    return {
      kind: "close",
      reason: "reversal",
      detail: `yield ${i.cy.toFixed(1)} bps/8h < 1 after ${holdH.toFixed(1)} h`,
    };
  }
  return { kind: "hold", warnings };
}

/** Spike detection: an MTM drop of spike_drop_bps within spike_window_s starts protection. */
export function spikeProtectUntil(
  c: CarryConfig,
  samples: readonly { ts: number; bps: number }[],
  now: number,
  current: number,
): number {
  const since = now - c.spike_window_s * 1000;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of samples) if (s.ts >= since) hi = Math.max(hi, s.bps);
  return hi - current >= c.spike_drop_bps ? now + c.spike_protect_s * 1000 : 0;
}

/** Exits that start the forced-exit cooldown (STRATEGIES.md: exits 0, 1, 4). */
export function isForcedExit(reason: CloseReason): boolean {
  return (
    reason === "stale_data" ||
    reason === "liquidation_guard" ||
    reason === "stop_loss" ||
    reason === "trailing_stop"
  );
}
