/**
 * The Paradex emulator's read routes and the small account writes (cancel, margin), answered
 * from the engine's records in Paradex's shapes: `{results: [...]}` lists (ccxt@4.5.84
 * `paradex.js` fetchPositions / fetchBalance / fetchMyTrades / fetchFundingHistory samples),
 * `GET /account` with the fields docs.paradex.trade "Get account information" lists, and the
 * public `orderbook/{market}`, `bbo/{market}`, `markets/summary` (fetchOrderBook, parseTicker
 * samples). Errors are `{error, message, data}` with Paradex's codes.
 */
import { moneyText } from "../../../core/money.ts";
import type { Answer } from "../../kit/http-front.ts";
import { accountReport, positionReports } from "../../sim/reports.ts";
import type { PdxEngine } from "./engine.ts";
import type { PdxOrder, PdxState } from "./state.ts";

export type { Answer } from "../../kit/http-front.ts";

export interface RouteRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly account: string;
  readonly body: unknown;
}

export const err = (status: number, error: string, message: string): Answer => ({
  status,
  body: { error, message, data: null },
});

const ok = (body: unknown): Answer => ({ status: 200, body });
const fixed = (n: number) => (Number.isFinite(n) ? n.toFixed(8).replace(/\.?0+$/, "") || "0" : "0");

/** Public market data: undefined when the path is not one of them. */
export function publicRoute(
  engine: PdxEngine,
  method: string,
  path: string,
  q: URLSearchParams,
): Answer | undefined {
  if (method !== "GET") return undefined;
  const book = /^\/(orderbook|bbo)\/([^/]+)$/.exec(path);
  if (book !== null) {
    const market = decodeURIComponent(book[2]!);
    const inst = engine.instruments.get(market);
    const b = engine.books.get(market);
    if (inst === undefined || b === undefined) return err(400, "MARKET_NOT_FOUND", `market ${market}`);
    const depth = Number(q.get("depth") ?? "20");
    const side = (s: "bid" | "ask") =>
      b
        .depth(s, depth)
        .map((l) => [inst.priceText(inst.roundPrice(l.price, "buy", "nearest")), fixed(l.size)]);
    if (book[1] === "orderbook")
      return ok({
        market,
        seq_no: b.version ?? 0,
        last_updated_at: b.lastUpdateTs,
        asks: side("ask"),
        bids: side("bid"),
      });
    const [bid] = side("bid");
    const [ask] = side("ask");
    return ok({
      market,
      bid: bid?.[0] ?? "",
      bid_size: bid?.[1] ?? "",
      ask: ask?.[0] ?? "",
      ask_size: ask?.[1] ?? "",
      last_updated_at: b.lastUpdateTs,
      seq_no: b.version ?? 0,
    });
  }
  if (path === "/markets/summary") {
    const want = q.get("market") ?? "ALL";
    return ok({
      results: engine.markets
        .filter((m) => want === "ALL" || m.symbol === want)
        .map((m) => summaryOf(engine, m.symbol)),
    });
  }
  return undefined;
}

export function summaryOf(engine: PdxEngine, market: string): Record<string, unknown> {
  const mark = engine.exchange.markOf(market);
  const b = engine.books.get(market)!;
  const inst = engine.instruments.get(market)!;
  const px = (t: number | undefined) => (t === undefined ? "" : inst.priceText(t));
  return {
    symbol: market,
    oracle_price: fixed(mark),
    mark_price: fixed(mark),
    last_traded_price: fixed(mark),
    bid: px(b.bestBidTicks()),
    ask: px(b.bestAskTicks()),
    volume_24h: "0",
    total_volume: "0",
    created_at: engine.clock.now(),
    underlying_price: fixed(mark),
    open_interest: "0",
    funding_rate: String(engine.fundingRate.get(market) ?? 0),
    price_change_rate_24h: "0",
  };
}

export function fundingDataOf(engine: PdxEngine, market: string): Record<string, unknown> {
  const m = engine.marketOf(market)!;
  const rate = engine.fundingRate.get(market) ?? 0;
  return {
    market,
    funding_index: String(engine.fundingIndex.get(market) ?? 0),
    funding_premium: fixed(rate * engine.exchange.markOf(market)),
    funding_rate: String(rate),
    funding_rate_8h: String((rate * 8) / m.funding_period_hours),
    funding_period_hours: m.funding_period_hours,
    created_at: engine.clock.now(),
  };
}

const since = (q: URLSearchParams) => Number(q.get("start_at") ?? "0");
const until = (q: URLSearchParams) => Number(q.get("end_at") ?? String(Number.MAX_SAFE_INTEGER));

