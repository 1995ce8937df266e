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

/**
 * accountReport and positionReports as the venue answers them, kept while nothing they read
 * changed: cash, positions and marks (SimState.ledgerVersion), orders and leverage settings
 * (SimState.ordersVersion). A simulated account is read every few seconds and a backtest's
 * market moves far less often. What is handed out is frozen, since every reader shares it;
 * the reports carry no time of their own.
 */
export class ReportCache {
  private readonly ex: SimExchange;
  private ledgerVersion = -1;
  private ordersVersion = -1;
  private readonly accounts = new Map<string, AccountReport>();
  private readonly positions = new Map<string, readonly PositionReport[]>();

  constructor(ex: SimExchange) {
    this.ex = ex;
  }

  accountReport(account: string): AccountReport {
    this.forgetChanged();
    let r = this.accounts.get(account);
    if (r === undefined) {
      r = Object.freeze(accountReport(this.ex, account));
      this.accounts.set(account, r);
    }
    return r;
  }

  positionReports(account: string): readonly PositionReport[] {
    this.forgetChanged();
    let r = this.positions.get(account);
    if (r === undefined) {
      r = Object.freeze(positionReports(this.ex, account).map((p) => Object.freeze(p)));
      this.positions.set(account, r);
    }
    return r;
  }

  private forgetChanged(): void {
    const s = this.ex.state;
    if (s.ledgerVersion === this.ledgerVersion && s.ordersVersion === this.ordersVersion) return;
    this.ledgerVersion = s.ledgerVersion;
    this.ordersVersion = s.ordersVersion;
    this.accounts.clear();
    this.positions.clear();
  }
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
