/**
 * The emulator's endpoint handlers: public market reads and the signed account endpoints, each
 * answering in the venue's shape (payloads.ts) or with its `{code, message}` refusal.
 */
import { VenueRejectError } from "../../../core/venue.ts";
import { changeLeverage } from "../../sim/account-admin.ts";
import type { BpEngine, BpOrderRecord } from "./engine.ts";
import { collateralJson, fillJson, iso, marketJson, orderJson, positionsJson } from "./payloads.ts";

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const refuse = (status: number, code: string, message: string): Answer => ({
  status,
  body: { code, message },
});

/** the depth snapshot with its update id, consistent with the stream's sequence (ws.ts) */
export type DepthSource = (symbol: string) => { bids: string[][]; asks: string[][]; lastUpdateId: number };

export function publicRoute(
  engine: BpEngine,
  method: string,
  url: URL,
  depth?: DepthSource,
): Answer | undefined {
  if (method !== "GET") return undefined;
  const symbol = url.searchParams.get("symbol");
  switch (url.pathname) {
    case "/api/v1/markets":
      return ok(engine.markets.map(marketJson));
    case "/api/v1/time":
      return ok(engine.clock.now());
    case "/api/v1/status":
      return ok({ status: "Ok", message: null });
    case "/api/v1/depth": {
      if (symbol === null || engine.inst(symbol) === undefined || depth === undefined)
        return refuse(400, "INVALID_SYMBOL", `unknown symbol "${symbol}"`);
      const d = depth(symbol);
      return ok({
        bids: d.bids,
        asks: d.asks,
        lastUpdateId: String(d.lastUpdateId),
        timestamp: engine.clock.now(),
      });
    }
    case "/api/v1/markPrices":
      return ok(
        engine.markets
          .filter((m) => symbol === null || m.symbol === symbol)
          .map((m) => markPriceJson(engine, m.symbol)),
      );
    default:
      return undefined;
  }
}

export function markPriceJson(engine: BpEngine, symbol: string): Record<string, unknown> {
  const inst = engine.inst(symbol)!;
  const interval = inst.spec.fundingIntervalHours * 3_600_000;
  const mark = engine.exchange.markOf(symbol);
  return {
    symbol,
    markPrice: String(mark),
    indexPrice: String(mark),
    fundingRate: String((engine.fundingRate.get(symbol) ?? 0) * inst.spec.fundingIntervalHours),
    nextFundingTimestamp: (Math.floor(engine.clock.now() / interval) + 1) * interval,
  };
}

const DEC = /^\d+(\.\d+)?$/;

function placeOrder(engine: BpEngine, account: string, b: Record<string, unknown>): Answer {
  const inst = typeof b.symbol === "string" ? engine.inst(b.symbol) : undefined;
  if (inst === undefined) return refuse(400, "INVALID_MARKET", `unknown symbol "${String(b.symbol)}"`);
  if (b.side !== "Bid" && b.side !== "Ask")
    return refuse(400, "INVALID_CLIENT_REQUEST", "side must be Bid or Ask");
  if (b.orderType !== "Limit" && b.orderType !== "Market")
    return refuse(400, "INVALID_CLIENT_REQUEST", "orderType must be Limit or Market");
  const tif = b.timeInForce ?? "GTC";
  if (tif !== "GTC" && tif !== "IOC" && tif !== "FOK")
    return refuse(400, "INVALID_CLIENT_REQUEST", "timeInForce");
  if (tif === "FOK") return refuse(400, "INVALID_ORDER", "FOK is not supported by the emulator");
  if (typeof b.quantity !== "string" || !DEC.test(b.quantity))
    return refuse(400, "INVALID_QUANTITY", "quantity");
  let lots: number;
  try {
    lots = inst.size(b.quantity);
  } catch {
    return refuse(
      400,
      "INVALID_QUANTITY",
      `Quantity must be a multiple of the step size ${inst.spec.lotSize}`,
    );
  }
  const min = engine.markets.find((m) => m.symbol === inst.symbol)!.minQuantity;
  if (lots < inst.size(min)) return refuse(400, "INVALID_QUANTITY", `Quantity is below the minimum ${min}`);
  let priceTicks: number;
  if (b.orderType === "Market") {
    // a market order walks the book; 10% from the mark bounds the walk (and the margin check)
    const mark = engine.exchange.markOf(inst.symbol);
    priceTicks = inst.roundPrice(
      mark * (b.side === "Bid" ? 1.1 : 0.9),
      b.side === "Bid" ? "buy" : "sell",
      "nearest",
    );
  } else {
    if (typeof b.price !== "string" || !DEC.test(b.price)) return refuse(400, "INVALID_PRICE", "price");
    try {
      priceTicks = inst.price(b.price);
    } catch {
      return refuse(400, "INVALID_PRICE", `Price must be a multiple of the tick size ${inst.spec.tickSize}`);
    }
  }
  const clientId = b.clientId;
  if (
    clientId !== undefined &&
    !(Number.isInteger(clientId) && (clientId as number) >= 0 && (clientId as number) < 2 ** 32)
  )
    return refuse(400, "INVALID_CLIENT_REQUEST", "clientId must be a u32");
  const r = engine.place({
    clientId: clientId as number | undefined,
    account,
    symbol: inst.symbol,
    side: b.side,
    timeInForce: b.orderType === "Market" ? "IOC" : (tif as "GTC" | "IOC"),
    postOnly: b.postOnly === true,
    reduceOnly: b.reduceOnly === true,
    priceTicks,
    lots,
  });
  if ("order" in r) return ok(orderJson(engine, r.order));
  switch (r.reason) {
    case "post_only_would_cross":
      return refuse(400, "INVALID_ORDER", "Order would immediately match and take.");
    case "reduce_only_would_increase":
      return refuse(400, "INVALID_ORDER", "Reduce only order not reduced.");
    case "insufficient_margin":
      return refuse(400, "INSUFFICIENT_MARGIN", r.message);
    default:
      return refuse(400, "INVALID_ORDER", r.message);
  }
}

