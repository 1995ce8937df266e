/**
 * The emulator's answers in EdgeX V2's shapes (../parse.ts names the sources): every answer in
 * the `{code, data, msg, errorParam, requestTime, responseTime, traceId}` envelope, decimals as
 * strings, ids and times as decimal strings.
 */
import { toUsd } from "../../../core/money.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import {
  type ContractSpec,
  DOMAIN,
  type EdgexEngine,
  type FillRecord,
  type FundingRecord,
  type OrderRecord,
  type OrderState,
  QUOTE_COIN,
} from "./engine.ts";

export type Json = Record<string, unknown>;

let trace = 0;

export function envelope(code: string, data: unknown, now: number, msg: string | null = null): Json {
  return {
    code,
    data,
    msg,
    errorParam: null,
    requestTime: String(now),
    responseTime: String(now),
    traceId: `emu-${++trace}`,
  };
}

const n = (x: number, d = 8) => String(Number(x.toFixed(d)));

export function metadataJson(contracts: readonly ContractSpec[]): Json {
  return {
    global: {
      appName: "edgeX",
      appEnv: "emulator",
      nativeChainId: DOMAIN.chainId,
      contractAddress: DOMAIN.contractAddress,
    },
    coinList: [QUOTE_COIN],
    contractList: contracts.map((c) => ({
      contractId: c.contractId,
      contractName: c.symbol,
      baseCoinId: String(1000 + Number(c.contractId.slice(-2))),
      quoteCoinId: QUOTE_COIN.coinId,
      tickSize: c.tickSize,
      stepSize: c.stepSize,
      minOrderSize: c.minOrderSize,
      maxOrderSize: "1000000",
      defaultTakerFeeRate: c.takerFeeRate,
      defaultMakerFeeRate: c.makerFeeRate,
      defaultLeverage: "10",
      displayMaxLeverage: String(c.maxLeverage),
      enableTrade: true,
      fundingRateIntervalMin: String(c.fundingIntervalMin),
      resolution: c.resolution,
    })),
  };
}

export function depthJson(engine: EdgexEngine, c: ContractSpec, version: number, levels = 15): Json {
  const inst = engine.inst(c.symbol);
  const book = engine.books.get(c.symbol);
  const side = (s: "bid" | "ask") => {
    const out: { price: string; size: string }[] = [];
    book?.walk(s, (ticks, size) => {
      out.push({ price: inst.priceText(ticks), size: String(Number(size.toFixed(10))) });
      return out.length < levels;
    });
    return out;
  };
  return {
    startVersion: String(version),
    endVersion: String(version),
    level: levels,
    contractId: c.contractId,
    contractName: c.symbol,
    depthType: "SNAPSHOT",
    asks: side("ask"),
    bids: side("bid"),
  };
}

export function tickerJson(engine: EdgexEngine, c: ContractSpec): Json {
  const mark = engine.exchange.markOf(c.symbol);
  const perHour = engine.fundingRate.get(c.symbol) ?? 0;
  return {
    contractId: c.contractId,
    contractName: c.symbol,
    lastPrice: n(mark),
    indexPrice: n(mark),
    oraclePrice: n(mark),
    fundingRate: n((perHour * c.fundingIntervalMin) / 60, 10),
  };
}

export function fundingRateJson(engine: EdgexEngine, c: ContractSpec): Json {
  const perHour = engine.fundingRate.get(c.symbol) ?? 0;
  return {
    contractId: c.contractId,
    fundingTime: String(engine.clock.now()),
    oraclePrice: n(engine.exchange.markOf(c.symbol)),
    fundingRate: n((perHour * c.fundingIntervalMin) / 60, 10),
    fundingRateIntervalMin: String(c.fundingIntervalMin),
  };
}

