/**
 * The Paradex emulator's HTTP front on 127.0.0.1 (base path /v1): public `system/config` and
 * `markets`; `POST /auth` (a Starknet-signed Request → JWT); and the JWT-bearing account routes
 * (orders, XP). An order request goes: per-account budget (429) → bearer token → body fields →
 * Starknet order signature (verify.ts, the emulator's own hashing) → market rules → fault → the
 * book of record. Refusals carry Paradex's `{error, message}` body (codes as ccxt@4.5.84
 * `paradex.js` `exceptions.exact` lists them) with its 4xx status.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerUnderFault,
  type FaultAnswers,
  FaultQueue,
  IpBudget,
  refuseBeforeExecuting,
} from "../../kit/faults.ts";
import { LoopbackServer, readBody, sendAnswer as send } from "../../kit/http-front.ts";
import { PUBLIC_PER_MINUTE } from "../rate-limit.ts";
import type { PdxEngine } from "./engine.ts";
import type { JwtIssuer } from "./jwt.ts";
import { type Answer, accountRoute, err, publicRoute } from "./routes.ts";

/** Paradex's answers for the faults that replace one */
const FAULT_ANSWERS: FaultAnswers = { rateLimited: err(429, "RATE_LIMIT_EXCEEDED", "rate limit exceeded") };

import type { PdxState } from "./state.ts";
import { authHash, checkSignature, e8, orderHash } from "./verify.ts";
import type { PdxSockets } from "./ws.ts";

/** how far the auth timestamp may be from the emulator's clock, s */
const AUTH_SKEW_S = 30;
/** the longest auth signature lifetime accepted, s (paradex-py signs 24 h ahead) */
const MAX_SIGNATURE_LIFETIME_S = 7 * 24 * 3600;

