/**
 * The emulator's answers in Backpack's shapes (docs.backpack.exchange; the order example is the
 * docs' "Execute order" response): decimal strings, order ids as strings, history times as ISO
 * text without a zone, stream times in microseconds.
 */
import { toUsd } from "../../../core/money.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import type { BpEngine, BpFillRecord, BpOrderRecord, MarketSpec, OrderSnapshot } from "./engine.ts";

type Json = Record<string, unknown>;

/** "2025-01-01T00:00:00.123" (UTC, no zone: the venue's history format) */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "");
}

const num = (x: number, d = 8) => String(Number(x.toFixed(d)));

export function marketJson(m: MarketSpec): Json {
  return {
    symbol: m.symbol,
    baseSymbol: m.base,
    quoteSymbol: "USDC",
    marketType: "PERP",
    filters: {
      price: { minPrice: m.tickSize, maxPrice: null, tickSize: m.tickSize },
      quantity: { minQuantity: m.minQuantity, maxQuantity: null, stepSize: m.stepSize },
    },
    imfFunction: { type: "sqrt", base: m.imf, factor: "0.00006" },
    mmfFunction: { type: "sqrt", base: String(Number(m.imf) / 2), factor: "0.00004" },
    fundingInterval: m.fundingIntervalMs,
    orderBookState: "Open",
  };
}

export function orderJson(engine: BpEngine, o: BpOrderRecord): Json {
  const inst = engine.inst(o.symbol)!;
  return {
    id: o.id,
    clientId: o.clientId ?? null,
    symbol: o.symbol,
    side: o.side,
    orderType: "Limit",
    timeInForce: o.timeInForce,
    price: inst.priceText(o.priceTicks),
    quantity: inst.sizeText(o.lots),
    executedQuantity: inst.sizeText(o.filledLots),
    executedQuoteQuantity: num(o.filledQuote, 8),
    status: o.status,
    selfTradePrevention: "RejectTaker",
    postOnly: o.postOnly,
    reduceOnly: o.reduceOnly,
    createdAt: o.createdAt,
  };
}

export function fillJson(engine: BpEngine, f: BpFillRecord): Json {
  const inst = engine.inst(f.order.symbol)!;
  return {
    tradeId: f.tradeId,
    orderId: f.order.id,
    clientId: f.order.clientId ?? null,
    symbol: f.order.symbol,
    side: f.order.side,
    price: inst.priceText(f.priceTicks),
    quantity: inst.sizeText(f.lots),
    fee: f.fee,
    feeSymbol: "USDC",
    isMaker: f.isMaker,
    systemOrderType: null,
    timestamp: iso(f.ts),
  };
}

/** account.orderUpdate data of one order event (field letters from the docs' "Order update"). */
export function orderUpdateJson(
  engine: BpEngine,
  e: string,
  o: BpOrderRecord,
  at: OrderSnapshot,
  f: BpFillRecord | undefined,
): Json {
  const inst = engine.inst(o.symbol)!;
  const ts = (f?.ts ?? engine.clock.now()) * 1000;
  const out: Json = {
    e,
    E: ts,
    s: o.symbol,
    c: o.clientId,
    S: o.side,
    o: "LIMIT",
    f: o.timeInForce,
    q: inst.sizeText(o.lots),
    p: inst.priceText(o.priceTicks),
    X: at.status,
    i: o.id,
    z: inst.sizeText(at.filledLots),
    Z: num(at.filledQuote, 8),
    V: "RejectTaker",
    r: o.reduceOnly,
    y: o.postOnly,
    T: ts,
    O: "USER",
  };
  if (f !== undefined)
    Object.assign(out, {
      t: f.tradeId,
      l: inst.sizeText(f.lots),
      L: inst.priceText(f.priceTicks),
      m: f.isMaker,
      n: f.fee,
      N: "USDC",
    });
  return out;
}

export function positionsJson(engine: BpEngine, account: string): Json[] {
  return positionReports(engine.exchange, account).map((p) => {
    const inst = engine.inst(p.symbol)!;
    const notional = inst.sizeValue(p.sizeLots) * p.markPrice;
    return {
      symbol: p.symbol,
      netQuantity: inst.sizeText(p.sizeLots),
      netExposureQuantity: inst.sizeText(Math.abs(p.sizeLots)),
      netExposureNotional: num(notional, 6),
      entryPrice: num(p.entryPrice, 8),
      markPrice: num(p.markPrice, 8),
      breakEvenPrice: num(p.entryPrice, 8),
      estLiquidationPrice: p.liquidationPrice === null ? "0" : num(p.liquidationPrice, 8),
      pnlUnrealized: num(p.unrealisedPnlUsd, 6),
      pnlRealized: "0",
      cumulativeFundingPayment: num(-toUsd(p.fundingPaid), 12),
      imf: num(1 / p.leverage, 8),
      mmf: num(notional === 0 ? 0 : p.maintenanceMarginUsd / Math.abs(notional), 8),
      positionId: `${account.slice(0, 8)}-${p.symbol}`,
    };
  });
}

export function collateralJson(engine: BpEngine, account: string): Json {
  const a = accountReport(engine.exchange, account);
  const exposure = positionReports(engine.exchange, account).reduce(
    (n, p) => n + Math.abs(engine.inst(p.symbol)!.sizeValue(p.sizeLots) * p.markPrice),
    0,
  );
  const cash = toUsd(a.cash);
  return {
    assetsValue: num(cash, 6),
    borrowLiability: "0",
    collateral: [
      {
        symbol: "USDC",
        assetMarkPrice: "1",
        totalQuantity: num(cash, 12),
        balanceNotional: num(cash, 6),
        collateralWeight: "1",
        collateralValue: num(cash, 6),
        openOrderQuantity: "0",
        lendQuantity: "0",
        availableQuantity: num(cash, 12),
      },
    ],
    imf: num(a.equityUsd > 0 ? a.initialMarginUsd / a.equityUsd : 0, 8),
    mmf: num(exposure > 0 ? a.maintenanceMarginUsd / exposure : 0, 10),
    liabilitiesValue: "0",
    netEquity: num(a.equityUsd, 6),
    netEquityAvailable: num(a.availableUsd, 6),
    netEquityLocked: num(a.initialMarginUsd, 6),
    netExposureFutures: num(exposure, 6),
    pnlUnrealized: num(a.equityUsd - cash, 6),
  };
}
