/**
 * The Extended emulator's HTTP front on 127.0.0.1: `/api/v1/info/*` public reads and the
 * X-Api-Key account endpoints, and the stream upgrades (ws.ts). An account request goes:
 * API key known (401) → the account's budget (429, rate-limit.ts) → fault (order requests only)
 * → the handler. Refusals use the venue's `{status:"ERROR", error:{code, message}}` body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  answerUnderFault,
  type FaultAnswers,
  FaultQueue,
  IpBudget,
  refuseBeforeExecuting,
} from "../../kit/faults.ts";
import { LoopbackServer, readBody, sendAnswer } from "../../kit/http-front.ts";
import type { ExEngine } from "./engine.ts";
import { accountRoute, type EmulatedAccount, publicRoute, refuse } from "./routes.ts";
import type { ExSockets } from "./ws.ts";

const API_PREFIX = "/api/v1";

const FAULT_ANSWERS: FaultAnswers = { rateLimited: refuse(429, 429, "Too many requests") };

export class ExFront {
  readonly engine: ExEngine;
  readonly chainId: string;
  readonly faults = new FaultQueue("extended");
  readonly budget: IpBudget;
  readonly accounts = new Map<string, EmulatedAccount>();
  readonly sockets: ExSockets;
  readonly #http: LoopbackServer;

  constructor(engine: ExEngine, sockets: ExSockets, chainId: string, capacity: number, perSecond: number) {
    this.engine = engine;
    this.sockets = sockets;
    this.chainId = chainId;
    this.budget = new IpBudget(capacity, perSecond, () => engine.clock.now());
    this.#http = new LoopbackServer({
      handle: (req, res) => this.#handle(req, res),
      failed: (res, e) => sendAnswer(res, refuse(500, 1006, e.message)),
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
    if (!url.pathname.startsWith(API_PREFIX)) return sendAnswer(res, refuse(404, 1006, "not found"));
    const path = url.pathname.slice(API_PREFIX.length);
    const pub = publicRoute(this.engine, method, path, url.searchParams);
    if (pub !== undefined) return sendAnswer(res, pub);
    const acct = this.accounts.get(String(req.headers["x-api-key"] ?? ""));
    if (acct === undefined) return sendAnswer(res, refuse(401, 1004, "Account not found: unknown X-Api-Key"));
    if (!this.budget.take(acct.apiKey)) return sendAnswer(res, FAULT_ANSWERS.rateLimited);
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        return sendAnswer(res, refuse(400, 1133, "body is not a JSON object"));
      }
    }
    const isOrder = path.startsWith("/user/order") && (method === "POST" || method === "DELETE");
    const fault = isOrder ? this.faults.next() : undefined;
    const refused = refuseBeforeExecuting(fault, FAULT_ANSWERS);
    if (refused !== undefined) return sendAnswer(res, refused);
    const answer = accountRoute(this.engine, method, path, url.searchParams, body, acct, this.chainId);
    this.sockets.flush();
    answerUnderFault(
      fault,
      answer,
      this.#http.delivery(req, res, (a) => sendAnswer(res, a)),
      FAULT_ANSWERS,
    );
  }
}
