/**
 * The emulator's answers in Hibachi's shapes (hibachi_sdk python/hibachi_xyz/types.py and its
 * recorded payloads python/tests/unit/data/response.*.json): decimal strings, order ids as
 * strings, funding times in seconds.
 */
import { moneyText, toUsd } from "../../../core/money.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import {
  type ContractSpec,
  FUNDING_INTERVAL_HOURS,
  type HbEngine,
  type HbOrder,
  type HbSettlement,
  type HbTrade,
} from "./engine.ts";

type Json = Record<string, unknown>;
const num = (x: number, d = 8) => String(Number(x.toFixed(d)));

export function exchangeInfoJson(engine: HbEngine): Json {
  return {
    feeConfig: {
      depositFees: "0.006769",
      tradeMakerFeeRate: engine.makerFeeRate,
      tradeTakerFeeRate: engine.takerFeeRate,
      transferFeeRate: "0.00010000",
      withdrawalFees: "0.018052",
    },
    futureContracts: engine.contracts.map((c) => ({
      displayName: `${c.underlyingSymbol}/USDT Perps`,
      id: c.id,
      initialMarginRate: c.initialMarginRate,
      maintenanceMarginRate: c.maintenanceMarginRate,
      marketCloseTimestamp: null,
      marketOpenTimestamp: null,
      minNotional: c.minNotional,
      minOrderSize: c.stepSize,
      orderbookGranularities: ["0.01", "0.1", "1", "10"],
      settlementDecimals: c.settlementDecimals,
      settlementSymbol: "USDT",
      status: "LIVE",
      stepSize: c.stepSize,
      symbol: c.symbol,
      tickSize: c.tickSize,
      underlyingDecimals: c.underlyingDecimals,
      underlyingSymbol: c.underlyingSymbol,
    })),
    maintenanceWindow: [],
    status: "NORMAL",
  };
}

export function pricesJson(engine: HbEngine, c: ContractSpec): Json {
  const book = engine.books.get(c.symbol)!;
  const inst = engine.instruments.get(c.symbol)!;
  const mark = engine.exchange.markOf(c.symbol);
  const interval = FUNDING_INTERVAL_HOURS * 3_600_000;
  const bid = book.bestBidTicks();
  const ask = book.bestAskTicks();
  const rate = engine.fundingRate.get(c.symbol) ?? 0;
  return {
    symbol: c.symbol,
    markPrice: num(mark, 6),
    spotPrice: num(mark, 6),
    tradePrice: num(mark, 6),
    bidPrice: bid === undefined ? null : inst.priceText(bid),
    askPrice: ask === undefined ? null : inst.priceText(ask),
    fundingRateEstimation: {
      // the rate of one 8 h period, as the venue quotes it
      estimatedFundingRate: num(rate * FUNDING_INTERVAL_HOURS, 8),
      nextFundingTimestamp: (Math.floor(engine.clock.now() / interval) + 1) * (interval / 1000),
    },
  };
}

export function orderbookJson(engine: HbEngine, c: ContractSpec, depth: number): Json {
  const book = engine.books.get(c.symbol)!;
  const side = (s: "bid" | "ask") => ({
    levels: book.depth(s, depth).map((l) => ({ price: num(l.price, 6), quantity: num(l.size, 10) })),
  });
  return { ask: side("ask"), bid: side("bid") };
}

export function orderJson(engine: HbEngine, o: HbOrder): Json {
  const inst = engine.instruments.get(o.contract.symbol)!;
  return {
    accountId: o.accountId,
    orderId: o.orderId,
    nonce: o.nonce,
    contractId: o.contract.id,
    symbol: o.contract.symbol,
    side: o.side,
    orderType: o.orderType,
    status: o.status,
    price: o.price ?? null,
    totalQuantity: inst.sizeText(o.lots),
    availableQuantity: inst.sizeText(o.lots - o.filledLots),
    creationTime: Math.floor(o.creationTime / 1000),
    finishTime: null,
  };
}

export function accountInfoJson(engine: HbEngine, accountId: number): Json {
  const account = String(accountId);
  const a = accountReport(engine.exchange, account);
  const positions = positionReports(engine.exchange, account).map((p) => {
    const inst = engine.instruments.get(p.symbol)!;
    const qty = inst.sizeValue(Math.abs(p.sizeLots));
    return {
      symbol: p.symbol,
      direction: p.sizeLots > 0 ? "Long" : "Short",
      quantity: inst.sizeText(Math.abs(p.sizeLots)),
      openPrice: num(p.entryPrice, 6),
      markPrice: num(p.markPrice, 6),
      entryNotional: num(qty * p.entryPrice, 6),
      notionalValue: num(qty * p.markPrice, 6),
      unrealizedTradingPnl: num(p.unrealisedPnlUsd, 6),
      unrealizedFundingPnl: num(-toUsd(p.fundingPaid), 6),
    };
  });
  return {
    assets: [{ symbol: "USDT", quantity: moneyText(a.cash) }],
    balance: num(a.equityUsd, 6),
    maximalWithdraw: num(Math.max(0, a.availableUsd), 6),
    numFreeTransfersRemaining: 100,
    positions,
    totalOrderNotional: "0",
    totalPositionNotional: num(
      positions.reduce((s, p) => s + Number(p.notionalValue), 0),
      6,
    ),
    totalUnrealizedFundingPnl: num(
      positions.reduce((s, p) => s + Number(p.unrealizedFundingPnl), 0),
      6,
    ),
    totalUnrealizedPnl: num(
      positions.reduce((s, p) => s + Number(p.unrealizedTradingPnl) + Number(p.unrealizedFundingPnl), 0),
      6,
    ),
    totalUnrealizedTradingPnl: num(
      positions.reduce((s, p) => s + Number(p.unrealizedTradingPnl), 0),
      6,
    ),
    tradeMakerFeeRate: engine.makerFeeRate,
    tradeTakerFeeRate: engine.takerFeeRate,
  };
}

export function tradeJson(t: HbTrade): Json {
  const bid = t.order.side === "BID";
  return {
    id: t.id,
    symbol: t.order.contract.symbol,
    side: t.order.side,
    orderType: t.order.orderType,
    price: t.price,
    quantity: t.quantity,
    fee: t.fee,
    realizedPnl: t.realizedPnl,
    bidAccountId: bid ? t.accountId : 0,
    // order ids as text, as the venue gives orderId elsewhere (they pass 2^53)
    bidOrderId: bid ? t.order.orderId : "0",
    askAccountId: bid ? 0 : t.accountId,
    askOrderId: bid ? "0" : t.order.orderId,
    timestamp: Math.floor(t.ts / 1000),
  };
}

export function settlementJson(s: HbSettlement): Json {
  return {
    symbol: s.symbol,
    direction: s.direction,
    quantity: s.quantity,
    indexPrice: s.indexPrice,
    settledAmount: s.settledAmount,
    timestamp: Math.floor(s.ts / 1000),
  };
}
