/**
 * The emulator's endpoint handlers under /api/v1: public market reads and the X-Api-Key account
 * endpoints, answering in the venue's shapes (payloads.ts) or with its `{status:"ERROR"}` refusal
 * and error codes (ccxt js/src/extended.js `exceptions.exact`: 1101 invalid Starknet signature,
 * 1102 invalid vault, 1121/1124 off the size/price grid, 1120 below the minimum size, 1128
 * invalid fee, 1134 duplicate order, 1135 expiry out of range, 1136–1138 reduce-only, 1139
 * market order not IOC, 1140 cost exceeds balance). A post-only order that would cross is
 * refused at once with 1133 (the venue's own answer there is not published: an assumption).
 */
import { VenueRejectError } from "../../../core/venue.ts";
import type { Answer } from "../../kit/http-front.ts";
import { changeLeverage } from "../../sim/account-admin.ts";
import { COLLATERAL_ID, COLLATERAL_RESOLUTION, type ExEngine, type ExOrderRecord, isOpen } from "./engine.ts";
import { balanceJson, marketJson, orderJson, positionsJson, rewardsJson, tradeJson } from "./payloads.ts";
import { checkSettlementSignature, expectedOrderHash } from "./verify.ts";

export interface EmulatedAccount {
  readonly apiKey: string;
  readonly vault: number;
  /** 0x-hex Stark public key (l2Key) */
  readonly starkKey: string;
}

const ok = (data?: unknown): Answer => ({
  status: 200,
  body: data === undefined ? { status: "OK" } : { status: "OK", data },
});
export const refuse = (status: number, code: number, message: string): Answer => ({
  status,
  body: { status: "ERROR", error: { code, message } },
});

const DAY = 86_400_000;

export function publicRoute(
  engine: ExEngine,
  method: string,
  path: string,
  q: URLSearchParams,
): Answer | undefined {
  if (method !== "GET") return undefined;
  if (path === "/info/markets") {
    const want = q.getAll("market");
    return ok(
      engine.markets
        .filter((m) => want.length === 0 || want.includes(m.symbol))
        .map((m) => marketJson(engine, m)),
    );
  }
  if (path === "/info/assets") {
    // the collateral and each market's synthetic (shape: ccxt js/src/extended.js fetchCurrencies sample)
    const asset = (id: number, symbol: string, starkexId: string, res: number, collateral: boolean) => ({
      id,
      name: symbol,
      symbol,
      precision: collateral ? 6 : Math.round(Math.log10(res)),
      isActive: true,
      isCollateral: collateral,
      starkexId,
      starkexResolution: res,
      type: collateral ? "SPOT" : "PERP",
    });
    return ok([
      asset(1, "USD", COLLATERAL_ID, COLLATERAL_RESOLUTION, true),
      ...engine.markets.map((m, i) => asset(i + 2, m.asset, m.syntheticId, m.syntheticResolution, false)),
    ]);
  }
  const ob = /^\/info\/markets\/([^/]+)\/orderbook$/.exec(path);
  if (ob !== null) {
    const inst = engine.inst(ob[1]!);
    const book = engine.books.get(ob[1]!);
    if (inst === undefined || book === undefined) return refuse(404, 1001, "Market not found");
    const side = (s: "bid" | "ask") => {
      const out: { qty: string; price: string }[] = [];
      book.walk(s, (ticks, size) => {
        out.push({ qty: String(Number(size.toFixed(10))), price: inst.priceText(ticks) });
        return true;
      });
      return out;
    };
    return ok({ market: inst.symbol, bid: side("bid"), ask: side("ask") });
  }
  return undefined;
}

const DEC = /^\d+(\.\d+)?$/;

