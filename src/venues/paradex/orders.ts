/**
 * Placing and finding orders on Paradex. The body is the REST `POST /v1/orders` shape (ccxt@4.5.84
 * `paradex.js` `createOrderRequest`: market, side, type, size, price, instruction GTC | IOC |
 * POST_ONLY, flags ["REDUCE_ONLY"], client_id, signature, signature_timestamp) with the Order
 * typed data signed over the same size and price scaled ×1e8 (signing.ts). A lost answer stays
 * VenueUnknownOutcomeError; `findByClientId` settles it later (404 CLIENT_ORDER_ID_NOT_FOUND =
 * never landed).
 */
import { z } from "zod";
import type { Clock } from "../../core/clock.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import type { JwtSession } from "./auth.ts";
import { type ParadexHttp, ParadexRejectError, parseAs } from "./http.ts";
import { OrderSchema, OrdersSchema, type PdxOrderAnswer } from "./parse.ts";
import { orderTypedData, signTyped } from "./signing.ts";

export { OrderSchema, type PdxOrderAnswer } from "./parse.ts";

export interface NewOrder {
  readonly market: string;
  readonly side: "BUY" | "SELL";
  readonly type: "LIMIT" | "MARKET";
  readonly size: string;
  readonly price?: string;
  readonly instruction: "GTC" | "IOC" | "POST_ONLY";
  readonly reduceOnly: boolean;
  readonly clientId: string;
}

export async function placeOrder(
  deps: { http: ParadexHttp; session: JwtSession; signer: AccountSigner; clock: Clock },
  o: NewOrder,
): Promise<PdxOrderAnswer> {
  const ts = deps.clock.now();
  const price = o.type === "MARKET" ? "0" : (o.price ?? "");
  const td = orderTypedData(deps.session.chain, {
    timestampMs: ts,
    market: o.market,
    side: o.side,
    orderType: o.type,
    size: o.size,
    price,
  });
  const body = {
    market: o.market,
    side: o.side,
    type: o.type,
    size: o.size,
    ...(o.type === "LIMIT" ? { price } : {}),
    instruction: o.instruction,
    ...(o.reduceOnly ? { flags: ["REDUCE_ONLY"] } : {}),
    client_id: o.clientId,
    signature: await signTyped(deps.signer, td, deps.session.account),
    signature_timestamp: ts,
  };
  const jwt = await deps.session.token();
  try {
    return parseAs(
      OrderSchema,
      await deps.http.request({ method: "POST", path: "/orders", body, jwt }),
      "order answer",
    );
  } catch (e) {
    // a token refused is no order: the next call signs in again
    if (e instanceof ParadexRejectError && e.code === "INVALID_TOKEN") deps.session.invalidate();
    throw e;
  }
}

/** The order with this client id, or undefined when the venue says it never had one. */
export async function findByClientId(
  deps: { http: ParadexHttp; session: JwtSession },
  clientId: string,
): Promise<PdxOrderAnswer | undefined> {
  const jwt = await deps.session.token();
  try {
    const a = await deps.http.request({
      method: "GET",
      path: `/orders/by_client_id/${encodeURIComponent(clientId)}`,
      jwt,
    });
    return parseAs(OrderSchema, a, "order by client id");
  } catch (e) {
    if (e instanceof ParadexRejectError && e.code === "CLIENT_ORDER_ID_NOT_FOUND") return undefined;
    throw e;
  }
}

const XpSchema = z.object({ balance: z.string().regex(/^-?[0-9]+(\.[0-9]+)?$/) });

/** The account's XP balance (`GET /v1/xp/account-balance`, ccxt@4.5.84 paradex.js private GET list). */
export async function readXp(deps: { http: ParadexHttp; session: JwtSession }): Promise<string> {
  const jwt = await deps.session.token();
  return parseAs(
    XpSchema,
    await deps.http.request({ method: "GET", path: "/xp/account-balance", jwt }),
    "xp balance",
  ).balance;
}

/**
 * Cancel by venue order id (`DELETE /v1/orders/{id}`, 204). A refusal (ORDER_ID_NOT_FOUND,
 * ORDER_IS_CLOSED) is a ParadexRejectError: the order is not open.
 */
export async function cancelOrder(
  deps: { http: ParadexHttp; session: JwtSession },
  orderId: string,
): Promise<void> {
  const jwt = await deps.session.token();
  await deps.http.request({ method: "DELETE", path: `/orders/${encodeURIComponent(orderId)}`, jwt });
}

/** The account's open orders (`GET /v1/orders`). */
export async function openOrders(deps: {
  http: ParadexHttp;
  session: JwtSession;
}): Promise<readonly PdxOrderAnswer[]> {
  const jwt = await deps.session.token();
  return parseAs(
    OrdersSchema,
    await deps.http.request({ method: "GET", path: "/orders", jwt }),
    "open orders",
  ).results;
}

/**
 * Cancel by client id (`DELETE /v1/orders/by_client_id/{client_id}?market=`, 204: queued; the
 * close comes on the socket). ORDER_IS_CLOSED / CLIENT_ORDER_ID_NOT_FOUND are refusals.
 */
export async function cancelByClientId(
  deps: { http: ParadexHttp; session: JwtSession },
  clientId: string,
  market: string,
): Promise<void> {
  const jwt = await deps.session.token();
  await deps.http.request({
    method: "DELETE",
    path: `/orders/by_client_id/${encodeURIComponent(clientId)}?market=${encodeURIComponent(market)}`,
    jwt,
  });
}
