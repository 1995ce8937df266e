import { toUsd } from "../../core/money.ts";
import type { AccountReport, OrderReport, PositionReport } from "../../core/types.ts";
import { toJson } from "./event-log.ts";
import type { SimExchange } from "./exchange.ts";
import { accountFigures, positionFigures, positionLiquidationPrice } from "./margin.ts";
import type { OrderState, SimState } from "./state.ts";

/** The venue's answers to account queries, built from the live state. */

export function orderReport(o: OrderState): OrderReport {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    account: o.account,
    symbol: o.symbol,
    side: o.side,
    priceTicks: o.priceTicks,
    sizeLots: o.sizeLots,
    filledLots: o.filledLots,
    status: o.status,
    tif: o.tif,
    reduceOnly: o.reduceOnly,
  };
}

export function positionReports(ex: SimExchange, account: string): PositionReport[] {
  const figures = accountFigures(ex.state, account, ex);
  const out: PositionReport[] = [];
  for (const p of ex.state.positionsByAccount.get(account) ?? []) {
    if (p.sizeLots === 0) continue;
    const inst = ex.instrumentOf(p.symbol);
    const mark = ex.markOf(p.symbol);
    const f = positionFigures(p, inst, mark);
    out.push({
      account,
      symbol: p.symbol,
      sizeLots: p.sizeLots,
      entryPrice: f.entryPrice,
      markPrice: mark,
      unrealisedPnlUsd: f.unrealisedPnlUsd,
      leverage: p.leverage,
      marginMode: p.mode,
      marginUsd: p.mode === "isolated" ? toUsd(p.isolatedMargin) : f.initialMarginUsd,
      maintenanceMarginUsd: f.maintenanceMarginUsd,
      liquidationPrice: positionLiquidationPrice(p, inst, mark, figures),
      fundingPaid: p.fundingPaid,
    });
  }
  return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

export function accountReport(ex: SimExchange, account: string): AccountReport {
  const f = accountFigures(ex.state, account, ex);
  return {
    account,
    cash: ex.state.accounts.get(account)?.cash ?? 0n,
    equityUsd: f.equityUsd,
    initialMarginUsd: f.initialMarginUsd + f.orderMarginUsd,
    maintenanceMarginUsd: f.maintenanceMarginUsd,
    availableUsd: f.availableUsd,
  };
}

/** Deterministic JSON of the whole ledger: accounts, open positions and orders, sinks, clocks. */
export function ledgerSnapshot(s: SimState): string {
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return toJson({
    accounts: byKey(s.accounts).map(([, a]) => a),
    positions: byKey(s.positions)
      .map(([, p]) => p)
      .filter((p) => p.sizeLots !== 0),
    openOrders: [...s.openOrders.values()].sort((a, b) => a.seq - b.seq),
    sinks: s.sinks,
    orderSeq: s.orderSeq,
    fillSeq: s.fillSeq,
    fundingClock: byKey(s.fundingClock),
    marks: byKey(s.marks),
  });
}
