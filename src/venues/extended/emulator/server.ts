/**
 * The Extended emulator's HTTP front on 127.0.0.1: `/api/v1/info/*` public reads and the
 * X-Api-Key account endpoints, and the stream upgrades (ws.ts). An account request goes:
 * API key known (401) → the account's budget (429, rate-limit.ts) → fault (order requests only)
 * → the handler. Refusals use the venue's `{status:"ERROR", error:{code, message}}` body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultQueue, IpBudget } from "../../backpack/emulator/faults.ts";
import type { ExEngine } from "./engine.ts";
import { type Answer, accountRoute, type EmulatedAccount, publicRoute, refuse } from "./routes.ts";
import type { ExSockets } from "./ws.ts";

const API_PREFIX = "/api/v1";

export class ExFront {
  readonly engine: ExEngine;
  readonly chainId: string;
  readonly faults = new FaultQueue();
  readonly budget: IpBudget;
  readonly accounts = new Map<string, EmulatedAccount>();
  readonly sockets: ExSockets;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(engine: ExEngine, sockets: ExSockets, chainId: string, capacity: number, perSecond: number) {
    this.engine = engine;
    this.sockets = sockets;
    this.chainId = chainId;
    this.budget = new IpBudget(capacity, perSecond, () => engine.clock.now());
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) => send(res, refuse(500, 1006, (e as Error).message)));
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
    const raw = await readBody(req);
    if (!url.pathname.startsWith(API_PREFIX)) return send(res, refuse(404, 1006, "not found"));
    const path = url.pathname.slice(API_PREFIX.length);
    const pub = publicRoute(this.engine, method, path, url.searchParams);
    if (pub !== undefined) return send(res, pub);
    const acct = this.accounts.get(String(req.headers["x-api-key"] ?? ""));
    if (acct === undefined) return send(res, refuse(401, 1004, "Account not found: unknown X-Api-Key"));
    if (!this.budget.take(acct.apiKey)) return send(res, refuse(429, 429, "Too many requests"));
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
          throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        return send(res, refuse(400, 1133, "body is not a JSON object"));
      }
    }
    const isOrder = path.startsWith("/user/order") && (method === "POST" || method === "DELETE");
    const fault = isOrder ? this.faults.next() : undefined;
    if (fault?.kind === "rateLimited") return send(res, refuse(429, 429, "Too many requests"));
    if (fault?.kind === "serverError" && !fault.execute)
      return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
    const answer = accountRoute(this.engine, method, path, url.searchParams, body, acct, this.chainId);
    this.sockets.flush();
    if (fault === undefined) return send(res, answer);
    switch (fault.kind) {
      case "serverError":
        return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
      case "loseAck":
        req.socket.destroy();
        return;
      case "executeThenTimeout":
      case "delayAck": {
        const ms = fault.kind === "delayAck" ? fault.ms : fault.holdMs;
        const t = setTimeout(() => {
          this.#held.delete(t);
          if (!res.destroyed) send(res, answer);
        }, ms);
        this.#held.add(t);
        return;
      }
    }
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
  const text = typeof a.body === "string" ? a.body : JSON.stringify(a.body);
  res.writeHead(a.status, { "Content-Type": typeof a.body === "string" ? "text/plain" : "application/json" });
  res.end(text);
}
