import type { Side } from "../../core/types.ts";
import type { StrategyContext } from "../contract.ts";
import type { FarmConfig } from "./config.ts";
import { assessGroup, groupNetDeltaUsd, type LegSnapshot, type MonitorReport } from "./monitor.ts";

/** A group as the farm keeps it in memory. */
export interface FarmGroup {
  readonly id: string;
  status: string;
  readonly meta: Record<string, unknown>;
  readonly legs: readonly {
    readonly venue: string;
    readonly account: string;
    readonly symbol: string;
    readonly side: Side;
  }[];
}

/** The farm's view of one live group, refreshed by each check. */
export interface FarmGroupView {
  readonly id: string;
  readonly status: string;
  readonly venueLabel: string;
  readonly base: string;
  readonly closeAt: number;
  readonly legs: number;
  readonly minLiquidationDistance: number;
  readonly unrealisedPnlUsd: number;
  readonly notionalUsd: number;
  /** long notional minus short notional at mark: what the group is exposed to */
  readonly netDeltaUsd: number;
}

export interface WatchResult {
  readonly report: MonitorReport;
  readonly view: FarmGroupView;
}

/**
 * One group's check (docs/farm.md "Watching"), from the portfolio and market views alone: the
 * engine keeps positions (from fills, its reconciliation and its account refresh) and marks (from
 * the streams), so a check costs no venue request however many legs there are. An account the
 * engine has not read yet cannot be judged: the check throws and the farm alerts it.
 */
export function watchGroup(ctx: StrategyContext, g: FarmGroup, c: FarmConfig): WatchResult {
  const snaps: LegSnapshot[] = g.legs.map((leg): LegSnapshot => {
    const p = ctx.portfolio.position(leg.venue, leg.account, leg.symbol);
    const account = ctx.portfolio.account(leg.venue, leg.account);
    if (account === undefined) throw new Error(`account ${leg.account} on ${leg.venue} not read yet`);
    const inst = ctx.market.instrument(leg.venue, leg.symbol);
    const size = p ? Math.abs(inst.sizeValue(p.sizeLots)) : 0;
    return {
      walletId: leg.account,
      venue: leg.venue,
      symbol: leg.symbol,
      side: leg.side === "buy" ? "long" : "short",
      markPrice: p?.markPrice ?? ctx.market.mark(leg.venue, leg.symbol),
      liquidationPrice: p ? p.liquidationPrice : null,
      notionalUsd: size * (p?.markPrice ?? 0),
      unrealisedPnlUsd: p?.unrealisedPnlUsd ?? 0,
      accountEquityUsd: account.equityUsd,
      maintenanceMarginUsd: account.maintenanceMarginUsd,
    };
  });
  const report = assessGroup(snaps, {
    liquidationClosePct: c.liquidation_close_pct,
    liquidationWarnPct: c.liquidation_warn_pct,
    minCollateralRatio: c.min_collateral_ratio,
    maxPnlDivergence: c.max_pnl_divergence,
  });
  let longUsd = 0;
  let pnl = 0;
  for (const s of snaps) {
    if (s.side === "long") longUsd += s.notionalUsd;
    pnl += s.unrealisedPnlUsd;
  }
  return {
    report,
    view: {
      ...blankView(g),
      minLiquidationDistance: report.minLiquidationDistance,
      unrealisedPnlUsd: pnl,
      notionalUsd: longUsd,
      netDeltaUsd: groupNetDeltaUsd(snaps),
    },
  };
}

export function blankView(g: FarmGroup): FarmGroupView {
  return {
    id: g.id,
    status: g.status,
    venueLabel: String(g.meta.label ?? [...new Set(g.legs.map((l) => l.venue))].join("/")),
    base: String(g.meta.base ?? ""),
    closeAt: Number(g.meta.closeAt),
    legs: g.legs.length,
    minLiquidationDistance: Number.NaN,
    unrealisedPnlUsd: 0,
    notionalUsd: 0,
    netDeltaUsd: 0,
  };
}

export function titleOf(kind: string): string {
  return (
    {
      liquidation_warning: "Leg near liquidation",
      liquidation_guard: "Liquidation guard: closing group",
      liquidation_crossed: "EMERGENCY: liquidation price crossed",
      low_collateral: "Low collateral ratio",
      pnl_divergence: "Group PnL divergence",
      bad_mark: "EMERGENCY: no usable mark price",
    }[kind] ?? kind
  );
}
