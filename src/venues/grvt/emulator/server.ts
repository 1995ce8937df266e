/**
 * The GRVT emulator's HTTP front on 127.0.0.1, one port for the venue's three hosts (edge,
 * trades, market-data: their paths do not overlap). Every call is a JSON POST. A trading call
 * goes: session (the `gravity=` cookie of `auth/wallet/login` and a matching
 * `X-Grvt-Account-Id`, else 401 code 1000) → fault (create/cancel only) → the handler.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultQueue } from "../../backpack/emulator/faults.ts";
import { readBody } from "../../backpack/emulator/server.ts";
import type { GrvtEngine } from "./engine.ts";
import { type Answer, publicRoute, refuse, tradingRoute } from "./routes.ts";
import { checkLoginSignature, type WireSignature } from "./verify.ts";
import type { GrvtSockets, Session } from "./ws.ts";

export class GrvtFront {
  readonly engine: GrvtEngine;
  readonly chainId: number;
  readonly faults = new FaultQueue();
  /** sub-account id → the addresses allowed to trade it */
  readonly traders: ReadonlyMap<string, ReadonlySet<string>>;
  readonly sessions = new Map<string, Session>();
  readonly sockets: GrvtSockets;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(
    engine: GrvtEngine,
    sockets: GrvtSockets,
    chainId: number,
    traders: ReadonlyMap<string, ReadonlySet<string>>,
  ) {
    this.engine = engine;
    this.traders = traders;
    this.sockets = sockets;
    this.chainId = chainId;
  }

  mayTrade = (address: string, sub: string): boolean =>
    this.traders.get(sub)?.has(address.toLowerCase()) === true;

  /** The session a request's headers carry, if the venue knows it. */
  sessionOf(headers: IncomingMessage["headers"]): Session | undefined {
    const cookie = /(?:^|;\s*)gravity=([^;]+)/.exec(headers.cookie ?? "")?.[1];
    const s = cookie === undefined ? undefined : this.sessions.get(cookie);
    return s !== undefined && headers["x-grvt-account-id"] === s.accountId ? s : undefined;
  }

  async listen(port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) =>
        send(res, refuse(500, 1002, `Internal Server Error: ${(e as Error).message}`)),
      );
    });
    server.on("upgrade", (req, socket, head) =>
      this.sockets.upgrade(req, socket, head, this.sessionOf(req.headers)),
    );
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

  #login(b: Record<string, unknown>): Answer {
    const address = typeof b.address === "string" ? b.address : "";
    const sig = b.signature as WireSignature | undefined;
    if (sig === undefined || typeof sig !== "object")
      return refuse(400, 1003, "Request could not be processed due to malformed syntax");
    const check = checkLoginSignature(address, sig, this.chainId, this.engine.clock.now());
    if (!check.ok) return refuse(401, check.code, check.message);
    const cookie = randomBytes(24).toString("base64url");
    // the venue's account id is its own identifier of the funding account; here, one per address
    const accountId = `ACC:${check.signer}`;
    this.sessions.set(cookie, { address: check.signer, accountId });
    return {
      status: 200,
      body: { status: "success" },
      headers: {
        "Set-Cookie": `gravity=${cookie}; Path=/; HttpOnly; SameSite=Lax`,
        "X-Grvt-Account-Id": accountId,
      },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://emulator").pathname;
    const raw = await readBody(req);
    if (req.method !== "POST") return send(res, refuse(404, 1004, `Data Not Found: ${req.method} ${path}`));
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = raw === "" ? {} : JSON.parse(raw);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return send(res, refuse(400, 1003, "Request could not be processed due to malformed syntax"));
    }
    if (path === "/auth/wallet/login") return send(res, this.#login(body));
    const pub = publicRoute(this.engine, path, body);
    if (pub !== undefined) return send(res, pub);
    if (!path.startsWith("/full/v1/")) return send(res, refuse(404, 1004, `Data Not Found: ${path}`));
    const session = this.sessionOf(req.headers);
    if (session === undefined)
      return send(res, refuse(401, 1000, "You need to authenticate prior to using this functionality"));
    const isOrder = path === "/full/v1/create_order" || path === "/full/v1/cancel_order";
    const fault = isOrder ? this.faults.next() : undefined;
    if (fault?.kind === "rateLimited")
      return send(res, refuse(429, 1006, "You have surpassed the allocated rate limit for your tier"));
    if (fault?.kind === "serverError" && !fault.execute)
      return send(res, { status: fault.status ?? 503, body: "Service Unavailable" });
    const answer =
      tradingRoute(
        { engine: this.engine, chainId: this.chainId, address: session.address, mayTrade: this.mayTrade },
        path,
        body,
      ) ?? refuse(404, 1004, `Data Not Found: ${path}`);
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

function send(res: ServerResponse, a: Answer): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof a.body === "string" ? a.body : JSON.stringify(a.body);
  res.writeHead(a.status, {
    "Content-Type": typeof a.body === "string" ? "text/plain" : "application/json",
    ...a.headers,
  });
  res.end(text);
}
