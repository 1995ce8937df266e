/**
 * The emulator's answers in Lighter's shapes (LO `openapi.json` models Order, Trade, Account,
 * PositionFunding; cxs `response/lighter.json`): decimal strings scaled by the market's decimals,
 * order indexes as numbers and `order_id` as their text, times in ms (fundings in s).
 */
import { toUsd } from "../../../core/money.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import type { AccountRecord, LtEngine, LtOrderRecord, LtTradeRecord, MarketSpec } from "./engine.ts";

type Json = Record<string, unknown>;

const fixed = (x: number, d: number) => x.toFixed(d);

export function marketDetailJson(engine: LtEngine, m: MarketSpec): Json {
  return {
    symbol: m.symbol,
    market_id: m.marketId,
    status: "active",
    taker_fee: "0.0000",
    maker_fee: "0.0000",
    liquidation_fee: "1.0000",
    min_base_amount: m.minBase,
    min_quote_amount: "10.000000",
    supported_size_decimals: m.sizeDecimals,
    supported_price_decimals: m.priceDecimals,
    supported_quote_decimals: 6,
    size_decimals: m.sizeDecimals,
    price_decimals: m.priceDecimals,
    quote_multiplier: 1,
    default_initial_margin_fraction: m.imf,
    min_initial_margin_fraction: m.imf,
    maintenance_margin_fraction: m.mmf,
    closeout_margin_fraction: Math.round(m.mmf * 0.66),
    last_trade_price: engine.exchange.markOf(m.symbol),
    open_interest: 0,
  };
}

export function orderJson(engine: LtEngine, o: LtOrderRecord): Json {
  const inst = engine.inst(o.market);
  return {
    order_index: o.orderIndex,
    client_order_index: o.clientOrderIndex,
    order_id: String(o.orderIndex),
    client_order_id: String(o.clientOrderIndex),
    market_index: o.market.marketId,
    owner_account_index: o.account,
    initial_base_amount: inst.sizeText(o.lots),
    price: inst.priceText(o.priceTicks),
    nonce: o.nonce,
    remaining_base_amount: inst.sizeText(o.status === "open" ? o.lots - o.filledLots : 0),
    is_ask: o.isAsk,
    base_size: o.lots,
    base_price: o.priceTicks,
    filled_base_amount: inst.sizeText(o.filledLots),
    filled_quote_amount: fixed(o.filledQuote, 6),
    side: o.isAsk ? "sell" : "buy",
    type: "limit",
    time_in_force: o.timeInForce,
    reduce_only: o.reduceOnly,
    trigger_price: "0",
    order_expiry: o.orderExpiry,
    status: o.status,
    trigger_status: "na",
    timestamp: o.timestamp,
  };
}

/** A trade as one side's account sees it: the other side is the market (account 0). */
export function tradeJson(engine: LtEngine, t: LtTradeRecord): Json {
  const inst = engine.inst(t.market);
  const mineAsk = t.order.isAsk;
  const other = t.order.orderIndex + 2 ** 47;
  return {
    trade_id: t.tradeId,
    tx_hash: t.tradeId.toString(16).padStart(16, "0"),
    type: "trade",
    market_id: t.market.marketId,
    size: inst.sizeText(t.lots),
    price: inst.priceText(t.priceTicks),
    usd_amount: fixed(inst.sizeValue(t.lots) * inst.priceValue(t.priceTicks), 6),
    ask_id: mineAsk ? t.order.orderIndex : other,
    bid_id: mineAsk ? other : t.order.orderIndex,
    ask_account_id: mineAsk ? t.order.account : 0,
    bid_account_id: mineAsk ? 0 : t.order.account,
    is_maker_ask: t.isMaker === mineAsk,
    block_height: t.tradeId,
    timestamp: t.timestamp,
    taker_fee: "0",
    maker_fee: "0",
  };
}

