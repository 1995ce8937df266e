/**
 * The emulator's endpoints (edgex-python-sdk paths, V2). Public ones answer anyone; private ones
 * run after the HMAC check (server.ts) with the signing account. Refusals are the envelope with
 * the venue's code and HTTP 200, as EdgeX answers business errors.
 */
import type { ContractSpec, EdgexEngine } from "./engine.ts";
import { DOMAIN, QUOTE_COIN } from "./engine.ts";
import {
  accountAssetJson,
  depthJson,
  envelope,
  fillJson,
  fundingRateJson,
  fundingTxJson,
  metadataJson,
  orderJson,
  tickerJson,
} from "./payloads.ts";
import { type ApiAccount, checkOrderSignature } from "./verify.ts";

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

const ok = (e: EdgexEngine, data: unknown): Answer => ({
  status: 200,
  body: envelope("SUCCESS", data, e.clock.now()),
});
export const refuse = (e: EdgexEngine, code: string, msg: string): Answer => ({
  status: 200,
  body: envelope(code, null, e.clock.now(), msg),
});

/** Core refusal reasons (sim pre-trade checks) as EdgeX-style codes. */
const CORE_CODES: Readonly<Record<string, string>> = {
  insufficient_margin: "INSUFFICIENT_MARGIN",
  post_only_would_cross: "ORDER_POST_ONLY_WOULD_TRADE",
  reduce_only_would_increase: "ORDER_REDUCE_ONLY_WOULD_INCREASE",
  duplicate_client_order_id: "ORDER_CLIENT_ORDER_ID_DUPLICATE",
};

function contract(e: EdgexEngine, q: URLSearchParams): ContractSpec | undefined {
  return e.contractOf(q.get("contractId") ?? "");
}

export function publicRoute(
  e: EdgexEngine,
  method: string,
  url: URL,
  depthVersion: (id: string) => number,
): Answer | undefined {
  if (method !== "GET") return undefined;
  const q = url.searchParams;
  switch (url.pathname) {
    case "/api/v2/public/meta/getServerTime":
      return ok(e, { timeMillis: String(e.clock.now()) });
    case "/api/v2/public/meta/getMetaData":
      return ok(e, metadataJson(e.contracts));
    case "/api/v2/public/quote/getDepth": {
      const c = contract(e, q);
      if (c === undefined) return refuse(e, "CONTRACT_NOT_FOUND", `no contract ${q.get("contractId")}`);
      return ok(e, [depthJson(e, c, depthVersion(c.contractId), Number(q.get("level") ?? "15"))]);
    }
    case "/api/v2/public/quote/getTicker": {
      const list = q.has("contractId") ? [contract(e, q)].filter((c) => c !== undefined) : e.contracts;
      return ok(
        e,
        list.map((c) => tickerJson(e, c)),
      );
    }
    case "/api/v2/public/funding/getLatestFundingRate": {
      const list = q.has("contractId") ? [contract(e, q)].filter((c) => c !== undefined) : e.contracts;
      return ok(
        e,
        list.map((c) => fundingRateJson(e, c)),
      );
    }
    default:
      return undefined;
  }
}

const PRIVATE = new Set([
  "POST /api/v2/private/order/createOrder",
  "POST /api/v2/private/order/cancelOrderByClientOrderId",
  "GET /api/v2/private/order/getOrderByClientOrderId",
  "GET /api/v2/private/order/getActiveOrderPage",
  "GET /api/v2/private/order/getOrderById",
  "GET /api/v2/private/order/getHistoryOrderFillTransactionPage",
  "GET /api/v2/private/account/getAccountAsset",
  "GET /api/v2/private/account/getPositionTransactionPage",
  "POST /api/v2/private/account/updateLeverageSetting",
]);

export const isPrivateRoute = (method: string, path: string) => PRIVATE.has(`${method} ${path}`);
export const isOrderRoute = (method: string, path: string) =>
  method === "POST" &&
  (path === "/api/v2/private/order/createOrder" ||
    path === "/api/v2/private/order/cancelOrderByClientOrderId");

const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const since = (q: URLSearchParams) => Number(q.get("filterStartCreatedTimeInclusive") ?? "0");

