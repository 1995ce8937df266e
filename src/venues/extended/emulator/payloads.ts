/**
 * The emulator's answers in Extended's shapes (python_sdk models, ccxt's captured samples; see
 * ../parse.ts): `{status:"OK", data}` / `{status:"ERROR", error:{code, message}}`, decimals as
 * strings, times in ms, ids as numbers (below 2^53 here, so any client parses them).
 */
import { toUsd } from "../../../core/money.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import {
  COLLATERAL_ID,
  COLLATERAL_RESOLUTION,
  type ExEngine,
  type ExFillRecord,
  type ExOrderRecord,
  type MarketSpec,
  type OrderStatus,
} from "./engine.ts";

type Json = Record<string, unknown>;

const num = (x: number, d = 8) => String(Number(x.toFixed(d)));

export function marketJson(engine: ExEngine, m: MarketSpec): Json {
  const mark = engine.exchange.markOf(m.symbol);
  const book = engine.books.get(m.symbol);
  const inst = engine.inst(m.symbol)!;
  const bid = book?.bestBidTicks();
  const ask = book?.bestAskTicks();
  return {
    name: m.symbol,
    assetName: m.asset,
    assetPrecision: inst.spec.lotSize.split(".")[1]?.length ?? 0,
    collateralAssetName: "USD",
    collateralAssetPrecision: 6,
    active: true,
    status: "ACTIVE",
    marketStats: {
      markPrice: String(mark),
      indexPrice: String(mark),
      lastPrice: String(mark),
      bidPrice: bid === undefined ? "0" : inst.priceText(bid),
      askPrice: ask === undefined ? "0" : inst.priceText(ask),
      fundingRate: num(engine.fundingRate.get(m.symbol) ?? 0, 10),
      nextFundingRate: (Math.floor(engine.clock.now() / 3_600_000) + 1) * 3_600_000,
    },
    tradingConfig: {
      minOrderSize: m.minOrderSize,
      minOrderSizeChange: m.minOrderSizeChange,
      minPriceChange: m.minPriceChange,
      maxLeverage: `${m.maxLeverage}.00`,
      maxNumOrders: "200",
    },
    l2Config: {
      type: "STARKX",
      collateralId: COLLATERAL_ID,
      collateralResolution: COLLATERAL_RESOLUTION,
      syntheticId: m.syntheticId,
      syntheticResolution: m.syntheticResolution,
    },
  };
}

export function orderJson(
  engine: ExEngine,
  o: ExOrderRecord,
  at?: { status: OrderStatus; filledLots: number },
): Json {
  const inst = engine.inst(o.market)!;
  const filled = at?.filledLots ?? o.filledLots;
  return {
    id: Number(o.id),
    accountId: 1,
    externalId: o.externalId,
    market: o.market,
    type: o.type,
    side: o.side,
    status: at?.status ?? o.status,
    price: inst.priceText(o.priceTicks),
    averagePrice: filled > 0 ? num(o.filledQuote / inst.sizeValue(o.filledLots), 8) : null,
    qty: inst.sizeText(o.lots),
    filledQty: inst.sizeText(filled),
    payedFee: num(o.paidFee, 12),
    reduceOnly: o.reduceOnly,
    postOnly: o.postOnly,
    timeInForce: o.timeInForce,
    createdTime: o.createdTime,
    updatedTime: o.updatedTime,
    expireTime: o.expiryEpochMillis,
  };
}

export function tradeJson(engine: ExEngine, f: ExFillRecord): Json {
  const inst = engine.inst(f.order.market)!;
  const qty = inst.sizeValue(f.lots);
  const price = inst.priceValue(f.priceTicks);
  return {
    id: f.tradeId,
    accountId: 1,
    market: f.order.market,
    orderId: Number(f.order.id),
    externalOrderId: f.order.externalId,
    side: f.order.side,
    price: inst.priceText(f.priceTicks),
    qty: inst.sizeText(f.lots),
    value: num(qty * price, 6),
    fee: f.fee,
    isTaker: f.isTaker,
    tradeType: "TRADE",
    createdTime: f.ts,
  };
}

export function positionsJson(engine: ExEngine, account: string): Json[] {
  return positionReports(engine.exchange, account)
    .filter((p) => p.sizeLots !== 0)
    .map((p) => {
      const inst = engine.inst(p.symbol)!;
      const size = inst.sizeValue(Math.abs(p.sizeLots));
      return {
        id: 1,
        accountId: 1,
        market: p.symbol,
        side: p.sizeLots > 0 ? "LONG" : "SHORT",
        leverage: String(p.leverage),
        size: inst.sizeText(Math.abs(p.sizeLots)),
        value: num(size * p.markPrice, 6),
        openPrice: num(p.entryPrice, 8),
        markPrice: num(p.markPrice, 8),
        liquidationPrice: p.liquidationPrice === null ? null : num(p.liquidationPrice, 8),
        margin: num(p.marginUsd, 6),
        unrealisedPnl: num(p.unrealisedPnlUsd, 6),
        realisedPnl: "0",
        createdAt: engine.clock.now(),
        updatedAt: engine.clock.now(),
      };
    });
}

export function balanceJson(engine: ExEngine, account: string): Json {
  const a = accountReport(engine.exchange, account);
  const cash = toUsd(a.cash);
  return {
    collateralName: "USD",
    balance: num(cash, 6),
    equity: num(a.equityUsd, 6),
    availableForTrade: num(a.availableUsd, 6),
    availableForWithdrawal: num(Math.max(0, a.availableUsd), 6),
    unrealisedPnl: num(a.equityUsd - cash, 6),
    initialMargin: num(a.initialMarginUsd, 6),
    marginRatio: num(a.equityUsd > 0 ? a.maintenanceMarginUsd / a.equityUsd : 0, 6),
    updatedTime: engine.clock.now(),
  };
}

const WEEK = 7 * 86_400_000;
/** Monday 2025-01-06 00:00 UTC: the emulator's first rewards epoch (its own choice) */
const FIRST_EPOCH = Date.UTC(2025, 0, 6);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * `/user/rewards/earned` (shape: ../rewards.ts). The venue publishes no points rule; the
 * emulator's is one point per $10 000 traded, season 1, one epoch per UTC week from Monday
 * 2025-01-06 (epoch 1), unless a driver set the account's seasons.
 */
export function rewardsJson(engine: ExEngine, apiKey: string): unknown[] {
  const set = engine.rewards.get(apiKey);
  if (set !== undefined) return [...set];
  const byEpoch = new Map<number, number>();
  for (const f of engine.fills.get(apiKey) ?? []) {
    const inst = engine.inst(f.order.market)!;
    const epoch = Math.floor((f.ts - FIRST_EPOCH) / WEEK) + 1;
    const notional = inst.sizeValue(f.lots) * inst.priceValue(f.priceTicks);
    byEpoch.set(epoch, (byEpoch.get(epoch) ?? 0) + notional);
  }
  if (byEpoch.size === 0) return [];
  const epochRewards = [...byEpoch]
    .sort(([a], [b]) => a - b)
    .map(([epochId, usd]) => {
      const start = FIRST_EPOCH + (epochId - 1) * WEEK;
      return {
        epochId,
        pointsReward: num(usd / 10_000, 6),
        startDate: day(start),
        endDate: day(start + WEEK - 1),
      };
    });
  return [{ seasonId: 1, epochRewards }];
}
