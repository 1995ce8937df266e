/**
 * The emulator's endpoint handlers: market data (`market-data.grvt.io/full/v1/*`) and the
 * trading endpoints (`trades.grvt.io/full/v1/*`), each answering `{"result": …}` in the venue's
 * shape (payloads.ts) or its `{code, message, status}` refusal (codes: ccxt js/src/grvt.js
 * `exceptions.exact`). Order checks follow the venue's list: client order id present (2011) and
 * not on an active order (2012), one leg (2042), a known instrument (2061), time in force
 * (2030), market without / limit with a price (2020/2021), post-only only on GTT (2032), the
 * size grid (2065) and minimum (2062), the tick (2064), then the signature (verify.ts), then the
 * simulated core (margin 2080, reduce-only 2401, other refusals 2082).
 */
import type { GrvtEngine, GrvtOrderRecord } from "./engine.ts";
import {
  accountSummaryJson,
  bookJson,
  fillJson,
  instrumentJson,
  ns,
  orderJson,
  positionsJson,
  tickerJson,
} from "./payloads.ts";
import { checkOrderSignature, TIF_CODE, type WireOrder } from "./verify.ts";

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const ok = (result: unknown): Answer => ({ status: 200, body: { result } });
export const refuse = (status: number, code: number, message: string): Answer => ({
  status,
  body: { code, message, status },
});
const str = (x: unknown) => (typeof x === "string" ? x : undefined);

export function publicRoute(
  engine: GrvtEngine,
  path: string,
  b: Record<string, unknown>,
): Answer | undefined {
  const instrument = str(b.instrument);
  switch (path) {
    case "/full/v1/all_instruments":
    case "/full/v1/instruments":
      return ok(engine.markets.map(instrumentJson));
    case "/full/v1/instrument": {
      const m = engine.markets.find((x) => x.symbol === instrument);
      return m === undefined ? refuse(400, 3000, "Instrument is invalid") : ok(instrumentJson(m));
    }
    case "/full/v1/book": {
      if (instrument === undefined || engine.inst(instrument) === undefined)
        return refuse(400, 3000, "Instrument is invalid");
      const depth = Number(b.depth ?? 10);
      if (![10, 50, 100, 500].includes(depth)) return refuse(400, 3031, "Depth is invalid");
      return ok(bookJson(engine, instrument, depth));
    }
    case "/full/v1/ticker":
    case "/full/v1/mini":
      if (instrument === undefined || engine.inst(instrument) === undefined)
        return refuse(400, 3000, "Instrument is invalid");
      return ok(tickerJson(engine, instrument));
    default:
      return undefined;
  }
}

export interface TradingContext {
  readonly engine: GrvtEngine;
  readonly chainId: number;
  /** the address the session logged in with */
  readonly address: string;
  /** which sub-accounts an address may trade */
  readonly mayTrade: (address: string, subAccountId: string) => boolean;
}

export function tradingRoute(
  ctx: TradingContext,
  path: string,
  b: Record<string, unknown>,
): Answer | undefined {
  const { engine } = ctx;
  const sub = str(b.sub_account_id);
  if (path === "/full/v1/create_order") return createOrder(ctx, b.order);
  if (sub === undefined || !ctx.mayTrade(ctx.address, sub))
    return path.startsWith("/full/v1/")
      ? refuse(403, 1001, "You are not authorized to access this functionality")
      : undefined;
  switch (path) {
    case "/full/v1/cancel_order": {
      const o = find(engine, sub, b);
      if (o === undefined) return refuse(400, 1004, "Data Not Found");
      engine.cancel(o);
      return ok({ ack: true });
    }
    case "/full/v1/cancel_all_orders": {
      for (const o of engine.openOrders(sub)) engine.cancel(o);
      return ok({ ack: true });
    }
    case "/full/v1/order": {
      const o = find(engine, sub, b);
      return o === undefined ? refuse(400, 1004, "Data Not Found") : ok(orderJson(engine, o));
    }
    case "/full/v1/open_orders":
      return ok(engine.openOrders(sub).map((o) => orderJson(engine, o)));
    case "/full/v1/positions":
      return ok(positionsJson(engine, sub));
    case "/full/v1/account_summary":
      return ok(accountSummaryJson(engine, sub));
    case "/full/v1/fill_history": {
      const since = BigInt(str(b.start_time) ?? "0");
      const list = (engine.fills.get(sub) ?? []).filter((f) => BigInt(ns(f.ts)) >= since);
      return { status: 200, body: { result: list.map((f) => fillJson(engine, f)), next: "" } };
    }
    case "/full/v1/funding_payment_history": {
      const since = BigInt(str(b.start_time) ?? "0");
      const list = (engine.funding.get(sub) ?? []).filter((f) => BigInt(ns(f.ts)) >= since);
      const result = list.map((f, i) => ({
        event_time: ns(f.ts),
        sub_account_id: sub,
        instrument: f.instrument,
        currency: "USDT",
        amount: f.amount,
        tx_id: String(i + 1),
      }));
      return { status: 200, body: { result, next: "" } };
    }
    case "/full/v1/set_initial_leverage":
      return ok({ success: true });
    default:
      return undefined;
  }
}

