/**
 * The Aster emulator's HTTP front on 127.0.0.1: /fapi/v3/* (EIP-712 signed) and /fapi/v1/*
 * (HMAC signed) over the same handlers. A request goes: IP weight (429 -1003) → public endpoint,
 * or authentication (auth.ts) → order count per account (429 -1015) → fault (order requests
 * only) → the handler. Every answer carries X-MBX-USED-WEIGHT-1M.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type AuthResult, NonceBook, type Registry, verifyV1, verifyV3 } from "./auth.ts";
import type { AsEngine } from "./engine.ts";
import { FaultQueue, MinuteWindow, weightOf } from "./limits.ts";
import { type Answer, publicRoute, signedRoute } from "./routes.ts";
import type { AsSockets } from "./ws.ts";

export interface FrontLimits {
  readonly ipWeightPerMinute: number;
  readonly ordersPerMinute: number;
  readonly nonceWindowMs: number;
  /** 429s an IP may get within a minute before it is banned (HTTP 418) for `banMs` */
  readonly banAfter429s: number;
  readonly banMs: number;
}

export class AsFront {
  readonly engine: AsEngine;
  readonly sockets: AsSockets;
  readonly faults = new FaultQueue();
  readonly registry: Registry = { agents: new Map(), hmacKeys: new Map() };
  readonly nonces: NonceBook;
  readonly ipWeight: MinuteWindow;
  readonly orders: MinuteWindow;
  /** requests seen per endpoint ("POST /fapi/v3/order"), for tests */
  readonly seen = new Map<string, number>();
  readonly limits: FrontLimits;
  readonly #tooMany: MinuteWindow;
  /** IP → banned until (ms) */
  readonly #banned = new Map<string, number>();
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(engine: AsEngine, sockets: AsSockets, limits: FrontLimits) {
    this.engine = engine;
    this.sockets = sockets;
    const now = () => engine.clock.now();
    this.ipWeight = new MinuteWindow(limits.ipWeightPerMinute, now);
    this.orders = new MinuteWindow(limits.ordersPerMinute, now);
    this.nonces = new NonceBook(100, limits.nonceWindowMs);
    this.limits = limits;
    this.#tooMany = new MinuteWindow(limits.banAfter429s, now);
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) =>
        send(res, { status: 500, body: { code: -1000, msg: (e as Error).message } }, 0),
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
    const body = await readBody(req);
    const m = /^\/fapi\/(v1|v3)\/(.+)$/.exec(url.pathname);
    if (m === null)
      return send(res, { status: 404, body: { code: -1000, msg: `no route ${url.pathname}` } }, 0);
    const [, version, endpoint] = m;
    this.seen.set(`${method} ${url.pathname}`, (this.seen.get(`${method} ${url.pathname}`) ?? 0) + 1);
    const ip = req.socket.remoteAddress ?? "?";
    const query = url.search.slice(1);
    const all = new URLSearchParams(`${query}&${body}`);
    const now = this.engine.clock.now();
    const until = this.#banned.get(ip) ?? 0;
    if (until > now)
      return send(
        res,
        { status: 418, body: { code: -1003, msg: `Way too many requests; IP banned until ${until}.` } },
        this.ipWeight.used(ip),
      );
    if (!this.ipWeight.take(ip, weightOf(method, endpoint, all))) {
      // Binance's rule: an IP that keeps sending after 429s is banned (418), 2 min and up
      if (!this.#tooMany.take(ip, 1)) this.#banned.set(ip, now + this.limits.banMs);
      return send(
        res,
        {
          status: 429,
          body: {
            code: -1003,
            msg: `Too many requests; current limit is ${this.ipWeight.limit} request weight per minute.`,
          },
        },
        this.ipWeight.used(ip),
      );
    }
    const used = this.ipWeight.used(ip);
    if (method === "GET") {
      const pub = publicRoute(this.engine, endpoint, url.searchParams, (s, n) =>
        this.sockets.depthSnapshot(s, n),
      );
      if (pub !== undefined) return send(res, pub, used);
    }
    const auth = this.#auth(version, endpoint, method, query, body, req.headers["x-mbx-apikey"]);
    if (!auth.ok) return send(res, { status: auth.status, body: { code: auth.code, msg: auth.msg } }, used);
    if (endpoint === "listenKey") return send(res, this.#listenKey(method, auth.user), used);
    const isOrder = endpoint === "order" && (method === "POST" || method === "DELETE");
    if (endpoint === "order" && method === "POST" && !this.orders.take(auth.user, 1))
      return send(
        res,
        {
          status: 429,
          body: {
            code: -1015,
            msg: `Too many new orders; current limit is ${this.orders.limit} orders per MINUTE.`,
          },
        },
        used,
      );
    const fault = isOrder ? this.faults.next() : undefined;
    if (fault?.kind === "rateLimited")
      return send(
        res,
        {
          status: 429,
          body: { code: -1003, msg: "Too many requests; please use the websocket for live updates." },
        },
        used,
      );
    if (fault?.kind === "serverError" && !fault.execute)
      return send(res, { status: fault.status ?? 503, body: "Service Unavailable" }, used);
    if (fault?.kind === "unknownCode" && !fault.execute)
      return send(res, unknownAnswer(fault.code, fault.status), used);
    const answer = signedRoute(this.engine, method, endpoint, auth.user, auth.params);
    this.sockets.flush();
    if (fault === undefined) return send(res, answer, used);
    switch (fault.kind) {
      case "serverError":
        return send(res, { status: fault.status ?? 503, body: "Service Unavailable" }, used);
      case "unknownCode":
        return send(res, unknownAnswer(fault.code, fault.status), used);
      case "loseAck":
        req.socket.destroy();
        return;
      case "executeThenTimeout": {
        const t = setTimeout(() => {
          this.#held.delete(t);
          if (!res.destroyed) send(res, answer, used);
        }, fault.holdMs);
        this.#held.add(t);
        return;
      }
    }
  }

  #auth(
    version: string,
    endpoint: string,
    method: string,
    query: string,
    body: string,
    apiKey: string | string[] | undefined,
  ): AuthResult {
    const now = this.engine.clock.now();
    const key = Array.isArray(apiKey) ? apiKey[0] : apiKey;
    if (version === "v3") {
      const text = method === "GET" || method === "DELETE" || body === "" ? query : body;
      return verifyV3(text, this.registry, this.nonces, now);
    }
    // V1 user-stream key management needs the API key only (Binance: USER_STREAM security)
    if (endpoint === "listenKey") {
      const k = key === undefined ? undefined : this.registry.hmacKeys.get(key);
      if (k === undefined)
        return {
          ok: false,
          status: 401,
          code: -2015,
          msg: "Invalid API-key, IP, or permissions for action.",
        };
      return { ok: true, user: k.user, params: new URLSearchParams(`${query}&${body}`) };
    }
    return verifyV1(query, body, key, this.registry, now);
  }

  #listenKey(method: string, account: string): Answer {
    const keys = this.sockets.keys;
    if (method === "POST") return { status: 200, body: { listenKey: keys.create(account) } };
    if (method === "PUT")
      return keys.extend(account)
        ? { status: 200, body: {} }
        : { status: 400, body: { code: -1125, msg: "This listenKey does not exist." } };
    if (method === "DELETE") {
      keys.remove(account);
      return { status: 200, body: {} };
    }
    return { status: 405, body: { code: -1000, msg: `listenKey: ${method}` } };
  }
}

function unknownAnswer(code: -1006 | -1007, status?: number): Answer {
  const msg =
    code === -1006
      ? "An unexpected response was received from the message bus. Execution status unknown."
      : "Timeout waiting for response from backend server. Send status unknown; execution status unknown.";
  return { status: status ?? 503, body: { code, msg } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, a: Answer, usedWeight: number): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof a.body === "string" ? a.body : JSON.stringify(a.body);
  res.writeHead(a.status, {
    "Content-Type": typeof a.body === "string" ? "text/plain" : "application/json",
    "X-MBX-USED-WEIGHT-1M": String(usedWeight),
  });
  res.end(text);
}