function placeOrder(
  engine: ExEngine,
  acct: EmulatedAccount,
  b: Record<string, unknown>,
  chainId: string,
): Answer {
  const market = typeof b.market === "string" ? engine.spec(b.market) : undefined;
  const inst = market === undefined ? undefined : engine.inst(market.symbol);
  if (market === undefined || inst === undefined) return refuse(400, 1001, "Market not found");
  if (typeof b.id !== "string" || b.id.length === 0 || b.id.length > 64)
    return refuse(400, 1133, "id: 1 to 64 characters");
  if (b.side !== "BUY" && b.side !== "SELL") return refuse(400, 1133, "side must be BUY or SELL");
  if (b.type !== "LIMIT" && b.type !== "MARKET") return refuse(400, 1132, "Order type is not allowed");
  if (b.timeInForce !== "GTT" && b.timeInForce !== "IOC")
    return refuse(400, 1133, "timeInForce must be GTT or IOC");
  if (b.type === "MARKET" && b.timeInForce !== "IOC")
    return refuse(400, 1139, "Market order must have time in force IOC");
  for (const f of ["qty", "price", "fee", "nonce"] as const)
    if (typeof b[f] !== "string" || !DEC.test(b[f] as string))
      return refuse(400, 1133, `${f} must be a decimal string`);
  const expiry = b.expiryEpochMillis;
  const now = engine.clock.now();
  if (typeof expiry !== "number" || !Number.isInteger(expiry) || expiry <= now || expiry > now + 90 * DAY)
    return refuse(400, 1135, "Order expiration date must be within 90 days");
  if (Number(b.fee) < inst.spec.takerFeeBps / 10_000) return refuse(400, 1128, "Trading fees are invalid");
  const st = (b.settlement ?? {}) as {
    signature?: { r?: unknown; s?: unknown };
    starkKey?: unknown;
    collateralPosition?: unknown;
  };
  if (
    typeof st.starkKey !== "string" ||
    !/^0x[0-9a-fA-F]+$/.test(st.starkKey) ||
    BigInt(st.starkKey) !== BigInt(acct.starkKey)
  )
    return refuse(400, 1100, "Invalid Starknet public key");
  if (String(st.collateralPosition) !== String(acct.vault))
    return refuse(400, 1102, "Invalid Starknet vault");
  const expected = expectedOrderHash(
    {
      side: b.side,
      qty: b.qty as string,
      price: b.price as string,
      fee: b.fee as string,
      ...(typeof b.builderFee === "string" ? { builderFee: b.builderFee } : {}),
      nonce: b.nonce as string,
      expiryEpochMillis: expiry,
    },
    {
      syntheticId: market.syntheticId,
      collateralId: "0x1",
      syntheticResolution: market.syntheticResolution,
      collateralResolution: 1_000_000,
    },
    acct.vault,
    acct.starkKey,
    chainId,
  );
  if ("error" in expected) return refuse(400, 1133, expected.error);
  if (!checkSettlementSignature(st.signature ?? {}, expected.hash, acct.starkKey))
    return refuse(400, 1101, "Invalid Starknet signature");
  let lots: number;
  let priceTicks: number;
  try {
    lots = inst.size(b.qty as string);
  } catch {
    return refuse(400, 1121, `Invalid quantity: the size increment is ${inst.spec.lotSize}`);
  }
  try {
    priceTicks = inst.price(b.price as string);
  } catch {
    return refuse(400, 1124, `Invalid price: the price increment is ${inst.spec.tickSize}`);
  }
  if (lots < inst.size(market.minOrderSize))
    return refuse(400, 1120, `Order quantity less than min trade size ${market.minOrderSize}`);
  if (engine.byExternalId(acct.apiKey, b.id) !== undefined) return refuse(400, 1134, "Duplicate Order");
  const r = engine.place({
    externalId: b.id,
    account: acct.apiKey,
    market: market.symbol,
    side: b.side,
    type: b.type,
    timeInForce: b.timeInForce,
    postOnly: b.postOnly === true,
    reduceOnly: b.reduceOnly === true,
    priceTicks,
    lots,
    expiryEpochMillis: expiry,
  });
  if ("order" in r) return ok({ id: Number(r.order.id), externalId: r.order.externalId });
  switch (r.reason) {
    case "post_only_would_cross":
      return refuse(400, 1133, "Post-only order would be matched immediately");
    case "reduce_only_would_increase":
      return refuse(400, 1137, "Position is missing for a reduce-only order");
    case "insufficient_margin":
      return refuse(400, 1140, `New order cost exceeds available balance: ${r.message}`);
    default:
      return refuse(400, 1133, r.message);
  }
}

