/**
 * The Hyperliquid protocol emulator's front: `POST /info`, `POST /exchange` and the WebSocket at
 * `/ws` on 127.0.0.1, backed by the engine (the simulated exchange core with the venue's order
 * semantics). Each `/exchange` request goes: IP weight → fault → signature and signer (verify.ts,
 * which shares nothing with the connector's signer) → user or approved agent → expiresAfter →
 * nonce window → per-address budget → the action; the nonce is burnt only when all passed.
 * HTTP answers are 200 even for a refused action (`{"status":"err",…}`), as on the venue.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { accountInfo } from "./account-info.ts";
import { Actions, err } from "./actions.ts";
import { Auth } from "./auth.ts";
import type { HlEngine } from "./engine.ts";
import { type ExchangeFault, FaultQueue, STATUS_TEXT } from "./faults.ts";
import { DESERIALIZE, InfoError, infoAnswer } from "./info.ts";
import { AddressBudget, exchangeWeight, IpBudget, infoWeight } from "./limits.ts";
import { HlSockets } from "./ws.ts";

type Json = Record<string, unknown>;

export interface ServerOptions {
  readonly mainnet: boolean;
  readonly nonceKeep: number;
  readonly ipWeightPerMinute: number;
  readonly addressBaseRequests: number;
  /** distinct users in user streams per IP (the venue's 10 unless a test lowers it) */
  readonly userStreamsPerIp?: number;
}

/** What one exchange request produced, before faults shape its delivery. */
type Outcome = { status: number; body: unknown };

export class HlFront {
  readonly engine: HlEngine;
  readonly auth: Auth;
  readonly actions: Actions;
  readonly faults = new FaultQueue();
  /** `/exchange` requests received (HTTP and WebSocket post), whatever became of them */
  exchangeRequests = 0;
  /** the action type of every /exchange request, in arrival order */
  readonly exchangeActions: string[] = [];
  readonly sockets: HlSockets;
  readonly ip: IpBudget;
  readonly address: AddressBudget;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(engine: HlEngine, opts: ServerOptions) {
    this.engine = engine;
    const now = () => engine.clock.now();
    this.auth = new Auth({ mainnet: opts.mainnet, now, keep: opts.nonceKeep });
    this.actions = new Actions(engine, this.auth);
    this.actions.onChange = () => this.flush();
    this.ip = new IpBudget(opts.ipWeightPerMinute, now);
    this.address = new AddressBudget(opts.addressBaseRequests, now);
    this.sockets = new HlSockets(
      engine,
      {
        info: async (payload, ip) => {
          const r = this.info(payload, ip);
          if (r.status !== 200) return { type: "error", payload: `${r.status} ${String(r.body)}` };
          return { type: "info", payload: { type: payload.type, data: r.body } };
        },
        action: async (payload, ip) => {
          const r = await this.exchange(payload, ip);
          if (r === undefined) return undefined;
          if (r.status !== 200) return { type: "error", payload: `${r.status} ${String(r.body)}` };
          return { type: "action", payload: r.body };
        },
      },
      opts.userStreamsPerIp,
    );
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#http(req, res).catch((e: unknown) => send(res, 500, `internal error: ${(e as Error).message}`));
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
    this.actions.close();
    await this.sockets.close();
    const s = this.#server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Publish the engine's queued events to the sockets. */
  flush(): void {
    this.sockets.publish(this.engine.drain());
  }

  info(body: Json, ip: string): Outcome {
    const type = String(body.type);
    if (!this.ip.take(ip, infoWeight(type))) return { status: 429, body: STATUS_TEXT[429] };
    try {
      const { value, items } = infoAnswer(this.engine, body, (b) => this.#extraInfo(b));
      this.ip.charge(ip, infoWeight(type, items) - infoWeight(type));
      return { status: 200, body: value };
    } catch (e) {
      if (e instanceof InfoError) return { status: 422, body: e.message };
      throw e;
    }
  }

  /**
   * One `/exchange` request; undefined when a fault swallows the answer. The answer of an
   * executed request always waits for its fault's delay, never the action.
   */
  async exchange(body: Json, ip: string): Promise<Outcome | undefined> {
    this.exchangeRequests++;
    const action = typeof body.action === "object" && body.action !== null ? (body.action as Json) : {};
    this.exchangeActions.push(typeof action.type === "string" ? action.type : "?");
    const weight = exchangeWeight(action);
    if (!this.ip.take(ip, weight)) return { status: 429, body: STATUS_TEXT[429] };
    const fault = this.faults.next();
    if (fault?.kind === "rateLimited") return { status: 429, body: STATUS_TEXT[429] };
    if (fault?.kind === "serverError" && !fault.execute) return this.#serverError(fault);
    const outcome = this.#execute(body, action, ip, weight);
    this.flush();
    return this.#deliver(outcome, fault);
  }

  #execute(body: Json, action: Json, ip: string, weight: number): Outcome {
    const a = this.auth.check(body);
    if (!a.ok) {
      if (a.parseError) return { status: 422, body: DESERIALIZE };
      // an expired action costs five times its weight (VENUES.md §1.2)
      if (a.error.startsWith("Action expired")) this.ip.charge(ip, 4 * weight);
      return { status: 200, body: err(a.error) };
    }
    const batch = [action.orders, action.cancels, action.modifies].find(Array.isArray) as
      | unknown[]
      | undefined;
    const isCancel = action.type === "cancel" || action.type === "cancelByCloid";
    const over = this.address.take(
      a.user,
      Math.max(1, batch?.length ?? 1),
      this.engine.cumVlm.get(a.user) ?? 0,
      isCancel,
    );
    if (over) return { status: 200, body: err(over) };
    a.commit?.();
    if (a.kind === "userSigned") {
      if (action.type !== "approveAgent")
        return { status: 200, body: err(`Unsupported action type ${String(action.type)}.`) };
      return { status: 200, body: this.actions.approveAgent(a.user, action) };
    }
    return { status: 200, body: this.actions.run(a.user, action) };
  }

  #serverError(fault: { status?: number }): Outcome {
    const status = fault.status ?? 502;
    return { status, body: STATUS_TEXT[status] ?? "Server Error" };
  }

