/**
 * The emulator's answers in GRVT's shapes (the samples ccxt js/src/grvt.js records beside its
 * parsers; see ../parse.ts): decimal strings, nanosecond time digits, `{"result": …}` envelopes.
 */
import { toUsd } from "../../../core/money.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import type { GrvtEngine, GrvtFillRecord, GrvtMarketSpec, GrvtOrderRecord } from "./engine.ts";

type Json = Record<string, unknown>;

export const ns = (ms: number) => `${Math.round(ms)}000000`;
/** the venue writes whole numbers with one decimal ("92336.0") */
const dec1 = (t: string) => (t.includes(".") ? t : `${t}.0`);
const num = (x: number, d = 9) => {
  const t = x.toFixed(d).replace(/0+$/, "").replace(/\.$/, ".0");
  return t === "-0.0" ? "0.0" : t;
};

export function instrumentJson(m: GrvtMarketSpec): Json {
  return {
    instrument: m.symbol,
    instrument_hash: m.hash,
    base: m.base,
    quote: "USDT",
    kind: "PERPETUAL",
    venues: ["ORDERBOOK", "RFQ"],
    settlement_period: "PERPETUAL",
    base_decimals: m.baseDecimals,
    quote_decimals: 6,
    tick_size: m.tickSize,
    min_size: m.minSize,
    create_time: "1768040726362828205",
    max_position_size: "1000.0",
    funding_interval_hours: m.fundingIntervalHours,
    adjusted_funding_rate_cap: "0.3",
    adjusted_funding_rate_floor: "-0.3",
    min_notional: m.minNotional,
  };
}

export function bookJson(engine: GrvtEngine, instrument: string, depth: number): Json {
  const book = engine.books.get(instrument);
  const inst = engine.inst(instrument);
  const side = (s: "bid" | "ask") =>
    (book?.depth(s, depth) ?? []).map((l) => ({
      price: dec1(inst?.priceText(inst.price(l.price)) ?? String(l.price)),
      size: dec1(inst?.sizeText(inst.size(l.size)) ?? String(l.size)),
      num_orders: 1,
    }));
  return { event_time: ns(engine.clock.now()), instrument, bids: side("bid"), asks: side("ask") };
}

/** funding_rate in percentage points per interval (the venue's unit) */
export function tickerJson(engine: GrvtEngine, instrument: string): Json {
  const inst = engine.inst(instrument);
  const hours = inst?.spec.fundingIntervalHours ?? 8;
  const interval = hours * 3_600_000;
  const mark = engine.exchange.markOf(instrument);
  const book = engine.books.get(instrument);
  const bid = book?.depth("bid", 1)[0];
  const ask = book?.depth("ask", 1)[0];
  const pct = num((engine.fundingRate.get(instrument) ?? 0) * hours * 100, 6);
  return {
    event_time: ns(engine.clock.now()),
    instrument,
    mark_price: num(mark),
    index_price: num(mark),
    best_bid_price: bid === undefined ? "0.0" : String(bid.price),
    best_ask_price: ask === undefined ? "0.0" : String(ask.price),
    funding_rate_8h_curr: pct,
    funding_rate: pct,
    next_funding_time: ns((Math.floor(engine.clock.now() / interval) + 1) * interval),
  };
}

export function orderJson(engine: GrvtEngine, o: GrvtOrderRecord): Json {
  const inst = engine.inst(o.instrument);
  const filled = inst?.sizeText(o.filledLots) ?? "0";
  const open =
    o.status === "OPEN" || o.status === "PENDING" ? (inst?.sizeText(o.lots - o.filledLots) ?? "0") : "0.0";
  const avg = o.filledLots > 0 && inst ? num(o.filledQuote / inst.sizeValue(o.filledLots)) : "0.0";
  return {
    order_id: o.orderId,
    sub_account_id: o.subAccountId,
    is_market: o.isMarket,
    time_in_force: o.timeInForce,
    post_only: o.postOnly,
    reduce_only: o.reduceOnly,
    legs: [
      {
        instrument: o.instrument,
        size: o.size,
        limit_price: o.limitPrice ?? "0.0",
        is_buying_asset: o.isBuy,
      },
    ],
    signature: o.signature,
    metadata: { client_order_id: o.clientOrderId, create_time: ns(o.createdAt) },
    state: {
      status: o.status,
      reject_reason: "UNSPECIFIED",
      book_size: [open],
      traded_size: [filled],
      update_time: ns(o.updatedAt),
      avg_fill_price: [avg],
    },
  };
}

export function fillJson(engine: GrvtEngine, f: GrvtFillRecord): Json {
  const inst = engine.inst(f.order.instrument);
  return {
    event_time: ns(f.ts),
    sub_account_id: f.order.subAccountId,
    instrument: f.order.instrument,
    is_buyer: f.order.isBuy,
    is_taker: f.isTaker,
    size: inst?.sizeText(f.lots) ?? "0",
    price: dec1(inst?.priceText(f.priceTicks) ?? "0"),
    fee: f.fee,
    trade_id: f.tradeId,
    order_id: f.order.orderId,
    client_order_id: f.order.clientOrderId,
    venue: "ORDERBOOK",
  };
}

export function positionsJson(engine: GrvtEngine, subAccountId: string, only?: string): Json[] {
  return positionReports(engine.exchange, subAccountId)
    .filter((p) => only === undefined || p.symbol === only)
    .map((p) => {
      const inst = engine.inst(p.symbol);
      return {
        event_time: ns(engine.clock.now()),
        sub_account_id: subAccountId,
        instrument: p.symbol,
        size: inst?.sizeText(p.sizeLots) ?? "0",
        notional: num((inst?.sizeValue(p.sizeLots) ?? 0) * p.markPrice, 6),
        entry_price: num(p.entryPrice),
        mark_price: num(p.markPrice),
        unrealized_pnl: num(p.unrealisedPnlUsd, 6),
        realized_pnl: "0.0",
        est_liquidation_price: p.liquidationPrice === null ? "0.0" : num(p.liquidationPrice),
        leverage: num(p.leverage, 1),
        cumulative_realized_funding_payment: num(-toUsd(p.fundingPaid), 9),
      };
    });
}

export function accountSummaryJson(engine: GrvtEngine, subAccountId: string): Json {
  const a = accountReport(engine.exchange, subAccountId);
  const cash = toUsd(a.cash);
  return {
    event_time: ns(engine.clock.now()),
    sub_account_id: subAccountId,
    margin_type: "SIMPLE_CROSS_MARGIN",
    settle_currency: "USDT",
    unrealized_pnl: num(a.equityUsd - cash, 6),
    total_equity: num(a.equityUsd, 6),
    initial_margin: num(a.initialMarginUsd, 6),
    maintenance_margin: num(a.maintenanceMarginUsd, 6),
    available_balance: num(a.availableUsd, 6),
    spot_balances: [{ currency: "USDT", balance: num(cash, 6), index_price: "1.0" }],
    positions: positionsJson(engine, subAccountId),
  };
}
