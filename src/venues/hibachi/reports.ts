import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import type { AccountReport, Fill, PositionReport } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import { FUNDING_INTERVAL_HOURS } from "./capabilities.ts";
import type { HibachiClient } from "./client.ts";
import type { Tracked } from "./orders.ts";
import { moneyOf } from "./orders.ts";
import type { HibachiContract } from "./parse.ts";

/**
 * Hibachi's account answers as perpbot's reports: `/trade/account/info` positions and margin
 * (notional × the contract's initial / maintenance margin rate; no liquidation price is
 * published), `/trade/account/trades` fills, `/trade/account/settlements_history` funding.
 */
export type AccountInfo = Awaited<ReturnType<HibachiClient["accountInfo"]>>;
export type Trade = Awaited<ReturnType<HibachiClient["trades"]>>[number];
export type Settlement = Awaited<ReturnType<HibachiClient["settlements"]>>[number];

export function positionReports(
  account: string,
  info: AccountInfo,
  instrument: (symbol: string) => Instrument | undefined,
  contract: (symbol: string) => HibachiContract,
): PositionReport[] {
  const out: PositionReport[] = [];
  for (const p of info.positions) {
    const inst = instrument(p.symbol);
    if (inst === undefined) continue;
    const c = contract(p.symbol);
    const lots = inst.size(p.quantity) * (p.direction === "Long" ? 1 : -1);
    const notional = Number(p.quantity) * Number(p.markPrice);
    out.push({
      account,
      symbol: p.symbol,
      sizeLots: lots,
      entryPrice: Number(p.openPrice),
      markPrice: Number(p.markPrice),
      unrealisedPnlUsd: Number(p.unrealizedTradingPnl),
      leverage: Number(info.balance) > 0 ? notional / Number(info.balance) : 0,
      marginMode: "cross",
      marginUsd: notional * Number(c.initialMarginRate),
      maintenanceMarginUsd: notional * Number(c.maintenanceMarginRate),
      liquidationPrice: null,
      fundingPaid: -moneyOf(p.unrealizedFundingPnl),
    });
  }
  return out;
}

export function accountReportOf(
  account: string,
  info: AccountInfo,
  contract: (symbol: string) => HibachiContract | undefined,
): AccountReport {
  let im = 0;
  let mm = 0;
  for (const p of info.positions) {
    const c = contract(p.symbol);
    const notional = Number(p.quantity) * Number(p.markPrice);
    im += notional * Number(c?.initialMarginRate ?? 0);
    mm += notional * Number(c?.maintenanceMarginRate ?? 0);
  }
  const equity = moneyOf(info.balance);
  return {
    account,
    cash: equity - moneyOf(info.totalUnrealizedPnl),
    equityUsd: toUsd(equity),
    initialMarginUsd: im,
    maintenanceMarginUsd: mm,
    availableUsd: Number(info.maximalWithdraw),
  };
}

/** One trade of the account as a fill; `t` is the order perpbot sent, when it did. */
export function fillOf(account: string, trade: Trade, inst: Instrument, t: Tracked | undefined): Fill {
  const orderId = trade.side === "BID" ? trade.bidOrderId : trade.askOrderId;
  return {
    fillId: String(trade.id),
    clientOrderId: t?.clientOrderId ?? `hibachi:${orderId}`,
    venueOrderId: orderId,
    account,
    symbol: trade.symbol,
    side: trade.side === "BID" ? "buy" : "sell",
    priceTicks: inst.price(trade.price),
    sizeLots: inst.size(trade.quantity),
    fee: moneyOf(trade.fee),
    // the trade list does not say who made the market: an order that could rest is taken as maker
    liquidity: t === undefined || t.tif === "ioc" ? "taker" : "maker",
    realisedPnl: moneyOf(trade.realizedPnl),
    ts: trade.timestamp * 1000,
  };
}

export function paymentOf(account: string, s: Settlement, inst: Instrument): FundingPaymentReport {
  const sign = s.direction === "Long" ? 1 : -1;
  const amount = moneyOf(s.settledAmount);
  const notional = Number(s.quantity) * Number(s.indexPrice);
  return {
    account,
    symbol: s.symbol,
    ts: s.timestamp * 1000,
    amount,
    // a long pays a positive rate: rate = −amount / notional for a long, per hour of the period
    ratePerHour: notional > 0 ? (-sign * toUsd(amount)) / notional / FUNDING_INTERVAL_HOURS : 0,
    hours: FUNDING_INTERVAL_HOURS,
    markPrice: Number(s.indexPrice),
    sizeLots: sign * inst.size(s.quantity),
  };
}
