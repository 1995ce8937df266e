import type { FarmGroupView } from "../strategies/farm/farm.ts";

/** Compact farm status: a summary line, then one line per group (legs, time to close, liquidation distance, PnL). */
export function farmStatusLines(groups: readonly FarmGroupView[], now: number): string[] {
  const pnl = groups.reduce((s, g) => s + g.unrealisedPnlUsd, 0);
  const lines = [
    `farm: ${groups.length} group${groups.length === 1 ? "" : "s"} open, unrealised PnL ${money(pnl)}`,
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

function money(x: number): string {
  return `${x < 0 ? "-" : ""}$${Math.abs(x).toFixed(2)}`;
}

function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms <= 0) return "now";
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}m`;
}
