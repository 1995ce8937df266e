/**
 * The Backpack emulator's HTTP front on 127.0.0.1: public market endpoints and the signed
 * account endpoints. A signed request goes: IP budget (429) → signature, window and timestamp
 * (verify.ts) → a funded account → fault (order requests only) → the handler. Refusals use the
 * venue's `{code, message}` body with its 4xx status.
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
import type { BpEngine } from "./engine.ts";
import { publicRoute, signedRoute } from "./routes.ts";
import { ROUTE_INSTRUCTION, verifyRequest } from "./verify.ts";
import type { BpSockets } from "./ws.ts";

const TOO_MANY = { status: 429, body: { code: "TOO_MANY_REQUESTS", message: "Rate limit exceeded" } };
const FAULT_ANSWERS: FaultAnswers = { rateLimited: TOO_MANY };

export class BpFront {
  readonly engine: BpEngine;
  readonly faults = new FaultQueue("backpack");
  readonly ip: IpBudget;
  readonly accounts = new Set<string>();
  readonly sockets: BpSockets;
  readonly #http: LoopbackServer;

  constructor(engine: BpEngine, sockets: BpSockets, ipCapacity: number, ipPerSecond: number) {
    this.engine = engine;
    this.sockets = sockets;
    this.ip = new IpBudget(ipCapacity, ipPerSecond, () => engine.clock.now());
    this.#http = new LoopbackServer({
      handle: (req, res) => this.#handle(req, res),
      failed: (res, e) => send(res, { status: 500, body: { code: "INTERNAL_ERROR", message: e.message } }),
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
    const ip = req.socket.remoteAddress ?? "?";
    const raw = await readBody(req);
    if (!this.ip.take(ip)) return send(res, TOO_MANY);
    const pub = publicRoute(this.engine, method, url, (s) => this.sockets.depthSnapshot(s));
    if (pub !== undefined) return send(res, pub);
    const instruction = ROUTE_INSTRUCTION[`${method} ${url.pathname}`];
    if (instruction === undefined)
      return send(res, {
        status: 404,
        body: { code: "RESOURCE_NOT_FOUND", message: `${method} ${url.pathname}` },
      });
    let body: Record<string, unknown> | undefined;
    if (raw.length > 0) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        return send(res, {
          status: 400,
          body: { code: "INVALID_CLIENT_REQUEST", message: "body is not a JSON object" },
        });
      }
    }
    const auth = verifyRequest({
      instruction,
      headers: req.headers,
      query: url.searchParams,
      body,
      now: this.engine.clock.now(),
    });
    if (!auth.ok) return send(res, { status: auth.status, body: { code: auth.code, message: auth.message } });
    if (!this.accounts.has(auth.apiKey))
      return send(res, { status: 401, body: { code: "UNAUTHORIZED", message: "API key not found" } });
    const isOrder = url.pathname === "/api/v1/order" && (method === "POST" || method === "DELETE");
    const fault = isOrder ? this.faults.next() : undefined;
    const refused = refuseBeforeExecuting(fault, FAULT_ANSWERS);
    if (refused !== undefined) return send(res, refused);
    const answer = signedRoute(this.engine, instruction, auth.apiKey, url.searchParams, body ?? {});
    this.sockets.flush();
    answerUnderFault(
      fault,
      answer,
      this.#http.delivery(req, res, (a) => send(res, a)),
      FAULT_ANSWERS,
    );
  }
}
