/**
 * The Hibachi emulator's HTTP front on 127.0.0.1, serving both hosts' paths (data-api
 * `/market/...`, api `/trade/...`). A private request goes: Authorization names a registered API
 * key (401 AUTH_FAILED) → the key's rate limit (429 `{name, count, limit, windowDuration}`) →
 * the body's accountId is the key's account (403) → nonce unused and within ±`nonceWindowMs` of
 * server time (400 INVALID_NONCE) → signature (verify.ts; 401 INVALID_SIGNATURE) → fault → the
 * core. Refusals use Hibachi's `{errorCode, status: "failed", message}` body (the fields
 * hibachi_sdk api.py `raise_response_errors` reads).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerUnderFault,
  type ExchangeFault,
  type FaultAnswers,
  FaultQueue,
  refuseBeforeExecuting,
} from "../../kit/faults.ts";
import { type Answer, LoopbackServer, readBody, sendAnswer as send } from "../../kit/http-front.ts";
import type { HbEngine } from "./engine.ts";
import {
  accountInfoJson,
  exchangeInfoJson,
  orderbookJson,
  orderJson,
  pricesJson,
  settlementJson,
  tradeJson,
} from "./payloads.ts";
import { cancelBytes, orderBytes, signatureValid } from "./verify.ts";
import { type EmuAccount, HbSockets } from "./ws.ts";

type Json = Record<string, unknown>;

/**
 * Faults for the next order requests (POST/PUT/DELETE /trade/order): the kit's (`loseAck`,
 * `executeThenTimeout`, `serverError`, `rateLimited`, `delayAck`; ../../kit/faults.ts) and
 * Hibachi's own `refuse`: the venue's error body `{errorCode, status, message}` (HTTP `status`,
 * default 400), not executed.
 */
export type HibachiFault =
  | ExchangeFault
  | { readonly kind: "refuse"; readonly errorCode: string; readonly status?: number };

/** The venue's 429 body (api.py `raise_response_errors` reads name, count, limit, windowDuration). */
const FAULT_ANSWERS: FaultAnswers = {
  rateLimited: { status: 429, body: { name: "orders", count: 11, limit: 10, windowDuration: "1s" } },
  serverErrorText: "upstream unavailable",
};

export type { EmuAccount } from "./ws.ts";

const fail = (status: number, errorCode: string, message: string): Answer => ({
  status,
  body: { errorCode, status: "failed", message },
});

