/**
 * The farm's per-check risk read of one group (docs/farm.md, "Watching"), as pure functions so the
 * thresholds are tested without a venue. Floats are right here: these are analytics that decide
 * whether to act, never amounts sent to a venue.
 */

export interface LegSnapshot {
  readonly walletId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: "long" | "short";
  readonly markPrice: number;
  /** null when the venue reports no liquidation price (fully collateralised) */
  readonly liquidationPrice: number | null;
  readonly notionalUsd: number;
  readonly unrealisedPnlUsd: number;
  /** the leg's account equity and maintenance margin, for the collateral ratio */
  readonly accountEquityUsd: number;
  readonly maintenanceMarginUsd: number;
}

/**
 * The delta a group holds: its long size minus its short size in the underlying, valued at one
 * price (the mean of the legs' marks), as the allocator bounds it. Legs of a cross-venue group
 * are marked on two venues; valuing each at its own mark would count the basis between the two
 * books as delta, although equal sizes move together with the underlying.
 */
export function groupNetDeltaUsd(
  legs: readonly Pick<LegSnapshot, "side" | "markPrice" | "notionalUsd">[],
): number {
  const marked = legs.filter((l) => l.markPrice > 0 && Number.isFinite(l.markPrice));
  if (marked.length === 0) return 0;
  const ref = marked.reduce((s, l) => s + l.markPrice, 0) / marked.length;
  const base = marked.reduce((s, l) => s + (l.side === "long" ? 1 : -1) * (l.notionalUsd / l.markPrice), 0);
  return base * ref;
}

export interface MonitorThresholds {
  /** close the whole group when any leg's liquidation distance is below this (default 0.13) */
  readonly liquidationClosePct: number;
  /** warn below this distance (default 0.16) */
  readonly liquidationWarnPct: number;
  /** alert when equity / maintenance margin is below this (default 1.5) */
  readonly minCollateralRatio: number;
  /** alert when |sum of leg PnL| / group notional exceeds this (default 0.05) */
  readonly maxPnlDivergence: number;
}

export const DEFAULT_THRESHOLDS: MonitorThresholds = {
  liquidationClosePct: 0.13,
  liquidationWarnPct: 0.16,
  minCollateralRatio: 1.5,
  maxPnlDivergence: 0.05,
};

/** long: (mark - liq) / mark; short: (liq - mark) / mark; +Infinity without a liquidation price. */
export function liquidationDistance(
  leg: Pick<LegSnapshot, "side" | "markPrice" | "liquidationPrice">,
): number {
  if (leg.liquidationPrice === null) return Number.POSITIVE_INFINITY;
  if (!(leg.markPrice > 0)) return Number.NaN;
  return leg.side === "long"
    ? (leg.markPrice - leg.liquidationPrice) / leg.markPrice
    : (leg.liquidationPrice - leg.markPrice) / leg.markPrice;
}

/** equity / maintenance margin; +Infinity when no margin is required */
export function collateralRatio(leg: Pick<LegSnapshot, "accountEquityUsd" | "maintenanceMarginUsd">): number {
  return leg.maintenanceMarginUsd > 0
    ? leg.accountEquityUsd / leg.maintenanceMarginUsd
    : Number.POSITIVE_INFINITY;
}

/** |sum of leg PnL| / group notional (one side's notional: the hedged size) */
export function pnlDivergence(legs: readonly LegSnapshot[]): number {
  const pnl = legs.reduce((s, l) => s + l.unrealisedPnlUsd, 0);
  const longNotional = legs.filter((l) => l.side === "long").reduce((s, l) => s + l.notionalUsd, 0);
  const shortNotional = legs.filter((l) => l.side === "short").reduce((s, l) => s + l.notionalUsd, 0);
  const notional = Math.max(longNotional, shortNotional);
  return notional > 0 ? Math.abs(pnl) / notional : 0;
}

export type MonitorAction = "hold" | "close_liquidation_guard" | "close_emergency";

export interface MonitorFinding {
  readonly kind:
    | "liquidation_warning"
    | "liquidation_guard"
    | "liquidation_crossed"
    | "low_collateral"
    | "pnl_divergence"
    | "bad_mark";
  readonly severity: "warning" | "critical" | "emergency";
  readonly walletId?: string;
  readonly value: number;
  readonly message: string;
}

export interface MonitorReport {
  readonly action: MonitorAction;
  readonly minLiquidationDistance: number;
  readonly findings: readonly MonitorFinding[];
}

/**
 * Read one group. A crossed liquidation price (distance <= 0) is an emergency close, never a
 * value to skip; a distance below the close threshold closes the whole group.
 */
export function assessGroup(
  legs: readonly LegSnapshot[],
  t: MonitorThresholds = DEFAULT_THRESHOLDS,
): MonitorReport {
  const findings: MonitorFinding[] = [];
  let action: MonitorAction = "hold";
  let minDistance = Number.POSITIVE_INFINITY;
  for (const leg of legs) {
    const where = `${leg.walletId} ${leg.side} ${leg.venue}:${leg.symbol}`;
    const d = liquidationDistance(leg);
    if (Number.isNaN(d)) {
      // no usable mark: we cannot prove the leg is safe, so we treat it as the worst case
      findings.push({
        kind: "bad_mark",
        severity: "emergency",
        walletId: leg.walletId,
        value: leg.markPrice,
        message: `${where}: mark price ${leg.markPrice} unusable`,
      });
      action = "close_emergency";
      continue;
    }
    minDistance = Math.min(minDistance, d);
    if (d <= 0) {
      findings.push({
        kind: "liquidation_crossed",
        severity: "emergency",
        walletId: leg.walletId,
        value: d,
        message: `${where}: mark ${leg.markPrice} is past the liquidation price ${leg.liquidationPrice}`,
      });
      action = "close_emergency";
    } else if (d < t.liquidationClosePct) {
      findings.push({
        kind: "liquidation_guard",
        severity: "critical",
        walletId: leg.walletId,
        value: d,
        message: `${where}: ${(d * 100).toFixed(2)}% from liquidation (< ${(t.liquidationClosePct * 100).toFixed(1)}%): closing the group`,
      });
      if (action === "hold") action = "close_liquidation_guard";
    } else if (d < t.liquidationWarnPct) {
      findings.push({
        kind: "liquidation_warning",
        severity: "warning",
        walletId: leg.walletId,
        value: d,
        message: `${where}: ${(d * 100).toFixed(2)}% from liquidation (< ${(t.liquidationWarnPct * 100).toFixed(1)}%)`,
      });
    }
    const cr = collateralRatio(leg);
    if (cr < t.minCollateralRatio) {
      findings.push({
        kind: "low_collateral",
        severity: "warning",
        walletId: leg.walletId,
        value: cr,
        message: `${where}: collateral ratio ${cr.toFixed(2)} < ${t.minCollateralRatio}`,
      });
    }
  }
  const div = pnlDivergence(legs);
  if (div > t.maxPnlDivergence) {
    findings.push({
      kind: "pnl_divergence",
      severity: "warning",
      value: div,
      message: `group PnL divergence ${(div * 100).toFixed(2)}% > ${(t.maxPnlDivergence * 100).toFixed(1)}%`,
    });
  }
  return { action, minLiquidationDistance: minDistance, findings };
}
