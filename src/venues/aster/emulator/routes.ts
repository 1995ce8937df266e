/**
 * The emulator's endpoint handlers (the same under /fapi/v1 and /fapi/v3): public market reads
 * and the signed account endpoints, each answering in the venue's shape (payloads.ts) or with
 * its `{code, msg}` refusal. Codes and texts are Binance USDⓈ-M's "Error Codes", which Aster's
 * documents repeat.
 */
import { VenueRejectError } from "../../../core/venue.ts";
import { changeLeverage } from "../../sim/account-admin.ts";
import { type AsEngine, type AsOrderRecord, isOpen } from "./engine.ts";
import {
  accountJson,
  balanceJson,
  exchangeInfoJson,
  fundingInfoJson,
  orderJson,
  positionRiskJson,
  premiumIndexJson,
  userTradeJson,
} from "./payloads.ts";

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const refuse = (status: number, code: number, msg: string): Answer => ({ status, body: { code, msg } });
const badSymbol = () => refuse(400, -1121, "Invalid symbol.");

export type DepthSource = (
  symbol: string,
  limit: number,
) => { bids: string[][]; asks: string[][]; lastUpdateId: number };

export function publicRoute(
  engine: AsEngine,
  endpoint: string,
  q: URLSearchParams,
  depth: DepthSource,
): Answer | undefined {
  const symbol = q.get("symbol");
  const spec = symbol === null ? undefined : engine.markets.find((m) => m.symbol === symbol);
  switch (endpoint) {
    case "ping":
      return ok({});
    case "time":
      return ok({ serverTime: engine.clock.now() });
    case "exchangeInfo":
      return ok(exchangeInfoJson(engine));
    case "depth": {
      if (spec === undefined) return badSymbol();
      const d = depth(spec.symbol, Number(q.get("limit") ?? 500));
      const now = engine.clock.now();
      return ok({ lastUpdateId: d.lastUpdateId, E: now, T: now, bids: d.bids, asks: d.asks });
    }
    case "premiumIndex":
      if (symbol !== null) return spec === undefined ? badSymbol() : ok(premiumIndexJson(engine, spec));
      return ok(engine.markets.map((m) => premiumIndexJson(engine, m)));
    case "fundingInfo":
      return ok(engine.markets.map(fundingInfoJson));
    default:
      return undefined;
  }
}

const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const DEC = /^\d+(\.\d+)?$/;

