/**
 * The Lighter emulator's HTTP front on 127.0.0.1. A request goes: rate limit → fault (sendTx only)
 * → the route. Limits are Lighter's standard-account ones (Ld "rate-limits"): a rolling minute of
 * `perMinute` requests, counted per L1 address for authenticated requests (an auth token, or a
 * sendTx naming an account) and per IP for the rest; over it, HTTP 429 with code 23000.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultQueue } from "../../backpack/emulator/faults.ts";
import type { LtEngine } from "./engine.ts";
import { type Answer, refuse, route } from "./routes.ts";
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

export class LtFront {
  readonly engine: LtEngine;
  readonly sequencer: LtSequencer;
  readonly sockets: LtSockets;
  readonly faults = new FaultQueue();
  readonly limits: MinuteWindow;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(engine: LtEngine, sequencer: LtSequencer, sockets: LtSockets, perMinute: number) {
    this.engine = engine;
    this.sequencer = sequencer;
    this.sockets = sockets;
    this.limits = new MinuteWindow(perMinute, () => engine.clock.now());
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) => send(res, refuse(50000, (e as Error).message, 500)));
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
    this.sequencer.close();
    await this.sockets.close();
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
    if (fault?.kind === "rateLimited")
      return send(res, refuse(CODES.tooManyRequests, "Too Many Requests!", 429));
    if (fault?.kind === "serverError" && !fault.execute)
      return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
    const answer = route(this.engine, this.sequencer, method, url, form, token);
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