export function orderJson(engine: EdgexEngine, rec: OrderRecord, at?: OrderState): Json {
  const inst = engine.inst(rec.symbol);
  const o = at === undefined ? rec : { ...rec, ...at };
  return {
    id: o.id,
    accountId: o.accountId,
    coinId: QUOTE_COIN.coinId,
    contractId: o.contractId,
    side: o.side,
    price: inst.priceText(o.priceTicks),
    size: inst.sizeText(o.lots),
    clientOrderId: o.clientOrderId,
    type: "LIMIT",
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
    status: o.status,
    cumFillSize: inst.sizeText(o.filledLots),
    cumFillValue: n(o.filledValue),
    cumFillFee: n(o.filledFee, 10),
    cancelReason: o.cancelReason,
    createdTime: String(o.createdTime),
    updatedTime: String(o.updatedTime),
  };
}

export function fillJson(engine: EdgexEngine, f: FillRecord): Json {
  const inst = engine.inst(f.order.symbol);
  const px = inst.priceValue(f.priceTicks);
  return {
    id: f.id,
    accountId: f.order.accountId,
    orderId: f.order.id,
    contractId: f.order.contractId,
    orderSide: f.order.side,
    fillSize: inst.sizeText(f.lots),
    fillValue: n(px * inst.sizeValue(f.lots)),
    fillFee: n(f.fee, 10),
    fillPrice: inst.priceText(f.priceTicks),
    realizePnl: "0",
    direction: f.maker ? "MAKER" : "TAKER",
    matchTime: String(f.ts),
    createdTime: String(f.ts),
  };
}

export function fundingTxJson(engine: EdgexEngine, accountId: string, r: FundingRecord): Json {
  const inst = engine.inst(r.symbol);
  return {
    id: r.id,
    accountId,
    contractId: r.contractId,
    type: "SETTLE_FUNDING_FEE",
    deltaFundingFee: n(r.amount, 10),
    fundingTime: String(r.ts),
    fundingRate: n(r.ratePerInterval, 12),
    fundingOraclePrice: n(r.mark),
    fundingPositionSize: inst.sizeText(r.positionLots),
    createdTime: String(r.ts),
  };
}

export function accountAssetJson(engine: EdgexEngine, accountId: string): Json {
  const ex = engine.exchange;
  const a = accountReport(ex, accountId);
  const positions = positionReports(ex, accountId).filter((p) => p.sizeLots !== 0);
  const cash = toUsd(a.cash);
  const contractOf = (s: string) => engine.bySymbol(s)?.contractId ?? s;
  return {
    account: { id: accountId },
    collateralList: [{ coinId: QUOTE_COIN.coinId, amount: n(cash, 10) }],
    positionList: positions.map((p) => {
      const inst = engine.inst(p.symbol);
      const size = inst.sizeValue(p.sizeLots);
      return {
        contractId: contractOf(p.symbol),
        openSize: inst.sizeText(p.sizeLots),
        openValue: n(size * p.entryPrice),
        fundingFee: n(-toUsd(p.fundingPaid), 10),
      };
    }),
    positionAssetList: positions.map((p) => {
      const inst = engine.inst(p.symbol);
      const value = inst.sizeValue(p.sizeLots) * p.markPrice;
      return {
        contractId: contractOf(p.symbol),
        positionValue: n(value),
        avgEntryPrice: n(p.entryPrice),
        liquidatePrice: p.liquidationPrice === null ? "0" : n(p.liquidationPrice),
        unrealizePnl: n(p.unrealisedPnlUsd),
        maxLeverage: String(p.leverage),
        initialMarginRequirement: n(Math.abs(value) / p.leverage),
        starkExRiskValue: n(p.maintenanceMarginUsd),
      };
    }),
    collateralAssetModelList: [
      {
        coinId: QUOTE_COIN.coinId,
        totalEquity: n(a.equityUsd),
        availableAmount: n(a.availableUsd),
        initialMarginRequirement: n(a.initialMarginUsd),
        starkExRiskValue: n(a.maintenanceMarginUsd),
      },
    ],
  };
}