/** The JWT-bearing routes other than POST /orders. */
export function accountRoute(engine: PdxEngine, state: PdxState, r: RouteRequest): Answer {
  const { method, path, query: q, account } = r;
  if (method === "GET" && path === "/xp/account-balance")
    return ok({ account, balance: state.xp.get(account) ?? "0" });
  const byCid = /^\/orders\/by_client_id\/(.+)$/.exec(path);
  if (byCid !== null) {
    const o = engine.byClientId(account, decodeURIComponent(byCid[1]!));
    if (o === undefined || (q.has("market") && o.market !== q.get("market")))
      return err(404, "CLIENT_ORDER_ID_NOT_FOUND", "client order id not found");
    if (method === "GET") return ok(o);
    if (method === "DELETE") return cancelOf(engine, o);
  }
  const byId = /^\/orders\/([^/]+)$/.exec(path);
  if (byId !== null) {
    const o = engine.orders.get(byId[1]!);
    if (o === undefined || o.account !== account) return err(404, "ORDER_ID_NOT_FOUND", "order id not found");
    if (method === "GET") return ok(o);
    if (method === "DELETE") return cancelOf(engine, o);
  }
  if (method === "GET" && path === "/orders") {
    const m = q.get("market") ?? undefined;
    return ok({ results: engine.openOrders(account, m) });
  }
  if (method === "GET" && path === "/fills") {
    const m = q.get("market");
    return ok({
      next: null,
      prev: null,
      results: (engine.fills.get(account) ?? [])
        .filter((f) => (m === null || f.market === m) && f.created_at >= since(q) && f.created_at <= until(q))
        .map(({ account: _a, ...f }) => f)
        .reverse(),
    });
  }
  if (method === "GET" && path === "/funding/payments") {
    const m = q.get("market");
    return ok({
      next: null,
      prev: null,
      results: (engine.payments.get(account) ?? [])
        .filter((p) => (m === null || p.market === m) && p.created_at >= since(q) && p.created_at <= until(q))
        .reverse(),
    });
  }
  if (method === "GET" && path === "/positions") return ok({ results: positionsOf(engine, account) });
  if (method === "GET" && path === "/balance") {
    const cash = engine.exchange.state.accounts.get(account)?.cash ?? 0n;
    return ok({ results: [{ token: "USDC", size: moneyText(cash), last_updated_at: engine.clock.now() }] });
  }
  if (method === "GET" && path === "/account") return ok(accountOf(engine, account));
  const margin = /^\/account\/margin\/([^/]+)$/.exec(path);
  if (method === "POST" && margin !== null)
    return setMargin(engine, account, decodeURIComponent(margin[1]!), r.body);
  return err(404, "NOT_FOUND", `${method} /v1${path}`);
}

function cancelOf(engine: PdxEngine, o: PdxOrder): Answer {
  if (o.status === "CLOSED") return err(400, "ORDER_IS_CLOSED", "order is closed");
  engine.cancel(o);
  return { status: 204 };
}

function positionsOf(engine: PdxEngine, account: string): unknown[] {
  return positionReports(engine.exchange, account).map((p) => {
    const inst = engine.instruments.get(p.symbol)!;
    const size = inst.sizeValue(Math.abs(p.sizeLots));
    const cost = size * p.entryPrice;
    const last = (engine.fills.get(account) ?? []).filter((f) => f.market === p.symbol).at(-1);
    return {
      id: `${account}-${p.symbol}`,
      market: p.symbol,
      status: "OPEN",
      side: p.sizeLots > 0 ? "LONG" : "SHORT",
      size: fixed(p.sizeLots > 0 ? size : -size),
      average_entry_price: fixed(p.entryPrice),
      average_entry_price_usd: fixed(p.entryPrice),
      realized_pnl: "0",
      unrealized_pnl: fixed(p.unrealisedPnlUsd),
      unrealized_funding_pnl: "0",
      cost: fixed(p.sizeLots > 0 ? cost : -cost),
      cost_usd: fixed(p.sizeLots > 0 ? cost : -cost),
      cached_funding_index: String(engine.fundingIndex.get(p.symbol) ?? 0),
      last_updated_at: engine.clock.now(),
      last_fill_id: last?.id ?? "",
      seq_no: engine.clock.now(),
      liquidation_price: p.liquidationPrice === null ? "" : fixed(p.liquidationPrice),
      leverage: String(p.leverage),
    };
  });
}

function accountOf(engine: PdxEngine, account: string): Record<string, unknown> {
  const a = accountReport(engine.exchange, account);
  return {
    account,
    account_value: fixed(a.equityUsd),
    free_collateral: fixed(a.availableUsd),
    initial_margin_requirement: fixed(a.initialMarginUsd),
    maintenance_margin_requirement: fixed(a.maintenanceMarginUsd),
    margin_cushion: fixed(a.equityUsd - a.maintenanceMarginUsd),
    settlement_asset: "USDC",
    status: "ACTIVE",
    total_collateral: moneyText(a.cash),
    updated_at: engine.clock.now(),
    seq_no: engine.clock.now(),
  };
}

function setMargin(engine: PdxEngine, account: string, market: string, body: unknown): Answer {
  const inst = engine.instruments.get(market);
  if (inst === undefined) return err(400, "MARKET_NOT_FOUND", `market ${market}`);
  const b = (body ?? {}) as { leverage?: unknown; margin_type?: unknown };
  const leverage = Number(b.leverage);
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > inst.spec.maxLeverage)
    return err(
      400,
      "INVALID_REQUEST_PARAMETER",
      `leverage must be an integer in 1..${inst.spec.maxLeverage}`,
    );
  if (b.margin_type !== "CROSS" && b.margin_type !== "ISOLATED")
    return err(400, "INVALID_REQUEST_PARAMETER", "margin_type must be CROSS or ISOLATED");
  const mode = b.margin_type === "CROSS" ? "cross" : "isolated";
  engine.exchange.state.setSetting(account, market, { leverage, mode });
  return ok({ account, market, leverage, margin_type: b.margin_type });
}
