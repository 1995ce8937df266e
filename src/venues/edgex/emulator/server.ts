/**
 * The EdgeX emulator's HTTP front on 127.0.0.1. A request goes: per-account budget (HTTP 429,
 * rate-limit.ts) → for a private path, the HMAC (verify.ts) → a fault (order requests only) →
 * the route. Refusals are the venue's envelope.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultQueue, IpBudget } from "../../backpack/emulator/faults.ts";
import { EDGEX_RATE_LIMITS } from "../rate-limit.ts";
import type { EdgexEngine } from "./engine.ts";
import { envelope } from "./payloads.ts";
import { type Answer, isOrderRoute, isPrivateRoute, privateRoute, publicRoute, refuse } from "./routes.ts";
import { type ApiAccount, checkHmac } from "./verify.ts";
import type { EdgexSockets } from "./ws.ts";

export class EdgexFront {
  readonly engine: EdgexEngine;
  readonly sockets: EdgexSockets;
  readonly faults = new FaultQueue();
  readonly budget: IpBudget;
  readonly #byKey: (apiKey: string) => ApiAccount | undefined;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

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
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) =>
        send(res, { status: 500, body: envelope("INTERNAL_ERROR", null, Date.now(), (e as Error).message) }),
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
    if (!this.budget.take(auth.account.accountId))
      return send(res, {
        status: 429,
        body: envelope("RATE_LIMIT_EXCEEDED", null, e.clock.now(), "too many requests"),
      });
    const fault = isOrderRoute(method, url.pathname) ? this.faults.next() : undefined;
    if (fault?.kind === "rateLimited")
      return send(res, {
        status: 429,
        body: envelope("RATE_LIMIT_EXCEEDED", null, e.clock.now(), "too many requests"),
      });
    if (fault?.kind === "serverError" && fault.execute !== true)
      return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
    const answer = privateRoute(e, auth.account, method, url, body ?? {});
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
        const t = setTimeout(
          () => {
            this.#held.delete(t);
            if (!res.destroyed) send(res, answer);
          },
          fault.kind === "delayAck" ? fault.ms : fault.holdMs,
        );
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
  const isText = typeof a.body === "string";
  res.writeHead(a.status, { "Content-Type": isText ? "text/plain" : "application/json" });
  res.end(isText ? (a.body as string) : JSON.stringify(a.body));
}