function placeOrder(engine: AsEngine, account: string, q: URLSearchParams): Answer {
  const spec = engine.markets.find((m) => m.symbol === q.get("symbol"));
  if (spec === undefined) return badSymbol();
  const inst = engine.inst(spec.symbol)!;
  const side = q.get("side");
  if (side !== "BUY" && side !== "SELL") return refuse(400, -1117, "Invalid side.");
  const type = q.get("type");
  if (type !== "LIMIT" && type !== "MARKET") return refuse(400, -1116, "Invalid orderType.");
  const tif = type === "MARKET" ? "IOC" : (q.get("timeInForce") ?? "GTC");
  if (tif !== "GTC" && tif !== "IOC" && tif !== "GTX" && tif !== "FOK")
    return refuse(400, -1115, "Invalid timeInForce.");
  if (tif === "FOK") return refuse(400, -1115, "Invalid timeInForce (FOK is not emulated).");
  const qty = q.get("quantity") ?? "";
  if (!DEC.test(qty))
    return refuse(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
  let lots: number;
  try {
    lots = inst.size(qty);
  } catch {
    return refuse(400, -1111, "Precision is over the maximum defined for this asset.");
  }
  if (lots < inst.size(spec.minQty)) return refuse(400, -4003, "Quantity less than or equal to zero.");
  let priceTicks: number;
  if (type === "MARKET") {
    const mark = engine.exchange.markOf(spec.symbol);
    priceTicks = inst.roundPrice(
      mark * (side === "BUY" ? 1.05 : 0.95),
      side === "BUY" ? "buy" : "sell",
      "nearest",
    );
  } else {
    const price = q.get("price") ?? "";
    if (!DEC.test(price))
      return refuse(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
    try {
      priceTicks = inst.price(price);
    } catch {
      return refuse(400, -4014, "Price not increased by tick size.");
    }
  }
  const cid = q.get("newClientOrderId") ?? `emu_${engine.nextOrderId}`;
  if (!CLIENT_ID.test(cid))
    return refuse(400, -1100, "Illegal characters found in parameter 'newClientOrderId'.");
  if (engine.openOrders(account).some((o) => o.clientOrderId === cid))
    return refuse(400, -4116, "ClientOrderId is duplicated.");
  const reduceOnly = q.get("reduceOnly") === "true";
  const r = engine.place({
    clientOrderId: cid,
    account,
    symbol: spec.symbol,
    side,
    type,
    timeInForce: tif,
    reduceOnly,
    priceTicks,
    lots,
  });
  if ("order" in r) return ok(orderJson(engine, r.order));
  switch (r.reason) {
    case "post_only_would_cross":
      return refuse(
        400,
        -5022,
        "Due to the order could not be executed as maker, the Post Only order will be rejected.",
      );
    case "reduce_only_would_increase":
      return refuse(400, -2022, "ReduceOnly Order is rejected.");
    case "insufficient_margin":
      return refuse(400, -2019, "Margin is insufficient.");
    case "min_notional":
      return refuse(
        400,
        -4164,
        `Order's notional must be no smaller than ${spec.minNotional} (unless you choose reduce only).`,
      );
    default:
      return refuse(400, -2010, r.message);
  }
}

function findOrder(engine: AsEngine, account: string, q: URLSearchParams): AsOrderRecord | undefined {
  const symbol = q.get("symbol") ?? "";
  const id = q.get("orderId");
  if (id !== null) {
    const o = engine.orders.get(Number(id));
    return o?.account === account && o.symbol === symbol ? o : undefined;
  }
  const cid = q.get("origClientOrderId");
  return cid === null ? undefined : engine.byClientId(account, symbol, cid);
}

/** Signed endpoints; `endpoint` is the path after /fapi/vN/, `q` every parameter sent. */
export function signedRoute(
  engine: AsEngine,
  method: string,
  endpoint: string,
  account: string,
  q: URLSearchParams,
): Answer {
  const symbol = q.get("symbol");
  const known = symbol === null || engine.inst(symbol) !== undefined;
  const route = `${method} ${endpoint}`;
  if (!known && route !== "POST order") return badSymbol();
  switch (route) {
    case "POST order":
      return placeOrder(engine, account, q);
    case "GET order": {
      if (symbol === null)
        return refuse(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      const o = findOrder(engine, account, q);
      return o === undefined ? refuse(400, -2013, "Order does not exist.") : ok(orderJson(engine, o));
    }
    case "DELETE order": {
      const o = findOrder(engine, account, q);
      if (o === undefined || !isOpen(o)) return refuse(400, -2011, "Unknown order sent.");
      engine.cancel(o);
      return ok(orderJson(engine, o));
    }
    case "GET openOrders":
      return ok(
        engine
          .openOrders(account)
          .filter((o) => symbol === null || o.symbol === symbol)
          .map((o) => orderJson(engine, o)),
      );
    case "GET positionRisk":
      return ok(positionRiskJson(engine, account, symbol));
    case "GET account":
      return ok(accountJson(engine, account));
    case "GET balance":
      return ok(balanceJson(engine, account));
    case "GET userTrades": {
      if (symbol === null)
        return refuse(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      const from = Number(q.get("startTime") ?? 0);
      const limit = Math.min(1000, Number(q.get("limit") ?? 500));
      const rows = (engine.fills.get(account) ?? []).filter(
        (f) => f.order.symbol === symbol && f.time >= from,
      );
      return ok(rows.slice(0, limit).map((f) => userTradeJson(engine, f)));
    }
    case "GET income": {
      const type = q.get("incomeType");
      const from = Number(q.get("startTime") ?? 0);
      const limit = Math.min(1000, Number(q.get("limit") ?? 100));
      const rows = type !== null && type !== "FUNDING_FEE" ? [] : (engine.income.get(account) ?? []);
      return ok(
        rows
          .filter((r) => r.time >= from && (symbol === null || r.symbol === symbol))
          .slice(0, limit)
          .map((r) => ({
            symbol: r.symbol,
            incomeType: "FUNDING_FEE",
            income: r.income,
            asset: "USDT",
            info: "FUNDING_FEE",
            time: r.time,
            tranId: r.tranId,
            tradeId: "",
          })),
      );
    }
    case "POST leverage": {
      const lev = Number(q.get("leverage"));
      if (symbol === null || !Number.isInteger(lev))
        return refuse(
          400,
          -1102,
          "Mandatory parameter 'leverage' was not sent, was empty/null, or malformed.",
        );
      try {
        changeLeverage(engine.exchange, account, symbol, lev, "cross");
      } catch (e) {
        if (e instanceof VenueRejectError) return refuse(400, -4028, `Leverage ${lev} is not valid`);
        throw e;
      }
      engine.leverage.set(`${account}|${symbol}`, lev);
      return ok({ leverage: lev, maxNotionalValue: "1000000", symbol });
    }
    case "POST marginType":
      if (q.get("marginType") === "CROSSED") return refuse(400, -4046, "No need to change margin type.");
      return refuse(
        400,
        -4047,
        "Margin type cannot be changed if there exists position (the emulator margins cross only).",
      );
    default:
      return refuse(404, -1000, `unknown endpoint ${method} ${endpoint}`);
  }
}