export class PdxFront {
  readonly state: PdxState;
  readonly engine: PdxEngine;
  readonly chain: string;
  readonly jwt: JwtIssuer;
  readonly faults = new FaultQueue("paradex");
  /** orders 800/s per account; other private GETs 120/s (docs "rate-limits", VENUES.md §5) */
  readonly orderBudget: IpBudget;
  readonly getBudget: IpBudget;
  /** public endpoints 1500 a minute per IP (rate-limit.ts) */
  readonly publicBudget: IpBudget;
  readonly now: () => number;
  readonly sockets: PdxSockets;
  readonly #http = new LoopbackServer({
    handle: (req, res) => this.#handle(req, res),
    failed: (res, e) => send(res, err(500, "INTERNAL_ERROR", e.message)),
    upgrade: (req, socket, head) => this.sockets.upgrade(req, socket, head),
  });

  constructor(
    state: PdxState,
    engine: PdxEngine,
    sockets: PdxSockets,
    chain: string,
    now: () => number,
    orderPerSecond = 800,
    getPerSecond = 120,
    publicPerMinute = PUBLIC_PER_MINUTE,
  ) {
    this.state = state;
    this.engine = engine;
    this.chain = chain;
    this.now = now;
    this.orderBudget = new IpBudget(orderPerSecond, orderPerSecond, now);
    this.getBudget = new IpBudget(getPerSecond, getPerSecond, now);
    this.publicBudget = new IpBudget(publicPerMinute, publicPerMinute / 60, now);
    this.sockets = sockets;
    this.jwt = sockets.jwt;
  }

  listen(port: number): Promise<string> {
    return this.#http.listen(port);
  }

  close(): Promise<void> {
    return this.#http.close(() => this.sockets.close());
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/v1/, "");
    const raw = await readBody(req);
    const isPublic = req.headers.authorization === undefined && !(method === "POST" && path === "/auth");
    if (isPublic && !this.publicBudget.take(req.socket.remoteAddress ?? "?"))
      return send(res, err(429, "RATE_LIMIT_EXCEEDED", "public rate limit exceeded"));
    if (method === "GET" && path === "/system/config")
      return send(res, { status: 200, body: { starknet_chain_id: this.chain, environment: "local" } });
    if (method === "GET" && path === "/system/time")
      return send(res, { status: 200, body: { server_time: this.now() } });
    if (method === "GET" && path === "/markets") {
      const m = url.searchParams.get("market");
      return send(res, {
        status: 200,
        body: { results: this.state.markets.filter((x) => !m || x.symbol === m) },
      });
    }
    const pub = publicRoute(this.engine, method, path, url.searchParams);
    if (pub !== undefined) return send(res, pub);
    if (method === "POST" && path === "/auth") return send(res, this.#auth(req));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    if (bearer === null) return send(res, err(401, "INVALID_TOKEN", "missing or malformed jwt"));
    const who = this.jwt.check(bearer[1]!, this.now());
    if (!who.ok) return send(res, err(401, "INVALID_TOKEN", `jwt ${who.why}`));
    const account = who.account;
    const isOrder = path === "/orders" && method === "POST";
    if (!(isOrder ? this.orderBudget : this.getBudget).take(account))
      return send(res, err(429, "RATE_LIMIT_EXCEEDED", "rate limit exceeded"));
    if (isOrder) return this.#order(req, res, account, raw);
    return send(res, this.#read(method, path, url, account, raw));
  }

  #auth(req: IncomingMessage): Answer {
    const h = (k: string) => {
      const v = req.headers[k];
      return typeof v === "string" ? v : undefined;
    };
    const account = h("paradex-starknet-account");
    const sig = h("paradex-starknet-signature");
    const ts = h("paradex-timestamp");
    const exp = h("paradex-signature-expiration");
    if (account === undefined || !/^0x[0-9a-fA-F]{1,64}$/.test(account))
      return err(
        400,
        "INVALID_STARKNET_ADDRESS",
        "PARADEX-STARKNET-ACCOUNT missing or not a Starknet address",
      );
    if (ts === undefined || !/^[0-9]+$/.test(ts))
      return err(400, "INVALID_TIMESTAMP", "PARADEX-TIMESTAMP missing");
    if (exp === undefined || !/^[0-9]+$/.test(exp))
      return err(400, "INVALID_SIGNATURE_EXPIRATION", "PARADEX-SIGNATURE-EXPIRATION missing");
    const nowS = Math.floor(this.now() / 1000);
    if (Math.abs(Number(ts) - nowS) > AUTH_SKEW_S)
      return err(400, "INVALID_TIMESTAMP", `timestamp ${ts} is more than ${AUTH_SKEW_S}s from ${nowS}`);
    if (Number(exp) <= nowS || Number(exp) - Number(ts) > MAX_SIGNATURE_LIFETIME_S)
      return err(400, "INVALID_SIGNATURE_EXPIRATION", `expiration ${exp} is past or too far ahead`);
    const key = this.state.accounts.get(account.toLowerCase());
    if (key === undefined) return err(400, "NOT_ONBOARDED", "User has never called /onboarding endpoint");
    if (!checkSignature(sig, authHash(this.chain, account, ts, exp), key))
      return err(400, "STARKNET_SIGNATURE_VERIFICATION_FAILED", "auth request signature does not verify");
    return { status: 200, body: { jwt_token: this.jwt.issue(account.toLowerCase(), this.now()) } };
  }

  #order(req: IncomingMessage, res: ServerResponse, account: string, raw: string) {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
      if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
    } catch {
      return send(res, err(400, "BAD_REQUEST", "body is not a JSON object"));
    }
    const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
    const market = this.state.market(str("market") ?? "");
    if (market === undefined) return send(res, err(400, "MARKET_NOT_FOUND", `market ${String(body.market)}`));
    const side = str("side");
    const type = str("type");
    const instruction = str("instruction") ?? "GTC";
    if (side !== "BUY" && side !== "SELL") return send(res, err(400, "INVALID_REQUEST_PARAMETER", "side"));
    if (type !== "LIMIT" && type !== "MARKET")
      return send(res, err(400, "INVALID_REQUEST_PARAMETER", "type"));
    if (instruction !== "GTC" && instruction !== "IOC" && instruction !== "POST_ONLY")
      return send(res, err(400, "INVALID_REQUEST_PARAMETER", "instruction"));
    const size = e8(str("size") ?? "");
    const price = type === "MARKET" ? 0n : e8(str("price") ?? "");
    if (size === undefined || size === 0n) return send(res, err(400, "INVALID_REQUEST_PARAMETER", "size"));
    if (price === undefined || (type === "LIMIT" && price === 0n))
      return send(res, err(400, "INVALID_REQUEST_PARAMETER", "price"));
    const sigTs = body.signature_timestamp;
    if (typeof sigTs !== "number" || !Number.isSafeInteger(sigTs))
      return send(res, err(400, "INVALID_REQUEST_PARAMETER", "signature_timestamp"));
    const key = this.state.accounts.get(account)!;
    const hash = orderHash(this.chain, account, {
      signatureTimestamp: sigTs,
      market: market.symbol,
      side,
      type,
      size,
      price,
    });
    if (!checkSignature(body.signature, hash, key))
      return send(res, err(400, "INVALID_ORDER_SIGNATURE", "order signature does not verify"));
    if (e8(str("size")!)! % e8(market.order_size_increment)! !== 0n)
      return send(
        res,
        err(400, "INVALID_REQUEST_PARAMETER", `size is not a multiple of ${market.order_size_increment}`),
      );
    if (type === "LIMIT" && price % e8(market.price_tick_size)! !== 0n)
      return send(
        res,
        err(400, "INVALID_PRICE_PRECISION", `price is not a multiple of ${market.price_tick_size}`),
      );
    const clientId = str("client_id") ?? "";
    if (clientId !== "" && this.engine.byClientId(account, clientId) !== undefined)
      return send(res, err(400, "DUPLICATED_CLIENT_ID", `client_id ${clientId} was used`));
    if (this.engine.openOrders(account, market.symbol).length >= market.max_open_orders)
      return send(
        res,
        err(400, "ORDER_REJECTED", `more than ${market.max_open_orders} open orders on ${market.symbol}`),
      );
    const fault = this.faults.next();
    const refused = refuseBeforeExecuting(fault, FAULT_ANSWERS);
    if (refused !== undefined) return send(res, refused);
    const { received } = this.engine.place({
      account,
      client_id: clientId,
      market: market.symbol,
      side,
      type,
      instruction,
      flags: Array.isArray(body.flags) ? (body.flags as unknown[]).filter((f) => typeof f === "string") : [],
      size: str("size")!,
      price: type === "MARKET" ? "0" : str("price")!,
    });
    // the order's later states go out on the sockets after its answer has left
    setImmediate(() => this.sockets.flush());
    answerUnderFault(
      fault,
      { status: 201, body: received },
      this.#http.delivery(req, res, (x) => send(res, x)),
      FAULT_ANSWERS,
    );
  }

  #read(method: string, path: string, url: URL, account: string, raw: string): Answer {
    let body: unknown;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      return err(400, "BAD_REQUEST", "body is not JSON");
    }
    const a = accountRoute(this.engine, this.state, { method, path, query: url.searchParams, account, body });
    // a cancel's close goes out on the sockets after its 204
    setImmediate(() => this.sockets.flush());
    return a;
  }
}