export class HbFront {
  readonly engine: HbEngine;
  readonly accounts = new Map<string, EmuAccount>();
  readonly faults = new FaultQueue<HibachiFault>("hibachi");
  readonly nonceWindowMs: number;
  readonly ordersPerSecond: number;
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #http = new LoopbackServer({
    handle: (req, res) => this.#handle(req, res),
    failed: (res, e) =>
      send(res, { status: 500, body: { errorCode: "INTERNAL", status: "failed", message: e.message } }),
    upgrade: (req, socket, head) => this.sockets.upgrade(req, socket, head),
  });
  /** `/ws/market`, `/ws/account`, `/ws/trade` on the same port */
  readonly sockets: HbSockets;

  constructor(engine: HbEngine, opts: { nonceWindowMs: number; ordersPerSecond: number }) {
    this.engine = engine;
    this.sockets = new HbSockets(engine, this.accounts);
    this.nonceWindowMs = opts.nonceWindowMs;
    this.ordersPerSecond = opts.ordersPerSecond;
  }

  listen(port: number): Promise<string> {
    return this.#http.listen(port);
  }

  close(): Promise<void> {
    return this.#http.close(() => this.sockets.close());
  }

  /** A fixed window per API key, one second long, `ordersPerSecond` requests (the venue's limit is unpublished). */
  #rateLimited(apiKey: string): Answer | undefined {
    const now = this.engine.clock.now();
    const w = this.#windows.get(apiKey);
    const win = w === undefined || now - w.start >= 1000 ? { start: now, count: 0 } : w;
    this.#windows.set(apiKey, win);
    win.count++;
    if (win.count <= this.ordersPerSecond) return undefined;
    return {
      status: 429,
      body: { name: "requests", count: win.count, limit: this.ordersPerSecond, windowDuration: "1s" },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const pub = this.#public(method, url);
    if (pub !== undefined) return send(res, pub);
    if (!url.pathname.startsWith("/trade/"))
      return send(res, fail(404, "NOT_FOUND", `no route ${method} ${url.pathname}`));
    const acct = this.accounts.get(req.headers.authorization ?? "");
    if (acct === undefined) return send(res, fail(401, "AUTH_FAILED", "Invalid API key"));
    const limited = this.#rateLimited(acct.apiKey);
    if (limited !== undefined) return send(res, limited);
    let body: Json = {};
    if (raw !== "") {
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        return send(res, fail(400, "INVALID_PARAM", "body is not JSON"));
      }
    }
    const accountId = Number(method === "GET" ? url.searchParams.get("accountId") : body.accountId);
    if (accountId !== acct.accountId)
      return send(res, fail(403, "FORBIDDEN", `accountId ${accountId} is not this API key's account`));
    const isOrder =
      url.pathname === "/trade/order" && (method === "POST" || method === "PUT" || method === "DELETE");
    if (!isOrder) return send(res, this.#read(method, url, acct));
    const fault = this.faults.next();
    if (fault?.kind === "refuse")
      return send(res, fail(fault.status ?? 400, fault.errorCode, "refused by the emulator's fault queue"));
    const refused = refuseBeforeExecuting(fault, FAULT_ANSWERS);
    if (refused !== undefined) return send(res, refused);
    const answer =
      method === "POST"
        ? this.#place(body, acct)
        : method === "PUT"
          ? this.#update(body, acct)
          : this.#cancel(body, acct);
    answerUnderFault(
      fault,
      answer,
      this.#http.delivery(req, res, (a) => send(res, a)),
      FAULT_ANSWERS,
    );
  }

  #public(method: string, url: URL): Answer | undefined {
    if (method !== "GET" || !url.pathname.startsWith("/market/")) return undefined;
    if (url.pathname === "/market/exchange-info") return { status: 200, body: exchangeInfoJson(this.engine) };
    const contract = this.engine.contractBySymbol(url.searchParams.get("symbol") ?? "");
    if (contract === undefined)
      return fail(400, "INVALID_PARAM", `unknown symbol "${url.searchParams.get("symbol")}"`);
    if (url.pathname === "/market/data/prices")
      return { status: 200, body: pricesJson(this.engine, contract) };
    if (url.pathname === "/market/data/orderbook")
      return {
        status: 200,
        body: orderbookJson(this.engine, contract, Number(url.searchParams.get("depth") ?? 5)),
      };
    return fail(404, "NOT_FOUND", `no route GET ${url.pathname}`);
  }

  #read(method: string, url: URL, acct: EmuAccount): Answer {
    if (method === "GET" && url.pathname === "/trade/account/info")
      return { status: 200, body: accountInfoJson(this.engine, acct.accountId) };
    if (method === "GET" && url.pathname === "/trade/account/trades")
      return {
        status: 200,
        body: { trades: this.engine.trades.filter((t) => t.accountId === acct.accountId).map(tradeJson) },
      };
    if (method === "GET" && url.pathname === "/trade/account/settlements_history")
      return {
        status: 200,
        body: {
          settlements: this.engine.settlements
            .filter((x) => x.accountId === acct.accountId)
            .map(settlementJson),
        },
      };
    if (method === "GET" && url.pathname === "/trade/orders")
      return { status: 200, body: this.engine.pending(acct.accountId).map((o) => orderJson(this.engine, o)) };
    if (method === "GET" && url.pathname === "/trade/order") {
      const orderId = url.searchParams.get("orderId") ?? undefined;
      const nonce = url.searchParams.get("nonce") ?? undefined;
      if (orderId === undefined && nonce === undefined)
        return fail(400, "INVALID_PARAM", "either orderId or nonce must be given");
      const o = this.engine.find(acct.accountId, { orderId, nonce });
      return o === undefined
        ? fail(404, "NOT_FOUND", "Order not found")
        : { status: 200, body: orderJson(this.engine, o) };
    }
    return fail(404, "NOT_FOUND", `no route ${method} ${url.pathname}`);
  }

  /** The nonce check: a decimal µs timestamp within the window, not used before by the account (taken once the signature holds). */
  #nonce(acct: EmuAccount, value: unknown): { nonce: bigint } | Answer {
    const text = String(value);
    if (!/^\d{1,20}$/.test(text))
      return fail(400, "INVALID_NONCE", `nonce ${JSON.stringify(value)} is not an integer`);
    const nonce = BigInt(text);
    const skewMs = Number(nonce / 1000n) - this.engine.clock.now();
    if (Math.abs(skewMs) > this.nonceWindowMs)
      return fail(
        400,
        "INVALID_NONCE",
        `nonce ${text} is ${skewMs} ms from server time (limit ±${this.nonceWindowMs} ms; µs expected)`,
      );
    if (this.engine.nonces.get(acct.accountId)?.has(text) === true)
      return fail(400, "INVALID_NONCE", `nonce ${text} was already used`);
    return { nonce };
  }

  #place(body: Json, acct: EmuAccount): Answer {
    const contract = this.engine.contractBySymbol(String(body.symbol));
    if (contract === undefined)
      return fail(400, "INVALID_PARAM", `unknown symbol ${JSON.stringify(body.symbol)}`);
    const type = body.orderType;
    if (type !== "LIMIT" && type !== "MARKET")
      return fail(400, "INVALID_PARAM", `orderType ${JSON.stringify(type)}`);
    if (type === "LIMIT" && typeof body.price !== "string")
      return fail(400, "INVALID_PARAM", "a LIMIT order needs price as a decimal string");
    for (const f of ["quantity", "maxFeesPercent", "signature"] as const)
      if (typeof body[f] !== "string") return fail(400, "INVALID_PARAM", `${f} must be a string`);
    const flag = body.orderFlags;
    if (flag !== undefined && flag !== "POST_ONLY" && flag !== "IOC" && flag !== "REDUCE_ONLY")
      return fail(
        400,
        "INVALID_PARAM",
        `orderFlags ${JSON.stringify(flag)} is none of POST_ONLY, IOC, REDUCE_ONLY`,
      );
    const n = this.#nonce(acct, body.nonce);
    if (!("nonce" in n)) return n;
    const price = type === "LIMIT" ? (body.price as string) : undefined;
    const bytes = orderBytes(contract, {
      nonce: n.nonce,
      quantity: body.quantity as string,
      side: String(body.side),
      price,
      maxFeesPercent: body.maxFeesPercent as string,
    });
    if (typeof bytes === "string") return fail(400, "INVALID_PARAM", bytes);
    if (!signatureValid(acct.key, bytes, body.signature as string))
      return fail(401, "INVALID_SIGNATURE", "Signature does not match the order");
    // a nonce is spent only by a request its account signed
    this.engine.takeNonce(acct.accountId, String(n.nonce));
    if (Number(body.maxFeesPercent) < Number(this.engine.takerFeeRate))
      return fail(
        400,
        "MAX_FEES_TOO_LOW",
        `maxFeesPercent ${body.maxFeesPercent} is below the taker fee rate ${this.engine.takerFeeRate}`,
      );
    const inst = this.engine.instruments.get(contract.symbol)!;
    let lots: number;
    try {
      lots = inst.size(body.quantity as string);
      if (price !== undefined) inst.price(price);
    } catch (e) {
      return fail(400, "INVALID_PARAM", (e as Error).message);
    }
    const out = this.engine.place({
      accountId: acct.accountId,
      nonce: String(n.nonce),
      contract,
      side: body.side as "BID" | "ASK",
      price,
      lots,
      flag,
    });
    if ("reason" in out) return fail(400, coreCode(out.reason), out.message);
    return { status: 200, body: { orderId: out.order.orderId } };
  }

  /**
   * PUT /trade/order (sdk `update_order`): `{orderId, nonce, quantity, price, maxFeesPercent,
   * signature}` (the sdk also sends updatedQuantity / updatedPrice, the same values), signed as a
   * new order of the same side and contract with the new nonce.
   */
  #update(body: Json, acct: EmuAccount): Answer {
    const orderId = body.orderId === undefined ? "" : String(body.orderId);
    const o = this.engine.find(acct.accountId, { orderId });
    if (o === undefined) return fail(404, "NOT_FOUND", "Order not found");
    for (const f of ["quantity", "price", "maxFeesPercent", "signature"] as const)
      if (typeof body[f] !== "string") return fail(400, "INVALID_PARAM", `${f} must be a string`);
    const n = this.#nonce(acct, body.nonce);
    if (!("nonce" in n)) return n;
    const bytes = orderBytes(o.contract, {
      nonce: n.nonce,
      quantity: body.quantity as string,
      side: o.side,
      price: body.price as string,
      maxFeesPercent: body.maxFeesPercent as string,
    });
    if (typeof bytes === "string") return fail(400, "INVALID_PARAM", bytes);
    if (!signatureValid(acct.key, bytes, body.signature as string))
      return fail(401, "INVALID_SIGNATURE", "Signature does not match the update");
    this.engine.takeNonce(acct.accountId, String(n.nonce));
    const inst = this.engine.instruments.get(o.contract.symbol)!;
    let lots: number;
    try {
      lots = inst.size(body.quantity as string);
      inst.price(body.price as string);
    } catch (e) {
      return fail(400, "INVALID_PARAM", (e as Error).message);
    }
    const refused = this.engine.update(o, body.price as string, lots);
    if (refused !== undefined) return fail(400, coreCode(refused.reason), refused.message);
    return { status: 200, body: { orderId: o.orderId } };
  }

  #cancel(body: Json, acct: EmuAccount): Answer {
    if (typeof body.signature !== "string") return fail(400, "INVALID_PARAM", "signature must be a string");
    const orderId = body.orderId === undefined ? undefined : String(body.orderId);
    const nonce = body.nonce === undefined ? undefined : String(body.nonce);
    const key = orderId ?? nonce;
    if (key === undefined || !/^\d{1,20}$/.test(key))
      return fail(400, "INVALID_PARAM", "either orderId or nonce must be given as an integer");
    if (!signatureValid(acct.key, cancelBytes(BigInt(key)), body.signature))
      return fail(401, "INVALID_SIGNATURE", "Signature does not match the cancel");
    const o = this.engine.find(acct.accountId, { orderId, nonce });
    if (o === undefined) return fail(404, "NOT_FOUND", "Order not found");
    if (!this.engine.cancel(o)) return fail(400, "ORDER_NOT_OPEN", `order ${o.orderId} is ${o.status}`);
    return { status: 200, body: {} };
  }
}

/** The core's refusal reasons as error codes in the venue's style. */
function coreCode(reason: string): string {
  return reason.toUpperCase();
}
