import { toUsd } from "../../core/money.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { applyFill } from "./fills.ts";
import { crossBelowMaintenance, type MarginContext, positionFigures } from "./margin.ts";
import type { OrderState, PositionState, SimState } from "./state.ts";

/**
 * What liquidation needs of the exchange (SimExchange implements it). Declared here, not
 * imported, so liquidation.ts does not import exchange.ts, which imports it.
 */
export interface LiquidationContext extends MarginContext {
  readonly state: SimState;
  readonly config: { readonly venueId: string; readonly liquidationFeeBps: number };
  /** cancel an order and take it off the resting book */
  close(order: OrderState, status: "canceled", reason: string, ts: number, out: VenueEvent[]): void;
}

/**
 * Liquidation, after Hyperliquid's rule (DOMAIN.md §1): an isolated position is liquidated when
 * its margin plus unrealised PnL falls below its maintenance margin; a cross account when its
 * cross account value falls below the maintenance margin of all its cross positions, and then
 * every cross position goes. The simulator closes the whole position at the mark (rounded to the
 * tick) against the market counterparty, charges the liquidation fee to the insurance sink, and
 * lets the insurance sink cover any bad debt (collateral left below zero).
 */
export function checkLiquidations(
  ex: LiquidationContext,
  symbol: string,
  ts: number,
  /** where the liquidation events go (returned); a new list by default */
  events: VenueEvent[] = [],
): VenueEvent[] {
  const positions = ex.state.positionsBySymbol.get(symbol);
  if (positions === undefined || positions.size === 0) return events;
  const mark = ex.markOf(symbol);
  if (!(mark > 0)) return events;
  // runs after every market event: nothing is allocated until something is due or there are
  // cross positions of more than one account
  let firstCross: string | undefined;
  let crossAccounts: Set<string> | undefined;
  let isolated: PositionState[] | undefined;
  for (const p of positions) {
    if (p.sizeLots === 0) continue;
    if (p.mode === "cross") {
      if (firstCross === undefined) firstCross = p.account;
      else if (p.account !== firstCross) {
        crossAccounts ??= new Set([firstCross]);
        crossAccounts.add(p.account);
      }
    } else {
      const f = positionFigures(p, ex.instrumentOf(symbol), mark);
      if (toUsd(p.isolatedMargin) + f.unrealisedPnlUsd < f.maintenanceMarginUsd) {
        isolated ??= [];
        isolated.push(p);
      }
    }
  }
  if (isolated !== undefined) for (const p of isolated.sort(byAccount)) liquidateIsolated(ex, p, ts, events);
  if (crossAccounts !== undefined) {
    for (const account of [...crossAccounts].sort()) {
      if (crossBelowMaintenance(ex.state, account, ex)) liquidateCross(ex, account, ts, events);
    }
  } else if (firstCross !== undefined && crossBelowMaintenance(ex.state, firstCross, ex)) {
    liquidateCross(ex, firstCross, ts, events);
  }
  return events;
}

/** Close one position at the mark with the liquidation fee; returns the fill's PnL minus fee. */
function closeAtMark(ex: LiquidationContext, p: PositionState, ts: number, out: VenueEvent[]): bigint {
  const inst = ex.instrumentOf(p.symbol);
  const mark = ex.markOf(p.symbol);
  const ticks = Math.max(1, inst.roundPrice(mark, "buy", "nearest"));
  const side = p.sizeLots > 0 ? "sell" : "buy";
  const size = p.sizeLots;
  // the liquidated account's orders on this market go first, as on a real venue
  for (const o of [...(ex.state.openOrdersByAccount.get(p.account) ?? [])]) {
    if (o.symbol === p.symbol) ex.close(o, "canceled", "liquidation", ts, out);
  }
  const n = ex.state.fillSeq + 1;
  const fill = applyFill(ex.state, inst, ex.config.venueId, {
    account: p.account,
    side,
    priceTicks: ticks,
    sizeLots: Math.abs(size),
    liquidity: "liquidation",
    feeBps: ex.config.liquidationFeeBps,
    feeSink: "insurance",
    clientOrderId: `liquidation-${n}`,
    venueOrderId: `${ex.config.venueId}-liq${n}`,
    ts,
    setting: { mode: p.mode, leverage: p.leverage },
  });
  out.push({
    type: "liquidation",
    ts,
    account: p.account,
    symbol: p.symbol,
    sizeLots: size,
    priceTicks: ticks,
  });
  out.push({ type: "fill", ts, fill, remainingLots: 0 });
  return fill.realisedPnl - fill.fee;
}

function liquidateIsolated(ex: LiquidationContext, p: PositionState, ts: number, out: VenueEvent[]): void {
  const collateral = p.isolatedMargin;
  const result = closeAtMark(ex, p, ts, out);
  // an isolated position can lose its collateral, never more: the insurance sink takes the rest
  const left = collateral + result;
  if (left < 0n) ex.state.transfer(ex.state.account(p.account), "insurance", -left);
}

function liquidateCross(ex: LiquidationContext, account: string, ts: number, out: VenueEvent[]): void {
  const cross = [...(ex.state.positionsByAccount.get(account) ?? [])]
    .filter((p) => p.mode === "cross" && p.sizeLots !== 0)
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  for (const p of cross) closeAtMark(ex, p, ts, out);
  // cross collateral is the cash outside isolated earmarks; bad debt below zero is covered
  let earmarked = 0n;
  for (const p of ex.state.positionsByAccount.get(account) ?? []) earmarked += p.isolatedMargin;
  const a = ex.state.account(account);
  const crossCash = a.cash - earmarked;
  if (crossCash < 0n) ex.state.transfer(a, "insurance", -crossCash);
}

function byAccount(a: PositionState, b: PositionState): number {
  return a.account < b.account ? -1 : a.account > b.account ? 1 : 0;
}