function findOrder(
  engine: BpEngine,
  account: string,
  src: { orderId?: unknown; clientId?: unknown },
): BpOrderRecord | undefined {
  if (src.orderId !== undefined && src.orderId !== null) {
    const o = engine.orders.get(String(src.orderId));
    return o?.account === account ? o : undefined;
  }
  if (src.clientId !== undefined && src.clientId !== null)
    return engine.byClientId(account, Number(src.clientId));
  return undefined;
}

const isOpen = (o: BpOrderRecord) => o.status === "New" || o.status === "PartiallyFilled";

function page<T>(rows: T[], q: URLSearchParams): T[] {
  const limit = Math.min(1000, Number(q.get("limit") ?? 100));
  const offset = Number(q.get("offset") ?? 0);
  return rows.slice(offset, offset + limit);
}

export function signedRoute(
  engine: BpEngine,
  instruction: string,
  account: string,
  q: URLSearchParams,
  b: Record<string, unknown>,
): Answer {
  const symbol = q.get("symbol") ?? undefined;
  switch (instruction) {
    case "orderExecute":
      return placeOrder(engine, account, b);
    case "orderCancel": {
      const o = findOrder(engine, account, b);
      if (o === undefined || !isOpen(o) || o.symbol !== b.symbol)
        return refuse(404, "RESOURCE_NOT_FOUND", "Order not found");
      engine.cancel(o);
      return ok(orderJson(engine, o));
    }
    case "orderQuery": {
      const o = findOrder(engine, account, {
        orderId: q.get("orderId") ?? undefined,
        clientId: q.get("clientId") ?? undefined,
      });
      if (o === undefined || !isOpen(o)) return refuse(404, "RESOURCE_NOT_FOUND", "Order not found");
      return ok(orderJson(engine, o));
    }
    case "orderQueryAll":
      return ok(
        engine
          .openOrders(account)
          .filter((o) => symbol === undefined || o.symbol === symbol)
          .map((o) => orderJson(engine, o)),
      );
    case "orderCancelAll": {
      const open = engine.openOrders(account).filter((o) => b.symbol === undefined || o.symbol === b.symbol);
      for (const o of open) engine.cancel(o);
      return ok(open.map((o) => orderJson(engine, o)));
    }
    case "orderHistoryQueryAll": {
      const rows = [...engine.orders.values()]
        .filter((o) => o.account === account && (symbol === undefined || o.symbol === symbol))
        .filter((o) => q.get("orderId") === null || o.id === q.get("orderId"))
        .reverse();
      return ok(page(rows, q).map((o) => orderJson(engine, o)));
    }
    case "positionQuery":
      return ok(positionsJson(engine, account).filter((p) => symbol === undefined || p.symbol === symbol));
    case "collateralQuery":
      return ok(collateralJson(engine, account));
    case "balanceQuery": {
      const c = collateralJson(engine, account);
      return ok({ USDC: { available: c.netEquityAvailable, locked: c.netEquityLocked, staked: "0" } });
    }
    case "accountQuery":
      return ok({
        leverageLimit: String(engine.leverage.get(account) ?? 10),
        autoLend: false,
        autoRealizePnl: true,
      });
    case "accountUpdate": {
      const lev = Number(b.leverageLimit);
      if (b.leverageLimit === undefined) return ok(null);
      if (!(Number.isInteger(lev) && lev >= 1))
        return refuse(400, "INVALID_CLIENT_REQUEST", "leverageLimit must be an integer >= 1");
      try {
        for (const inst of engine.instruments.values())
          changeLeverage(
            engine.exchange,
            account,
            inst.symbol,
            Math.min(lev, inst.spec.maxLeverage),
            "cross",
          );
      } catch (e) {
        if (e instanceof VenueRejectError) return refuse(400, "INVALID_CLIENT_REQUEST", e.message);
        throw e;
      }
      engine.leverage.set(account, lev);
      return ok(null);
    }
    case "fillHistoryQueryAll": {
      const from = Number(q.get("from") ?? 0);
      const to = Number(q.get("to") ?? Number.MAX_SAFE_INTEGER);
      const rows = (engine.fills.get(account) ?? [])
        .filter((f) => f.ts >= from && f.ts <= to && (symbol === undefined || f.order.symbol === symbol))
        .reverse();
      return ok(page(rows, q).map((f) => fillJson(engine, f)));
    }
    case "fundingHistoryQueryAll": {
      const rows = (engine.funding.get(account) ?? [])
        .filter((f) => symbol === undefined || f.symbol === symbol)
        .reverse();
      return ok(
        page(rows, q).map((f) => ({
          userId: 1,
          subaccountId: null,
          symbol: f.symbol,
          quantity: f.quantity,
          intervalEndTimestamp: iso(f.ts),
          fundingRate: f.fundingRate,
        })),
      );
    }
    default:
      return refuse(404, "RESOURCE_NOT_FOUND", instruction);
  }
}