export function accountJson(engine: LtEngine, a: AccountRecord): Json {
  const id = String(a.index);
  const r = accountReport(engine.exchange, id);
  const reports = positionReports(engine.exchange, id);
  const withPosition = positionReports(engine.exchange, id).map((p) => {
    const m = engine.marketOf(p.symbol)!;
    const inst = engine.inst(m);
    const value = inst.sizeValue(Math.abs(p.sizeLots)) * p.markPrice;
    return {
      market_id: m.marketId,
      symbol: m.symbol,
      initial_margin_fraction: fixed(100 / p.leverage, 2),
      open_order_count: engine.openOrders(a.index).filter((o) => o.market === m).length,
      pending_order_count: 0,
      position_tied_order_count: 0,
      sign: p.sizeLots < 0 ? -1 : 1,
      position: inst.sizeText(Math.abs(p.sizeLots)),
      avg_entry_price: fixed(p.entryPrice, m.priceDecimals + 2),
      position_value: fixed(value, 6),
      unrealized_pnl: fixed(p.unrealisedPnlUsd, 6),
      realized_pnl: "0.000000",
      liquidation_price: p.liquidationPrice === null ? "0" : String(p.liquidationPrice),
      margin_mode: p.marginMode === "isolated" ? 1 : 0,
      allocated_margin: p.marginMode === "isolated" ? fixed(p.marginUsd, 6) : "0.000000",
    };
  });
  // a market with open orders and no position has an entry too (size 0), as the venue lists it
  const flat = engine.markets
    .filter(
      (m) =>
        !reports.some((p) => p.symbol === m.symbol) && engine.openOrders(a.index).some((o) => o.market === m),
    )
    .map((m) => ({
      market_id: m.marketId,
      symbol: m.symbol,
      initial_margin_fraction: fixed(m.imf / 100, 2),
      open_order_count: engine.openOrders(a.index).filter((o) => o.market === m).length,
      pending_order_count: 0,
      position_tied_order_count: 0,
      sign: 1,
      position: engine.inst(m).sizeText(0),
      avg_entry_price: "0",
      position_value: "0.000000",
      unrealized_pnl: "0.000000",
      realized_pnl: "0.000000",
      liquidation_price: "0",
      margin_mode: 0,
      allocated_margin: "0.000000",
    }));
  const positions = [...withPosition, ...flat];
  return {
    code: 0,
    account_type: 0,
    index: a.index,
    account_index: a.index,
    l1_address: a.l1Address,
    cancel_all_time: 0,
    total_order_count: engine.openOrders(a.index).length,
    pending_order_count: 0,
    available_balance: fixed(Math.max(0, r.availableUsd), 6),
    status: 1,
    collateral: fixed(toUsd(r.cash), 6),
    positions,
    total_asset_value: fixed(r.equityUsd, 6),
    cross_asset_value: fixed(r.equityUsd, 6),
  };
}

export function marketStatsJson(engine: LtEngine, m: MarketSpec): Json {
  const mark = engine.exchange.markOf(m.symbol);
  const pct = (engine.fundingRate.get(m.marketId) ?? 0) * 100;
  const hour = 3_600_000;
  return {
    market_id: m.marketId,
    index_price: fixed(mark, m.priceDecimals),
    mark_price: fixed(mark, m.priceDecimals),
    open_interest: "0",
    last_trade_price: fixed(mark, m.priceDecimals),
    current_funding_rate: pct.toFixed(6),
    funding_rate: pct.toFixed(6),
    funding_timestamp: (Math.floor(engine.clock.now() / hour) + 1) * hour,
    daily_base_token_volume: 0,
    daily_quote_token_volume: 0,
    daily_price_low: mark,
    daily_price_high: mark,
    daily_price_change: 0,
  };
}

/** The emulator's points rule (the venue publishes none): one point per $10 000 traded. */
export function pointsJson(a: AccountRecord): Json {
  const total = a.volumeUsd / 10_000;
  return {
    user_total_points: Number(total.toFixed(4)),
    user_last_week_points: Number(total.toFixed(4)),
    user_total_referral_reward_points: 0,
    user_last_week_referral_reward_points: 0,
    reward_point_multiplier: "1",
    referral_points: [],
  };
}