export function privateRoute(
  e: EdgexEngine,
  who: ApiAccount,
  method: string,
  url: URL,
  body: Record<string, unknown>,
): Answer {
  const q = url.searchParams;
  const accountId = method === "GET" ? (q.get("accountId") ?? "") : str(body.accountId);
  if (accountId !== who.accountId)
    return refuse(e, "ACCOUNT_ID_NOT_MATCH", `accountId ${accountId} is not this API key's account`);
  switch (`${method} ${url.pathname}`) {
    case "POST /api/v2/private/order/createOrder":
      return createOrder(e, who, body);
    case "POST /api/v2/private/order/cancelOrderByClientOrderId": {
      const ids = Array.isArray(body.clientOrderIdList) ? body.clientOrderIdList.map(str) : [];
      if (ids.length === 0) return refuse(e, "INVALID_ARGUMENT", "clientOrderIdList is empty");
      const map: Record<string, string> = {};
      for (const id of ids) {
        const o = e.byClientId(accountId, id);
        map[id] =
          o === undefined
            ? "CANCEL_ORDER_NOT_FOUND"
            : e.cancel(o)
              ? "SUCCESS"
              : "CANCEL_ORDER_ALREADY_FINISHED";
      }
      return ok(e, { cancelResultMap: map });
    }
    case "GET /api/v2/private/order/getOrderByClientOrderId": {
      const ids = (q.get("clientOrderIdList") ?? "").split(",").filter((s) => s !== "");
      const found = ids.map((id) => e.byClientId(accountId, id)).filter((o) => o !== undefined);
      return ok(
        e,
        found.map((o) => orderJson(e, o)),
      );
    }
    case "GET /api/v2/private/order/getOrderById": {
      const ids = new Set((q.get("orderIdList") ?? "").split(","));
      const found = [...e.orders.values()].filter((o) => o.accountId === accountId && ids.has(o.id));
      return ok(
        e,
        found.map((o) => orderJson(e, o)),
      );
    }
    case "GET /api/v2/private/order/getActiveOrderPage":
      return ok(e, { dataList: e.openOrders(accountId).map((o) => orderJson(e, o)), nextPageOffsetData: "" });
    case "GET /api/v2/private/order/getHistoryOrderFillTransactionPage": {
      const list = (e.fills.get(accountId) ?? []).filter((f) => f.ts >= since(q));
      return ok(e, { dataList: list.map((f) => fillJson(e, f)), nextPageOffsetData: "" });
    }
    case "GET /api/v2/private/account/getAccountAsset":
      return ok(e, accountAssetJson(e, accountId));
    case "GET /api/v2/private/account/getPositionTransactionPage": {
      const list = (e.funding.get(accountId) ?? []).filter((r) => r.ts >= since(q));
      return ok(e, { dataList: list.map((r) => fundingTxJson(e, accountId, r)), nextPageOffsetData: "" });
    }
    case "POST /api/v2/private/account/updateLeverageSetting": {
      const c = e.contractOf(str(body.contractId));
      const lev = Number(str(body.leverage));
      if (c === undefined) return refuse(e, "CONTRACT_NOT_FOUND", `no contract ${str(body.contractId)}`);
      if (!(Number.isInteger(lev) && lev >= 1 && lev <= c.maxLeverage))
        return refuse(e, "LEVERAGE_INVALID", `leverage ${str(body.leverage)} is not 1…${c.maxLeverage}`);
      e.exchange.state.setSetting(accountId, c.symbol, { leverage: lev, mode: "cross" });
      return ok(e, {});
    }
    default:
      return { status: 404, body: envelope("NOT_FOUND", null, e.clock.now(), url.pathname) };
  }
}

const TIFS = new Set(["GOOD_TIL_CANCEL", "IMMEDIATE_OR_CANCEL", "FILL_OR_KILL", "POST_ONLY"]);

function createOrder(e: EdgexEngine, who: ApiAccount, body: Record<string, unknown>): Answer {
  const c = e.contractOf(str(body.contractId));
  if (c === undefined) return refuse(e, "CONTRACT_NOT_FOUND", `no contract ${str(body.contractId)}`);
  if (body.type !== "LIMIT" && body.type !== "MARKET")
    return refuse(e, "INVALID_ARGUMENT", `type ${str(body.type)}`);
  if (body.side !== "BUY" && body.side !== "SELL")
    return refuse(e, "INVALID_ARGUMENT", `side ${str(body.side)}`);
  const tif = str(body.timeInForce);
  if (!TIFS.has(tif) || tif === "FILL_OR_KILL") return refuse(e, "INVALID_ARGUMENT", `timeInForce ${tif}`);
  const cid = str(body.clientOrderId);
  if (cid === "" || cid.length > 64)
    return refuse(e, "INVALID_ARGUMENT", "clientOrderId is required (≤ 64 characters)");
  const checked = checkOrderSignature(
    body,
    who,
    {
      contractId: c.contractId,
      quoteCoinId: QUOTE_COIN.coinId,
      syntheticResolution: BigInt(c.resolution),
      collateralResolution: BigInt(QUOTE_COIN.resolution),
      maxFeeRate: Number(c.takerFeeRate) >= Number(c.makerFeeRate) ? c.takerFeeRate : c.makerFeeRate,
    },
    { chainId: DOMAIN.chainId, verifyingContract: DOMAIN.contractAddress },
  );
  if (!checked.ok) return refuse(e, checked.code, checked.msg);
  const inst = e.inst(c.symbol);
  const price = str(body.price);
  const size = str(body.size);
  const ticks = inst.price(price);
  const lots = inst.size(size);
  if (inst.priceText(ticks) !== inst.priceText(inst.price(Number(price))) || !(ticks > 0))
    return refuse(e, "ORDER_PRICE_INVALID", `price ${price} is not a positive multiple of ${c.tickSize}`);
  if (Number(size) < Number(c.minOrderSize) || Math.abs(inst.sizeValue(lots) - Number(size)) > 1e-12)
    return refuse(
      e,
      "ORDER_SIZE_INVALID",
      `size ${size}: at least ${c.minOrderSize}, a multiple of ${c.stepSize}`,
    );
  const dup = e.byClientId(who.accountId, cid);
  if (dup !== undefined && dup.status === "OPEN")
    return refuse(e, "ORDER_CLIENT_ORDER_ID_DUPLICATE", `clientOrderId ${cid} is in use`);
  const placed = e.place({
    accountId: who.accountId,
    contractId: c.contractId,
    symbol: c.symbol,
    side: body.side,
    clientOrderId: cid,
    timeInForce: tif,
    reduceOnly: body.reduceOnly === true,
    priceTicks: ticks,
    lots,
  });
  if ("reason" in placed)
    return refuse(e, CORE_CODES[placed.reason] ?? placed.reason.toUpperCase(), placed.message);
  return ok(e, { orderId: placed.order.id });
}
