/**
 * The Paradex emulator's HTTP front on 127.0.0.1 (base path /v1): public `system/config` and
 * `markets`; `POST /auth` (a Starknet-signed Request → JWT); and the JWT-bearing account routes
 * (orders, XP). An order request goes: per-account budget (429) → bearer token → body fields →
 * Starknet order signature (verify.ts, the emulator's own hashing) → market rules → fault → the
 * book of record. Refusals carry Paradex's `{error, message}` body (codes as ccxt@4.5.84
 * `paradex.js` `exceptions.exact` lists them) with its 4xx status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultQueue, IpBudget } from "../../kit/faults.ts";
import { JwtIssuer } from "./jwt.ts";
import type { PdxOrder, PdxState } from "./state.ts";
import { authHash, checkSignature, e8, orderHash } from "./verify.ts";
import { PdxSockets } from "./ws.ts";

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

const err = (status: number, error: string, message: string): Answer => ({
  status,
  body: { error, message, data: null },
});

/** how far the auth timestamp may be from the emulator's clock, s */
const AUTH_SKEW_S = 30;
/** the longest auth signature lifetime accepted, s (paradex-py signs 24 h ahead) */
const MAX_SIGNATURE_LIFETIME_S = 7 * 24 * 3600;

export class PdxFront {
  readonly state: PdxState;
  readonly chain: string;
  readonly jwt = new JwtIssuer();
  readonly faults = new FaultQueue("paradex");
  /** orders 800/s per account; other private GETs 120/s (docs "rate-limits", VENUES.md §5) */
  readonly orderBudget: IpBudget;
  readonly getBudget: IpBudget;
  readonly now: () => number;
  readonly sockets: PdxSockets;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(state: PdxState, chain: string, now: () => number, orderPerSecond = 800, getPerSecond = 120) {
    this.state = state;
    this.chain = chain;
    this.now = now;
    this.orderBudget = new IpBudget(orderPerSecond, orderPerSecond, now);
    this.getBudget = new IpBudget(getPerSecond, getPerSecond, now);
    this.sockets = new PdxSockets(this.jwt, now, () => state.markets.map((m) => m.symbol));
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) =>
        send(res, err(500, "INTERNAL_ERROR", (e as Error).message)),
      );
    });
    server.on("upgrade", (req, socket, head) => this.sockets.upgrade(req, socket, head));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const t of this.#held) clearTimeout(t);
    this.#held.clear();
    await this.sockets.close();
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/v1/, "");
    const raw = await readBody(req);
    if (method === "GET" && path === "/system/config")
      return send(res, { status: 200, body: { starknet_chain_id: this.chain, environment: "local" } });
    if (method === "GET" && path === "/markets") {
      const m = url.searchParams.get("market");
      return send(res, {
        status: 200,
        body: { results: this.state.markets.filter((x) => !m || x.symbol === m) },
      });
    }
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
    return send(res, this.#read(method, path, url, account));
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
    if (clientId !== "" && this.state.byClientId(account, clientId) !== undefined)
      return send(res, err(400, "DUPLICATED_CLIENT_ID", `client_id ${clientId} was used`));
    if (this.state.openOrders(account, market.symbol) >= Number(market.max_open_orders))
      return send(
        res,
        err(400, "ORDER_REJECTED", `more than ${market.max_open_orders} open orders on ${market.symbol}`),
      );
    const fault = this.faults.next();
    if (fault?.kind === "rateLimited")
      return send(res, err(429, "RATE_LIMIT_EXCEEDED", "rate limit exceeded"));
    if (fault?.kind === "serverError" && !fault.execute)
      return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
    const now = this.now();
    const o: PdxOrder = {
      account,
      id: this.state.nextOrderId(),
      client_id: clientId,
      market: market.symbol,
      side,
      type,
      instruction,
      flags: Array.isArray(body.flags) ? (body.flags as string[]) : [],
      size: str("size")!,
      price: type === "MARKET" ? "0" : str("price")!,
      remaining_size: str("size")!,
      status: "NEW",
      cancel_reason: "",
      created_at: now,
      last_updated_at: now,
      timestamp: now,
    };
    this.state.orders.set(o.id, o);
    this.sockets.order(o);
    const answer: Answer = { status: 201, body: o };
    if (fault === undefined) return send(res, answer);
    switch (fault.kind) {
      case "serverError":
        return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
      case "loseAck":
        req.socket.destroy();
        return;
      case "executeThenTimeout":
      case "delayAck": {
        const t = setTimeout(
          () => {
            this.#held.delete(t);
            if (!res.destroyed) send(res, answer);
          },
          fault.kind === "delayAck" ? fault.ms : fault.holdMs,
        );
        this.#held.add(t);
        return;
      }
    }
  }

  #read(method: string, path: string, url: URL, account: string): Answer {
    if (method === "GET" && path === "/xp/account-balance")
      return { status: 200, body: { account, balance: this.state.xp.get(account) ?? "0" } };
    const byCid = /^\/orders\/by_client_id\/(.+)$/.exec(path);
    if (method === "GET" && byCid !== null) {
      const o = this.state.byClientId(account, decodeURIComponent(byCid[1]!));
      return o === undefined
        ? err(404, "CLIENT_ORDER_ID_NOT_FOUND", "client order id not found")
        : { status: 200, body: o };
    }
    const byId = /^\/orders\/([^/]+)$/.exec(path);
    if (byId !== null) {
      const o = this.state.orders.get(byId[1]!);
      if (o === undefined || o.account !== account)
        return err(404, "ORDER_ID_NOT_FOUND", "order id not found");
      if (method === "GET") return { status: 200, body: o };
      if (method === "DELETE") {
        if (o.status === "CLOSED") return err(400, "ORDER_IS_CLOSED", "order is closed");
        o.status = "CLOSED";
        o.cancel_reason = "USER_CANCELED";
        o.last_updated_at = this.now();
        this.sockets.order(o);
        return { status: 204 };
      }
    }
    if (method === "GET" && path === "/orders")
      return {
        status: 200,
        body: {
          results: [...this.state.orders.values()].filter(
            (o) => o.account === account && o.status !== "CLOSED",
          ),
        },
      };
    void url;
    return err(404, "NOT_FOUND", `${method} /v1${path}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, a: Answer): void {
  if (res.headersSent || res.destroyed) return;
  if (a.body === undefined) {
    res.writeHead(a.status);
    res.end();
    return;
  }
  const text = typeof a.body === "string" ? a.body : JSON.stringify(a.body);
  res.writeHead(a.status, { "Content-Type": typeof a.body === "string" ? "text/plain" : "application/json" });
  res.end(text);
}
