/**
 * The emulator's answers in Aster's (Binance USDⓈ-M's) shapes: decimal strings, numeric order ids,
 * times in ms. Field lists from asterdex/api-docs "aster-finance-futures-api-v3.md" (exchangeInfo,
 * New Order response, positionRisk, account, userTrades, income, user data stream events).
 */
import { toUsd } from "../../../core/money.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import type { AsEngine, AsFillRecord, AsOrderRecord, MarketSpec, OrderSnapshot } from "./engine.ts";

type Json = Record<string, unknown>;

const num = (x: number, d = 8) => String(Number(x.toFixed(d)));

export function exchangeInfoJson(engine: AsEngine): Json {
  return {
    timezone: "UTC",
    serverTime: engine.clock.now(),
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 2400 },
      { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
    ],
    assets: [{ asset: "USDT", marginAvailable: true }],
    symbols: engine.markets.map(symbolJson),
  };
}

function symbolJson(m: MarketSpec): Json {
  return {
    symbol: m.symbol,
    pair: m.symbol,
    contractType: "PERPETUAL",
    status: "TRADING",
    baseAsset: m.base,
    quoteAsset: "USDT",
    marginAsset: "USDT",
    pricePrecision: Math.max(0, m.tickSize.split(".")[1]?.length ?? 0),
    quantityPrecision: Math.max(0, m.stepSize.split(".")[1]?.length ?? 0),
    filters: [
      { filterType: "PRICE_FILTER", minPrice: m.tickSize, maxPrice: "1000000", tickSize: m.tickSize },
      { filterType: "LOT_SIZE", minQty: m.minQty, maxQty: "100000", stepSize: m.stepSize },
      { filterType: "MARKET_LOT_SIZE", minQty: m.minQty, maxQty: "10000", stepSize: m.stepSize },
      { filterType: "MAX_NUM_ORDERS", limit: 200 },
      { filterType: "MIN_NOTIONAL", notional: String(m.minNotional) },
      { filterType: "PERCENT_PRICE", multiplierUp: "1.1", multiplierDown: "0.9", multiplierDecimal: 4 },
    ],
    orderTypes: ["LIMIT", "MARKET"],
    timeInForce: ["GTC", "IOC", "FOK", "GTX"],
  };
}

export function nextFundingTime(engine: AsEngine, m: MarketSpec): number {
  const interval = m.fundingIntervalHours * 3_600_000;
  return (Math.floor(engine.clock.now() / interval) + 1) * interval;
}

/** The rate of one interval of the symbol (the venue's unit), from the engine's rate per hour. */
export function intervalRate(engine: AsEngine, m: MarketSpec): string {
  return num((engine.fundingRate.get(m.symbol) ?? 0) * m.fundingIntervalHours, 10);
}

export function premiumIndexJson(engine: AsEngine, m: MarketSpec): Json {
  const mark = engine.exchange.markOf(m.symbol);
  return {
    symbol: m.symbol,
    markPrice: num(mark),
    indexPrice: num(mark),
    estimatedSettlePrice: num(mark),
    lastFundingRate: intervalRate(engine, m),
    interestRate: "0.00010000",
    nextFundingTime: nextFundingTime(engine, m),
    time: engine.clock.now(),
  };
}

export function fundingInfoJson(m: MarketSpec): Json {
  return {
    symbol: m.symbol,
    interestRate: "0.00010000",
    time: 0,
    fundingIntervalHours: m.fundingIntervalHours,
    fundingFeeCap: 0.02,
    fundingFeeFloor: -0.02,
  };
}

export function orderJson(engine: AsEngine, o: AsOrderRecord): Json {
  const inst = engine.inst(o.symbol)!;
  const filled = inst.sizeValue(o.filledLots);
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: inst.priceText(o.priceTicks),
    avgPrice: filled > 0 ? num(o.filledQuote / filled) : "0",
    origQty: inst.sizeText(o.lots),
    executedQty: inst.sizeText(o.filledLots),
    cumQty: inst.sizeText(o.filledLots),
    cumQuote: num(o.filledQuote),
    timeInForce: o.timeInForce,
    type: o.type,
    origType: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side,
    positionSide: "BOTH",
    stopPrice: "0",
    workingType: "CONTRACT_PRICE",
    priceProtect: false,
    time: o.time,
    updateTime: o.updateTime,
  };
}

export function positionRiskJson(engine: AsEngine, account: string, symbol: string | null): Json[] {
  const reports = new Map(positionReports(engine.exchange, account).map((p) => [p.symbol, p]));
  return engine.markets
    .filter((m) => symbol === null || m.symbol === symbol)
    .map((m) => {
      const inst = engine.inst(m.symbol)!;
      const p = reports.get(m.symbol);
      const mark = engine.exchange.markOf(m.symbol);
      const lots = p?.sizeLots ?? 0;
      return {
        symbol: m.symbol,
        positionAmt: inst.sizeText(lots),
        entryPrice: num(p?.entryPrice ?? 0),
        markPrice: num(mark),
        unRealizedProfit: num(p?.unrealisedPnlUsd ?? 0, 6),
        liquidationPrice: num(p?.liquidationPrice ?? 0),
        leverage: String(
          p?.leverage ?? engine.leverage.get(`${account}|${m.symbol}`) ?? Math.min(20, m.maxLeverage),
        ),
        maxNotionalValue: "1000000",
        marginType: "cross",
        isolatedMargin: "0",
        isAutoAddMargin: "false",
        positionSide: "BOTH",
        notional: num(inst.sizeValue(lots) * mark, 6),
        maintMargin: num(p?.maintenanceMarginUsd ?? 0, 6),
        updateTime: engine.clock.now(),
      };
    });
}