function since(q: URLSearchParams): number {
  return Number(q.get("startTime") ?? 0);
}

export function accountRoute(
  engine: ExEngine,
  method: string,
  path: string,
  q: URLSearchParams,
  b: Record<string, unknown>,
  acct: EmulatedAccount,
  chainId: string,
): Answer {
  const k = acct.apiKey;
  const markets = q.getAll("market");
  const inMarkets = (m: string) => markets.length === 0 || markets.includes(m);
  const key = `${method} ${path}`;
  if (key === "POST /user/order") return placeOrder(engine, acct, b, chainId);
  if (key === "DELETE /user/order") {
    const o = engine.byExternalId(k, q.get("externalId") ?? "");
    if (o === undefined || !isOpen(o)) return refuse(404, 1142, "Order not found");
    engine.cancel(o);
    return ok();
  }
  const del = /^DELETE \/user\/order\/(\d+)$/.exec(key);
  if (del !== null) {
    const o = engine.orders.get(del[1]!);
    if (o === undefined || o.account !== k || !isOpen(o)) return refuse(404, 1142, "Order not found");
    engine.cancel(o);
    return ok();
  }
  const ext = /^GET \/user\/orders\/external\/(.+)$/.exec(key);
  if (ext !== null) {
    const o = engine.byExternalId(k, decodeURIComponent(ext[1]!));
    return o === undefined ? refuse(404, 1142, "Order not found") : ok([orderJson(engine, o)]);
  }
  switch (key) {
    case "GET /user/account/info":
      return ok({
        status: "ACTIVE",
        l2Key: acct.starkKey,
        l2Vault: String(acct.vault),
        accountId: acct.vault,
        description: "emulated",
      });
    case "GET /user/balance":
      return ok(balanceJson(engine, k));
    case "GET /user/positions":
      return ok(positionsJson(engine, k).filter((p) => inMarkets(p.market as string)));
    case "GET /user/orders":
      return ok(
        engine
          .openOrders(k)
          .filter((o: ExOrderRecord) => inMarkets(o.market))
          .map((o) => orderJson(engine, o)),
      );
    case "GET /user/trades":
      return ok(
        (engine.fills.get(k) ?? [])
          .filter((f) => f.ts >= since(q) && inMarkets(f.order.market))
          .map((f) => tradeJson(engine, f)),
      );
    case "GET /user/rewards/earned":
      return ok(rewardsJson(engine, k));
    case "GET /user/funding/history":
      return ok((engine.funding.get(k) ?? []).filter((f) => f.paidTime >= since(q) && inMarkets(f.market)));
    case "PATCH /user/leverage": {
      const inst = typeof b.market === "string" ? engine.inst(b.market) : undefined;
      if (inst === undefined) return refuse(400, 1001, "Market not found");
      const lev = Number(b.leverage);
      if (!(Number.isInteger(lev) && lev >= 1)) return refuse(400, 1053, "Leverage has invalid precision");
      if (lev > inst.spec.maxLeverage) return refuse(400, 1050, "Leverage exceeds max leverage");
      try {
        changeLeverage(engine.exchange, k, inst.symbol, lev, "cross");
      } catch (e) {
        if (e instanceof VenueRejectError) return refuse(400, 1052, e.message);
        throw e;
      }
      return ok({ market: inst.symbol, leverage: String(lev) });
    }
    default:
      return refuse(404, 1006, `${method} ${path} is not served by the emulator`);
  }
}