  #deliver(outcome: Outcome, fault: ExchangeFault | undefined): Promise<Outcome | undefined> {
    if (fault === undefined) return Promise.resolve(outcome);
    switch (fault.kind) {
      case "loseAck":
        return Promise.resolve(undefined);
      case "serverError":
        return Promise.resolve(this.#serverError(fault));
      case "delayAck":
        return this.#hold(fault.ms, outcome);
      case "executeThenTimeout":
        return this.#hold(fault.holdMs, outcome);
      case "garbledAck":
        return Promise.resolve({ status: 200, body: { status: "ok", response: { type: "order", data: 7 } } });
      default:
        return Promise.resolve(outcome);
    }
  }

  #hold(ms: number, outcome: Outcome): Promise<Outcome> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#held.delete(t);
        resolve(outcome);
      }, ms);
      this.#held.add(t);
    });
  }

  #extraInfo(body: Json): unknown {
    if (body.type === "userRateLimit") {
      const u = typeof body.user === "string" ? body.user.toLowerCase() : "";
      const vlm = this.engine.cumVlm.get(u) ?? 0;
      return {
        cumVlm: vlm.toFixed(6),
        nRequestsUsed: this.address.used(u),
        nRequestsCap: this.address.cap(vlm),
      };
    }
    const account = accountInfo(this.engine, this.auth, body);
    if (account !== undefined) return account;
    throw new InfoError(DESERIALIZE);
  }

  async #http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return send(res, 405, "Method Not Allowed");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Json;
    try {
      const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as Json;
    } catch {
      return send(res, 422, DESERIALIZE);
    }
    const ip = req.socket.remoteAddress ?? "?";
    if (req.url === "/info") {
      const r = this.info(body, ip);
      return send(res, r.status, r.body);
    }
    if (req.url === "/exchange") {
      const r = await this.exchange(body, ip);
      // a lost answer: the connection is reset, nothing is sent
      if (r === undefined) {
        req.socket.destroy();
        return;
      }
      if (res.destroyed) return;
      return send(res, r.status, r.body);
    }
    return send(res, 404, "Not Found");
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.headersSent) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
  res.end(text);
}
