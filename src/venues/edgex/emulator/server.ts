/**
 * The EdgeX emulator's HTTP front on 127.0.0.1. A request goes: per-account budget (HTTP 429,
 * rate-limit.ts) → for a private path, the HMAC (verify.ts) → a fault (order requests only) →
 * the route. Refusals are the venue's envelope.
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
import { EDGEX_RATE_LIMITS } from "../rate-limit.ts";
import type { EdgexEngine } from "./engine.ts";
import { envelope } from "./payloads.ts";
import { isOrderRoute, isPrivateRoute, privateRoute, publicRoute, refuse } from "./routes.ts";
import { type ApiAccount, checkHmac } from "./verify.ts";
import type { EdgexSockets } from "./ws.ts";

const tooMany = (now: number) => ({
  status: 429,
  body: envelope("RATE_LIMIT_EXCEEDED", null, now, "too many requests"),
});

export class EdgexFront {
  readonly engine: EdgexEngine;
  readonly sockets: EdgexSockets;
  readonly faults = new FaultQueue("edgex");
  readonly budget: IpBudget;
  readonly #byKey: (apiKey: string) => ApiAccount | undefined;
  readonly #http: LoopbackServer;

  constructor(
    engine: EdgexEngine,
    sockets: EdgexSockets,
    byKey: (apiKey: string) => ApiAccount | undefined,
    budget?: { capacity: number; perSecond: number },
  ) {
    this.engine = engine;
    this.sockets = sockets;
    this.#byKey = byKey;
    const scope = EDGEX_RATE_LIMITS[0];
    this.budget = new IpBudget(
      budget?.capacity ?? scope.capacity,
      budget?.perSecond ?? scope.refillPerSecond,
      () => engine.clock.now(),
    );
    this.#http = new LoopbackServer({
      handle: (req, res) => this.#handle(req, res),
      failed: (res, e) =>
        send(res, { status: 500, body: envelope("INTERNAL_ERROR", null, Date.now(), e.message) }),
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
    const raw = await readBody(req);
    const e = this.engine;
    const pub = publicRoute(e, method, url, (id) => this.sockets.depthVersion(id));
    if (pub !== undefined) return send(res, pub);
    if (!isPrivateRoute(method, url.pathname))
      return send(res, {
        status: 404,
        body: envelope("NOT_FOUND", null, e.clock.now(), `${method} ${url.pathname}`),
      });
    let body: Record<string, unknown> | undefined;
    if (method === "POST") {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        return send(res, refuse(e, "INVALID_ARGUMENT", "the body is not a JSON object"));
      }
    }
    const auth = checkHmac(
      { method, path: url.pathname, query: url.searchParams, body, headers: req.headers },
      this.#byKey,
      e.clock.now(),
    );
    if (!auth.ok) return send(res, refuse(e, auth.code, auth.msg));
    if (!this.budget.take(auth.account.accountId)) return send(res, tooMany(e.clock.now()));
    const fault = isOrderRoute(method, url.pathname) ? this.faults.next() : undefined;
    const answers: FaultAnswers = { rateLimited: tooMany(e.clock.now()) };
    const refused = refuseBeforeExecuting(fault, answers);
    if (refused !== undefined) return send(res, refused);
    const answer = privateRoute(e, auth.account, method, url, body ?? {});
    this.sockets.flush();
    answerUnderFault(
      fault,
      answer,
      this.#http.delivery(req, res, (a) => send(res, a)),
      answers,
    );
  }
}
