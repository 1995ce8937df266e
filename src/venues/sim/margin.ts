import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import type { PositionState, SimState } from "./state.ts";

/**
 * Margin arithmetic of the simulated venue, after Hyperliquid's published rules (DOMAIN.md §1,
 * https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margining and .../liquidations).
 * These figures decide rejects and liquidations, never a transfer, so floats are fine here.
 */

/** Liquidation price by DOMAIN.md §1; null when no positive price liquidates the position. */
export function liquidationPrice(
  sign: 1 | -1,
  sizeBase: number,
  priceUsd: number,
  marginAvailableUsd: number,
  mmr: number,
): number | null {
  if (!(sizeBase > 0)) return null;
  const liq = priceUsd - (sign * marginAvailableUsd) / sizeBase / (1 - mmr * sign);
  return liq > 0 && Number.isFinite(liq) ? liq : null;
}

export interface PositionFigures {
  readonly sign: 1 | -1;
  readonly sizeBase: number;
  readonly entryPrice: number;
  readonly notionalUsd: number;
  readonly unrealisedPnlUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly mmr: number;
}

export function positionFigures(p: PositionState, inst: Instrument, mark: number): PositionFigures {
  const sign: 1 | -1 = p.sizeLots >= 0 ? 1 : -1;
  const sizeBase = inst.sizeValue(Math.abs(p.sizeLots));
  const cost = toUsd(p.entryNotional);
  const notionalUsd = sizeBase * mark;
  return {
    sign,
    sizeBase,
    entryPrice: sizeBase > 0 ? cost / sizeBase : 0,
    notionalUsd,
    unrealisedPnlUsd: sign * (notionalUsd - cost),
    initialMarginUsd: notionalUsd / p.leverage,
    maintenanceMarginUsd: inst.maintenanceMargin(notionalUsd),
    mmr: inst.maintenanceMarginRate(notionalUsd),
  };
}

export interface AccountFigures {
  /** cash outside isolated earmarks */
  readonly crossCashUsd: number;
  /** cross cash + unrealised PnL of cross positions: HL's cross "account value" */
  readonly crossValueUsd: number;
  readonly crossInitialMarginUsd: number;
  readonly crossMaintenanceMarginUsd: number;
  /** margin held by resting orders that may open exposure */
  readonly orderMarginUsd: number;
  /** cash + all unrealised PnL */
  readonly equityUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  /** what a new exposure-increasing order may still use */
  readonly availableUsd: number;
}

/** What margin figures need to know beyond the ledger. */
export interface MarginContext {
  instrumentOf(symbol: string): Instrument;
  markOf(symbol: string): number;
  /** the leverage an order on this symbol would open at */
  leverageOf(account: string, symbol: string): number;
}

/** Every account figure at the current marks. */
export function accountFigures(state: SimState, account: string, ctx: MarginContext): AccountFigures {
  const cash = toUsd(state.accounts.get(account)?.cash ?? 0n);
  let isolated = 0;
  let crossUpnl = 0;
  let crossIm = 0;
  let crossMm = 0;
  let allUpnl = 0;
  let allIm = 0;
  let allMm = 0;
  for (const p of state.positionsByAccount.get(account) ?? []) {
    if (p.sizeLots === 0) continue;
    const f = positionFigures(p, ctx.instrumentOf(p.symbol), ctx.markOf(p.symbol));
    allUpnl += f.unrealisedPnlUsd;
    allMm += f.maintenanceMarginUsd;
    if (p.mode === "isolated") {
      isolated += toUsd(p.isolatedMargin);
      allIm += toUsd(p.isolatedMargin);
    } else {
      crossUpnl += f.unrealisedPnlUsd;
      crossIm += f.initialMarginUsd;
      crossMm += f.maintenanceMarginUsd;
      allIm += f.initialMarginUsd;
    }
  }
  let orderMargin = 0;
  for (const o of state.openOrdersByAccount.get(account) ?? []) {
    if (o.reduceOnly) continue;
    const inst = ctx.instrumentOf(o.symbol);
    const remaining = inst.sizeValue(o.sizeLots - o.filledLots) * inst.priceValue(o.priceTicks);
    orderMargin += remaining / ctx.leverageOf(account, o.symbol);
  }
  const crossCash = cash - isolated;
  const crossValue = crossCash + crossUpnl;
  return {
    crossCashUsd: crossCash,
    crossValueUsd: crossValue,
    crossInitialMarginUsd: crossIm,
    crossMaintenanceMarginUsd: crossMm,
    orderMarginUsd: orderMargin,
    equityUsd: cash + allUpnl,
    initialMarginUsd: allIm,
    maintenanceMarginUsd: allMm,
    availableUsd: crossValue - crossIm - orderMargin,
  };
}

