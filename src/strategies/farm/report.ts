import type { FarmGroupView } from "./farm.ts";

/**
 * What the farm shows of itself, as pure functions over plain records: the live status lines
 * `perpbot run` prints, and how a stored farm group reads in `perpbot status` (its meta holds the
 * venue label, the base asset and the planned close time).
 */

/** What the group columns of the live view mean: printed once, above the first status. */
export const FARM_STATUS_LEGEND =
  "legend: group  status  venues  base  legs  closes in  liq = distance to liquidation  notional  PnL";

/**
 * Compact farm status: a summary line, then one line per group (at most 100 characters: id,
 * status, venues, base, legs, time to close, liquidation distance, notional, unrealised PnL).
 * A group whose first account reading has not come in says "checking…" instead of figures.
 */
export function farmStatusLines(
  groups: readonly FarmGroupView[],
  now: number,
  /** the instance's name (the groups' strategy column) */
  name = "farm",
): string[] {
  return [farmSummaryLine(groups, name), ...groups.map((g) => farmGroupLine(g, now))];
}

export function farmSummaryLine(groups: readonly FarmGroupView[], name = "farm"): string {
  const pnl = groups.reduce((s, g) => s + g.unrealisedPnlUsd, 0);
  const notional = groups.reduce((s, g) => s + g.notionalUsd, 0);
  return `${name}: ${groups.length} group${groups.length === 1 ? "" : "s"} open, notional ${money(notional, 0)}, unrealised PnL ${money(pnl)}`;
}

/** Whether the group has had its first reading (a liquidation distance or a notional). */
export function hasReading(g: FarmGroupView): boolean {
  return Number.isFinite(g.minLiquidationDistance) || g.notionalUsd > 0;
}

export function farmGroupLine(g: FarmGroupView, now: number): string {
  const head = `  ${g.id} ${g.status.padEnd(7)} ${g.venueLabel.padEnd(9)} ${g.base.padEnd(4)} ${g.legs}L ${duration(g.closeAt - now).padStart(6)}`;
  if (!hasReading(g)) return `${head}  checking…`;
  const liq = Number.isFinite(g.minLiquidationDistance)
    ? `${(g.minLiquidationDistance * 100).toFixed(1)}%`
    : "-";
  return `${head}  liq ${liq.padStart(5)}  ${money(g.notionalUsd, 0).padStart(8)}  PnL ${money(g.unrealisedPnlUsd)}`;
}

/**
 * The live view of `perpbot run` (issue 10, D20): the summary every time, the legend once, and a
 * group's line only when it is new, its status changed, its first reading arrived, or every
 * `fullEvery`-th status (a full listing); a group that left is named once.
 */
export class FarmStatusView {
  private readonly fullEvery: number;
  private readonly seen = new Map<string, string>();
  private count = 0;
  private legendShown = false;

  constructor(options: { fullEvery?: number } = {}) {
    this.fullEvery = Math.max(1, options.fullEvery ?? 12);
  }

  lines(groups: readonly FarmGroupView[], now: number, name = "farm"): string[] {
    const full = this.count++ % this.fullEvery === 0;
    const out = [farmSummaryLine(groups, name)];
    const present = new Set<string>();
    for (const g of groups) {
      present.add(g.id);
      const digest = `${g.status}|${hasReading(g)}`;
      if (full || this.seen.get(g.id) !== digest) {
        if (!this.legendShown) out.push(FARM_STATUS_LEGEND);
        this.legendShown = true;
        out.push(farmGroupLine(g, now));
      }
      this.seen.set(g.id, digest);
    }
    for (const id of [...this.seen.keys()]) {
      if (present.has(id)) continue;
      this.seen.delete(id);
      out.push(`  ${id} no longer open`);
    }
    return out;
  }
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

/** Dollars with thousands separators; never "-$0.00" (what rounds to zero is zero). */
export function money(x: number, decimals = 2): string {
  if (!Number.isFinite(x)) return "-";
  const rounded = Number(x.toFixed(decimals));
  const text = Math.abs(rounded).toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return `${rounded < 0 ? "-" : ""}$${text}`;
}

function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms <= 0) return "now";
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}m`;
}
