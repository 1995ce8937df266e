import type { FarmGroupView } from "./farm.ts";

/**
 * What the farm shows of itself, as pure functions over plain records: the live status lines
 * `perpbot run` prints, and how a stored farm group reads in `perpbot status` (its meta holds the
 * venue label, the base asset and the planned close time).
 */

/** Compact farm status: a summary line, then one line per group (legs, time to close, liquidation distance, PnL). */
export function farmStatusLines(
  groups: readonly FarmGroupView[],
  now: number,
  /** the instance's name (the groups' strategy column) */
  name = "farm",
): string[] {
  const pnl = groups.reduce((s, g) => s + g.unrealisedPnlUsd, 0);
  const lines = [
    `${name}: ${groups.length} group${groups.length === 1 ? "" : "s"} open, unrealised PnL ${money(pnl)}`,
  ];
  for (const g of groups) {
    const liq = Number.isFinite(g.minLiquidationDistance)
      ? `${(g.minLiquidationDistance * 100).toFixed(1)}%`
      : "-";
    lines.push(
      `  ${g.id} ${g.status.padEnd(7)} ${g.venueLabel.padEnd(10)} ${g.base.padEnd(4)} ${g.legs} legs  closes in ${duration(g.closeAt - now)}  liq ${liq}  notional ${money(g.notionalUsd)}  PnL ${money(g.unrealisedPnlUsd)}`,
    );
  }
  return lines;
}

/** A stored group's legs as the summary needs them. */
export interface SummaryLeg {
  readonly venue: string;
  readonly symbol: string;
}

export interface GroupSummary {
  /** "simA" or "simA/simB" */
  readonly venues: string;
  /** "BTC", or the symbols when the group's meta names no base */
  readonly base: string;
  /** the planned close time (ms), null when the meta holds none */
  readonly closeAt: number | null;
}

/** The farm's meta of a group (label, base, closeAt), falling back to what the legs say. */
export function groupSummary(
  meta: Readonly<Record<string, unknown>>,
  legs: readonly SummaryLeg[],
): GroupSummary {
  const closeAt = Number(meta.closeAt);
  return {
    venues: typeof meta.label === "string" ? meta.label : [...new Set(legs.map((l) => l.venue))].join("/"),
    base: typeof meta.base === "string" ? meta.base : [...new Set(legs.map((l) => l.symbol))].join("/"),
    closeAt: meta.closeAt !== undefined && Number.isFinite(closeAt) ? closeAt : null,
  };
}

function money(x: number): string {
  return `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(2)}`;
}

function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms <= 0) return "now";
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}m`;
}
