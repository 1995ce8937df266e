import type { ClosedTrade } from "./types.ts";

/**
 * Performance figures of STRATEGIES.md 4.3, pure. Equity is sampled at its last value per hour;
 * Sharpe is the mean over the sample std of hourly simple returns x sqrt(8760), risk-free 0, null
 * below 48 points; nothing is ever reported as 0 for "no data".
 */
export type Point = readonly [ts: number, value: number];
const HOUR = 3_600_000;

export function hourly(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const h = Math.floor(p[0] / HOUR);
    if (out.length > 0 && Math.floor(out[out.length - 1][0] / HOUR) === h) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

export function simpleReturns(values: readonly number[]): number[] {
  return values.slice(1).map((v, i) => v / values[i] - 1);
}

export function sharpe(hourlyValues: readonly number[], minPoints = 48): number | null {
  if (hourlyValues.length < minPoints) return null;
  const r = simpleReturns(hourlyValues);
  const mean = r.reduce((s, x) => s + x, 0) / r.length;
  const sd = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / (r.length - 1));
  if (!(sd > 0)) return null;
  return (mean / sd) * Math.sqrt(8760);
}

export function maxDrawdown(points: readonly Point[]): { pct: number; durationMs: number } | null {
  if (points.length === 0) return null;
  let peak = points[0];
  let worst = 0;
  let longest = 0;
  for (const p of points) {
    if (p[1] >= peak[1]) peak = p;
    else longest = Math.max(longest, p[0] - peak[0]);
    worst = Math.max(worst, (peak[1] - p[1]) / peak[1]);
  }
  return { pct: worst, durationMs: longest };
}

export function winRate(trades: readonly ClosedTrade[]): number | null {
  return trades.length === 0 ? null : trades.filter((t) => t.netUsd > 0).length / trades.length;
}

export function profitFactor(trades: readonly ClosedTrade[]): number | null {
  const wins = trades.filter((t) => t.netUsd > 0).reduce((s, t) => s + t.netUsd, 0);
  const losses = trades.filter((t) => t.netUsd < 0).reduce((s, t) => s + t.netUsd, 0);
  return losses === 0 ? null : wins / Math.abs(losses);
}

export interface VersionMetrics {
  readonly points: number;
  readonly hours: number;
  readonly trades: number;
  /** (E_end - E_start) / E_start of equity net of the LLM cost */
  readonly returnNet: number | null;
  readonly returnGross: number | null;
  readonly sharpe: number | null;
  readonly maxDrawdownPct: number | null;
  readonly maxDrawdownMs: number | null;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly llmCostUsd: number;
}

/** Equity points [ts, equity, cumulative LLM cost]; the net series is equity minus the cost so far. */
export function versionMetrics(
  equity: readonly (readonly [number, number, number])[],
  trades: readonly ClosedTrade[],
): VersionMetrics {
  const gross: Point[] = equity.map((e) => [e[0], e[1]]);
  const net: Point[] = equity.map((e) => [e[0], e[1] - e[2]]);
  const h = hourly(net);
  const dd = maxDrawdown(h);
  const ret = (s: readonly Point[]) => (s.length < 2 ? null : (s[s.length - 1][1] - s[0][1]) / s[0][1]);
  return {
    points: equity.length,
    hours: equity.length < 2 ? 0 : (equity[equity.length - 1][0] - equity[0][0]) / HOUR,
    trades: trades.length,
    returnNet: ret(net),
    returnGross: ret(gross),
    sharpe: sharpe(h.map((p) => p[1])),
    maxDrawdownPct: dd?.pct ?? null,
    maxDrawdownMs: dd?.durationMs ?? null,
    winRate: winRate(trades),
    profitFactor: profitFactor(trades),
    llmCostUsd: equity.length === 0 ? 0 : equity[equity.length - 1][2],
  };
}