export function accountJson(engine: AsEngine, account: string): Json {
  const a = accountReport(engine.exchange, account);
  const cash = toUsd(a.cash);
  const positions = positionReports(engine.exchange, account).map((p) => {
    const inst = engine.inst(p.symbol)!;
    const notional = Math.abs(inst.sizeValue(p.sizeLots) * p.markPrice);
    return {
      symbol: p.symbol,
      initialMargin: num(notional / p.leverage, 6),
      maintMargin: num(p.maintenanceMarginUsd, 6),
      unrealizedProfit: num(p.unrealisedPnlUsd, 6),
      positionAmt: inst.sizeText(p.sizeLots),
      entryPrice: num(p.entryPrice),
      leverage: String(p.leverage),
      isolated: false,
      positionSide: "BOTH",
      notional: num(inst.sizeValue(p.sizeLots) * p.markPrice, 6),
    };
  });
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    totalInitialMargin: num(a.initialMarginUsd, 6),
    totalMaintMargin: num(a.maintenanceMarginUsd, 6),
    totalWalletBalance: num(cash, 6),
    totalUnrealizedProfit: num(a.equityUsd - cash, 6),
    totalMarginBalance: num(a.equityUsd, 6),
    totalPositionInitialMargin: num(a.initialMarginUsd, 6),
    totalOpenOrderInitialMargin: "0",
    totalCrossWalletBalance: num(cash, 6),
    availableBalance: num(a.availableUsd, 6),
    maxWithdrawAmount: num(a.availableUsd, 6),
    assets: [
      {
        asset: "USDT",
        walletBalance: num(cash, 6),
        marginBalance: num(a.equityUsd, 6),
        availableBalance: num(a.availableUsd, 6),
      },
    ],
    positions,
  };
}

export function balanceJson(engine: AsEngine, account: string): Json[] {
  const a = accountReport(engine.exchange, account);
  const cash = toUsd(a.cash);
  return [
    {
      accountAlias: "SgsR",
      asset: "USDT",
      balance: num(cash, 6),
      crossWalletBalance: num(cash, 6),
      crossUnPnl: num(a.equityUsd - cash, 6),
      availableBalance: num(a.availableUsd, 6),
      maxWithdrawAmount: num(a.availableUsd, 6),
      marginAvailable: true,
      updateTime: engine.clock.now(),
    },
  ];
}

export function userTradeJson(engine: AsEngine, f: AsFillRecord): Json {
  const inst = engine.inst(f.order.symbol)!;
  const px = inst.priceValue(f.priceTicks);
  return {
    buyer: f.order.side === "BUY",
    commission: f.commission,
    commissionAsset: "USDT",
    id: f.id,
    maker: f.maker,
    orderId: f.order.orderId,
    price: inst.priceText(f.priceTicks),
    qty: inst.sizeText(f.lots),
    quoteQty: num(px * inst.sizeValue(f.lots)),
    realizedPnl: f.realizedPnl,
    side: f.order.side,
    positionSide: "BOTH",
    symbol: f.order.symbol,
    time: f.time,
  };
}

/** ORDER_TRADE_UPDATE of one execution (x: NEW, TRADE, CANCELED, EXPIRED). */
export function orderUpdateJson(
  engine: AsEngine,
  x: string,
  o: AsOrderRecord,
  at: OrderSnapshot,
  f: AsFillRecord | undefined,
): Json {
  const inst = engine.inst(o.symbol)!;
  const ts = f?.time ?? engine.clock.now();
  const filled = inst.sizeValue(at.filledLots);
  return {
    e: "ORDER_TRADE_UPDATE",
    E: ts,
    T: ts,
    o: {
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: inst.sizeText(o.lots),
      p: inst.priceText(o.priceTicks),
      ap: filled > 0 ? num(at.filledQuote / filled) : "0",
      sp: "0",
      x,
      X: at.status,
      i: o.orderId,
      l: f === undefined ? "0" : inst.sizeText(f.lots),
      z: inst.sizeText(at.filledLots),
      L: f === undefined ? "0" : inst.priceText(f.priceTicks),
      N: "USDT",
      n: f?.commission ?? "0",
      T: ts,
      t: f?.id ?? 0,
      b: "0",
      a: "0",
      m: f?.maker ?? false,
      R: o.reduceOnly,
      wt: "CONTRACT_PRICE",
      ot: o.type,
      ps: "BOTH",
      cp: false,
      rp: f?.realizedPnl ?? "0",
    },
  };
}

/** ACCOUNT_UPDATE after a fill ("ORDER") or a funding settlement ("FUNDING_FEE"). */
export function accountUpdateJson(engine: AsEngine, account: string, reason: string): Json {
  const a = accountReport(engine.exchange, account);
  const cash = toUsd(a.cash);
  const ts = engine.clock.now();
  return {
    e: "ACCOUNT_UPDATE",
    E: ts,
    T: ts,
    a: {
      m: reason,
      B: [{ a: "USDT", wb: num(cash, 6), cw: num(cash, 6), bc: "0" }],
      P: positionReports(engine.exchange, account).map((p) => ({
        s: p.symbol,
        pa: engine.inst(p.symbol)!.sizeText(p.sizeLots),
        ep: num(p.entryPrice),
        cr: "0",
        up: num(p.unrealisedPnlUsd, 6),
        mt: "cross",
        iw: "0",
        ps: "BOTH",
      })),
    },
  };
}
