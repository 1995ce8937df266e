/**
 * The Lighter emulator's HTTP front on 127.0.0.1. A request goes: rate limit → fault (sendTx only)
 * → the route. Limits are Lighter's standard-account ones (Ld "rate-limits"): a rolling minute of
 * `perMinute` requests, counted per L1 address for authenticated requests (an auth token, or a
 * sendTx naming an account) and per IP for the rest; over it, HTTP 429 with code 23000.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerUnderFault, type FaultAnswers, FaultQueue, refuseBeforeExecuting } from "../../kit/faults.ts";
import { LoopbackServer, readBody, sendAnswer as send } from "../../kit/http-front.ts";
import type { LtEngine } from "./engine.ts";
import { refuse, route } from "./routes.ts";
import type { LtSequencer } from "./sequencer.ts";
import { CODES } from "./verify.ts";
import type { LtSockets } from "./ws.ts";

/** A rolling one-minute request count per key. */
export class MinuteWindow {
  readonly perMinute: number;
  readonly #hits = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(perMinute: number, now: () => number) {
    this.perMinute = perMinute;
    this.#now = now;
  }

  take(key: string): boolean {
    const now = this.#now();
    const list = (this.#hits.get(key) ?? []).filter((t) => t > now - 60_000);
    this.#hits.set(key, list);
    if (list.length >= this.perMinute) return false;
    list.push(now);
    return true;
  }
}

const FAULT_ANSWERS: FaultAnswers = { rateLimited: refuse(CODES.tooManyRequests, "Too Many Requests!", 429) };

export class LtFront {
  readonly engine: LtEngine;
  readonly sequencer: LtSequencer;
  readonly sockets: LtSockets;
  readonly faults = new FaultQueue("lighter");
  readonly limits: MinuteWindow;
  readonly #http: LoopbackServer;

  constructor(engine: LtEngine, sequencer: LtSequencer, sockets: LtSockets, perMinute: number) {
    this.engine = engine;
    this.sequencer = sequencer;
    this.sockets = sockets;
    this.limits = new MinuteWindow(perMinute, () => engine.clock.now());
    this.#http = new LoopbackServer({
      handle: (req, res) => this.#handle(req, res),
      failed: (res, e) => send(res, refuse(50000, e.message, 500)),
      upgrade: (req, socket, head) => this.sockets.upgrade(req, socket, head),
    });
  }

  listen(port: number): Promise<string> {
    return this.#http.listen(port);
  }

  close(): Promise<void> {
    return this.#http.close(() => {
      this.sequencer.close();
      return this.sockets.close();
    });
  }

  /** Who a request counts against: the L1 address of an authenticated request, else the IP. */
  #scope(ip: string, token: string | undefined, form: URLSearchParams): string {
    let account = token === undefined ? Number.NaN : Number(token.split(":")[1]);
    const info = form.get("tx_info");
    if (Number.isNaN(account) && info !== null) {
      try {
        account = Number((JSON.parse(info) as { AccountIndex?: unknown }).AccountIndex);
      } catch {
        // an unreadable tx_info is refused by the route; it counts against the IP
      }
    }
    const a = this.engine.accounts.get(account);
    return a === undefined ? `ip:${ip}` : `l1:${a.l1Address.toLowerCase()}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const form = new URLSearchParams(method === "POST" ? raw : "");
    const header = req.headers.authorization;
    const token = url.searchParams.get("auth") ?? (typeof header === "string" ? header : undefined);
    if (!this.limits.take(this.#scope(req.socket.remoteAddress ?? "?", token, form)))
      return send(res, refuse(CODES.tooManyRequests, "Too Many Requests!", 429));
    const isTx = method === "POST" && url.pathname === "/api/v1/sendTx";
    const fault = isTx ? this.faults.next() : undefined;
    const refused = refuseBeforeExecuting(fault, FAULT_ANSWERS);
    if (refused !== undefined) return send(res, refused);
    const answer = route(this.engine, this.sequencer, method, url, form, token);
    answerUnderFault(
      fault,
      answer,
      this.#http.delivery(req, res, (a) => send(res, a)),
      FAULT_ANSWERS,
    );
  }
}