function find(engine: GrvtEngine, sub: string, b: Record<string, unknown>): GrvtOrderRecord | undefined {
  const id = str(b.order_id);
  if (id !== undefined && id !== "" && id !== "0x00") {
    const o = engine.orders.get(id);
    return o?.subAccountId === sub ? o : undefined;
  }
  const cid = b.client_order_id;
  if (typeof cid === "string" || typeof cid === "number") return engine.byClientId(sub, String(cid));
  return undefined;
}

function createOrder(ctx: TradingContext, raw: unknown): Answer {
  const { engine } = ctx;
  if (typeof raw !== "object" || raw === null)
    return refuse(400, 1003, "Request could not be processed due to malformed syntax");
  const o = raw as WireOrder & { metadata?: { client_order_id?: unknown } };
  const sub = str(o.sub_account_id);
  if (sub === undefined || !/^\d+$/.test(sub) || o.signature === undefined || !Array.isArray(o.legs))
    return refuse(400, 1003, "Request could not be processed due to malformed syntax");
  if (!ctx.mayTrade(ctx.address, sub))
    return refuse(403, 2003, "Order sub account does not match logged in user");
  const cid = o.metadata?.client_order_id;
  if (cid === undefined || cid === null || cid === "" || cid === "0")
    return refuse(400, 2011, "Client Order ID should be supplied when creating an order");
  const clientOrderId = String(cid);
  const prior = engine.byClientId(sub, clientOrderId);
  if (prior !== undefined && (prior.status === "OPEN" || prior.status === "PENDING"))
    return refuse(400, 2012, "Client Order ID overlaps with existing active order");
  if (o.legs.length === 0) return refuse(400, 2040, "Order must contain at least one leg");
  if (o.legs.length > 1) return refuse(400, 2042, "Orderbook Orders must contain only one leg");
  const leg = o.legs[0];
  const inst = engine.inst(leg.instrument);
  const spec = engine.markets.find((m) => m.symbol === leg.instrument);
  if (inst === undefined || spec === undefined) return refuse(400, 2061, "Unsupported Instrument Requested");
  if (TIF_CODE[o.time_in_force] === undefined || o.time_in_force === "ALL_OR_NONE")
    return refuse(400, 2030, "Orderbook Orders must have a TimeInForce of GTT/IOC/FOK");
  const price = leg.limit_price ?? null;
  const hasPrice = price !== null && price !== "" && Number(price) !== 0;
  if (o.is_market && hasPrice)
    return refuse(400, 2020, "Market Order must always be supplied without a limit price");
  if (!o.is_market && !hasPrice)
    return refuse(400, 2021, "Limit Order must always be supplied with a limit price");
  if (o.post_only && o.time_in_force !== "GOOD_TILL_TIME")
    return refuse(400, 2032, "Post Only can only be set to true for GTT/AON orders");
  let lots: number;
  let ticks = 0;
  try {
    lots = inst.size(leg.size);
  } catch {
    return refuse(400, 2065, "Order size too granular");
  }
  if (lots < 1) return refuse(400, 2062, "Order size smaller than min size");
  if (hasPrice) {
    try {
      ticks = inst.price(price);
    } catch {
      return refuse(400, 2064, "Invalid limit price tick");
    }
  } else {
    // a market order walks the book up to 5 % through the mark (its protection price)
    const mark = engine.exchange.markOf(inst.symbol);
    ticks = inst.roundPrice(
      mark * (leg.is_buying_asset ? 1.05 : 0.95),
      leg.is_buying_asset ? "buy" : "sell",
      "toward_touch",
    );
  }
  const check = checkOrderSignature(o, ctx.chainId, engine.clock.now(), (i) => {
    const m = engine.markets.find((x) => x.symbol === i);
    return m === undefined ? undefined : { hash: m.hash, baseDecimals: m.baseDecimals };
  });
  if (!check.ok) return refuse(400, check.code, check.message);
  if (!ctx.mayTrade(check.signer, sub)) return refuse(403, 2000, "Signature is from an unauthorized signer");
  const r = engine.place({
    clientOrderId,
    subAccountId: sub,
    instrument: inst.symbol,
    isBuy: leg.is_buying_asset,
    isMarket: o.is_market === true,
    timeInForce: o.time_in_force,
    postOnly: o.post_only === true,
    reduceOnly: o.reduce_only === true,
    size: leg.size,
    limitPrice: hasPrice ? price : null,
    lots,
    priceTicks: ticks,
    signature: o.signature as unknown as Record<string, unknown>,
  });
  if ("order" in r) return ok(orderJson(engine, r.order));
  switch (r.reason) {
    case "insufficient_margin":
      return refuse(400, 2080, "Insufficient margin to create order");
    case "reduce_only_would_increase":
      return refuse(400, 2401, "Reduce only order must not increase position size");
    case "min_notional":
      return refuse(400, 2062, "Order size smaller than min size");
    default:
      return refuse(400, 2082, `Pre-order check failed (${r.reason})`);
  }
}