/**
 * accountFigures(...).availableUsd alone, with the same arithmetic in the same order (so the
 * same float), without the maintenance-margin tiers and the other figures: the pre-trade check
 * of every exposure-increasing order needs only this.
 */
export function availableMargin(state: SimState, account: string, ctx: MarginContext): number {
  const cash = toUsd(state.accounts.get(account)?.cash ?? 0n);
  let isolated = 0;
  let crossUpnl = 0;
  let crossIm = 0;
  const positions = state.positionsByAccount.get(account);
  if (positions !== undefined) {
    for (const p of positions) {
      if (p.sizeLots === 0) continue;
      if (p.mode === "isolated") {
        isolated += toUsd(p.isolatedMargin);
        continue;
      }
      const sign = p.sizeLots >= 0 ? 1 : -1;
      const sizeBase = ctx.instrumentOf(p.symbol).sizeValue(Math.abs(p.sizeLots));
      const notionalUsd = sizeBase * ctx.markOf(p.symbol);
      crossUpnl += sign * (notionalUsd - toUsd(p.entryNotional));
      crossIm += notionalUsd / p.leverage;
    }
  }
  let orderMargin = 0;
  const orders = state.openOrdersByAccount.get(account);
  if (orders !== undefined) {
    for (const o of orders) {
      if (o.reduceOnly) continue;
      const inst = ctx.instrumentOf(o.symbol);
      const remaining = inst.sizeValue(o.sizeLots - o.filledLots) * inst.priceValue(o.priceTicks);
      orderMargin += remaining / ctx.leverageOf(account, o.symbol);
    }
  }
  const crossValue = cash - isolated + crossUpnl;
  return crossValue - crossIm - orderMargin;
}

/**
 * toUsd with the last value remembered: the ledger amounts the liquidation check converts after
 * every market event change only with fills, so the bigint division runs once per change.
 */
class UsdMemo {
  private last: bigint | undefined;
  private usd = 0;
  of(m: bigint): number {
    if (m !== this.last) {
      this.usd = toUsd(m);
      this.last = m;
    }
    return this.usd;
  }
}
const cashUsd = new UsdMemo();
const entryUsd = new UsdMemo();

/**
 * accountFigures(...).crossValueUsd < .crossMaintenanceMarginUsd alone (the cross liquidation
 * test), with the same arithmetic in the same order (so the same floats), without the order
 * margin and the other figures: the liquidation check runs after every market event.
 */
export function crossBelowMaintenance(state: SimState, account: string, ctx: MarginContext): boolean {
  const cash = cashUsd.of(state.accounts.get(account)?.cash ?? 0n);
  let isolated = 0;
  let crossUpnl = 0;
  let crossMm = 0;
  const positions = state.positionsByAccount.get(account);
  if (positions !== undefined) {
    for (const p of positions) {
      if (p.sizeLots === 0) continue;
      if (p.mode === "isolated") {
        isolated += toUsd(p.isolatedMargin);
        continue;
      }
      const inst = ctx.instrumentOf(p.symbol);
      const sign = p.sizeLots >= 0 ? 1 : -1;
      const notionalUsd = inst.sizeValue(Math.abs(p.sizeLots)) * ctx.markOf(p.symbol);
      crossUpnl += sign * (notionalUsd - entryUsd.of(p.entryNotional));
      crossMm += inst.maintenanceMargin(notionalUsd);
    }
  }
  const crossValue = cash - isolated + crossUpnl;
  return crossValue < crossMm;
}

/**
 * Liquidation price of one position: isolated from its own margin, cross from the account value
 * less the maintenance margin of the account's other cross positions (they are held at mark).
 */
export function positionLiquidationPrice(
  p: PositionState,
  inst: Instrument,
  mark: number,
  account: AccountFigures,
): number | null {
  const f = positionFigures(p, inst, mark);
  if (p.sizeLots === 0) return null;
  if (p.mode === "isolated") {
    const marginHere = toUsd(p.isolatedMargin) + f.unrealisedPnlUsd;
    return liquidationPrice(f.sign, f.sizeBase, mark, marginHere - f.maintenanceMarginUsd, f.mmr);
  }
  return liquidationPrice(
    f.sign,
    f.sizeBase,
    mark,
    account.crossValueUsd - account.crossMaintenanceMarginUsd,
    f.mmr,
  );
}
