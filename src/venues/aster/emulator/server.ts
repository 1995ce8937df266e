/**
 * The Aster emulator's HTTP front on 127.0.0.1: /fapi/v3/* (EIP-712 signed) and /fapi/v1/*
 * (HMAC signed) over the same handlers. A request goes: IP weight (429 -1003) → public endpoint,
 * or authentication (auth.ts) → order count per account (429 -1015) → fault (order requests
 * only) → the handler. Every answer carries X-MBX-USED-WEIGHT-1M.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerUnderFault, type FaultAnswers, FaultQueue, refuseBeforeExecuting } from "../../kit/faults.ts";
import { LoopbackServer, readBody, sendAnswer, type Answer as WireAnswer } from "../../kit/http-front.ts";
import { type AuthResult, NonceBook, type Registry, verifyV1, verifyV3 } from "./auth.ts";
import type { AsEngine } from "./engine.ts";
import { type ExchangeFault, MinuteWindow, weightOf } from "./limits.ts";
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

const FAULT_ANSWERS: FaultAnswers = {
  rateLimited: {
    status: 429,
    body: { code: -1003, msg: "Too many requests; please use the websocket for live updates." },
  },
};

export class AsFront {
  readonly engine: AsEngine;
  readonly sockets: AsSockets;
  readonly faults = new FaultQueue<ExchangeFault>("aster");
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
  readonly #http: LoopbackServer;

  constructor(engine: AsEngine, sockets: AsSockets, limits: FrontLimits) {
    this.engine = engine;
    this.sockets = sockets;
    const now = () => engine.clock.now();
    this.ipWeight = new MinuteWindow(limits.ipWeightPerMinute, now);
    this.orders = new MinuteWindow(limits.ordersPerMinute, now);
    this.nonces = new NonceBook(100, limits.nonceWindowMs);
    this.limits = limits;
    this.#tooMany = new MinuteWindow(limits.banAfter429s, now);
    this.#http = new LoopbackServer({
      handle: (req, res) => this.#handle(req, res),
      failed: (res, e) => send(res, { status: 500, body: { code: -1000, msg: e.message } }, 0),
      upgrade: (req, socket, head) => this.sockets.upgrade(req, socket, head),
    });
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
    if (fault?.kind === "unknownCode" && !fault.execute)
      return send(res, unknownAnswer(fault.code, fault.status), used);
    const kitFault = fault?.kind === "unknownCode" ? undefined : fault;
    const refused = refuseBeforeExecuting(kitFault, FAULT_ANSWERS);
    if (refused !== undefined) return send(res, refused, used);
    const answer = signedRoute(this.engine, method, endpoint, auth.user, auth.params);
    this.sockets.flush();
    if (fault?.kind === "unknownCode") return send(res, unknownAnswer(fault.code, fault.status), used);
    answerUnderFault(
      kitFault,
      answer,
      this.#http.delivery(req, res, (a) => send(res, a, used)),
      FAULT_ANSWERS,
    );
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

function send(res: ServerResponse, a: WireAnswer, usedWeight: number): void {
  sendAnswer(res, a, { "X-MBX-USED-WEIGHT-1M": String(usedWeight) });
}
