/**
 * The Backpack emulator's HTTP front on 127.0.0.1: public market endpoints and the signed
 * account endpoints. A signed request goes: IP budget (429) → signature, window and timestamp
 * (verify.ts) → a funded account → fault (order requests only) → the handler. Refusals use the
 * venue's `{code, message}` body with its 4xx status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BpEngine } from "./engine.ts";
import { FaultQueue, IpBudget } from "./faults.ts";
import { type Answer, publicRoute, signedRoute } from "./routes.ts";
import { ROUTE_INSTRUCTION, verifyRequest } from "./verify.ts";
import type { BpSockets } from "./ws.ts";

export class BpFront {
  readonly engine: BpEngine;
  readonly faults = new FaultQueue();
  readonly ip: IpBudget;
  readonly accounts = new Set<string>();
  readonly sockets: BpSockets;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(engine: BpEngine, sockets: BpSockets, ipCapacity: number, ipPerSecond: number) {
    this.engine = engine;
    this.sockets = sockets;
    this.ip = new IpBudget(ipCapacity, ipPerSecond, () => engine.clock.now());
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) =>
        send(res, { status: 500, body: { code: "INTERNAL_ERROR", message: (e as Error).message } }),
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
    const ip = req.socket.remoteAddress ?? "?";
    const raw = await readBody(req);
    if (!this.ip.take(ip))
      return send(res, { status: 429, body: { code: "TOO_MANY_REQUESTS", message: "Rate limit exceeded" } });
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
    if (fault?.kind === "rateLimited")
      return send(res, { status: 429, body: { code: "TOO_MANY_REQUESTS", message: "Rate limit exceeded" } });
    if (fault?.kind === "serverError" && !fault.execute)
      return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
    const answer = signedRoute(this.engine, instruction, auth.apiKey, url.searchParams, body ?? {});
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

export function readBody(req: IncomingMessage): Promise<string> {
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
