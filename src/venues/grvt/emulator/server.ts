/**
 * The GRVT emulator's HTTP front on 127.0.0.1, one port for the venue's three hosts (edge,
 * trades, market-data: their paths do not overlap). Every call is a JSON POST. A trading call
 * goes: session (the `gravity=` cookie of `auth/wallet/login` and a matching
 * `X-Grvt-Account-Id`, else 401 code 1000) → fault (create/cancel only) → the handler.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answerUnderFault, type FaultAnswers, FaultQueue, refuseBeforeExecuting } from "../../kit/faults.ts";
import { LoopbackServer, readBody, sendAnswer } from "../../kit/http-front.ts";
import type { GrvtEngine } from "./engine.ts";
import { type Answer, publicRoute, refuse, tradingRoute } from "./routes.ts";
import { checkLoginSignature, type WireSignature } from "./verify.ts";
import type { GrvtSockets, Session } from "./ws.ts";

export class GrvtFront {
  readonly engine: GrvtEngine;
  readonly chainId: number;
  readonly faults = new FaultQueue("grvt");
  /** sub-account id → the addresses allowed to trade it */
  readonly traders: ReadonlyMap<string, ReadonlySet<string>>;
  readonly sessions = new Map<string, Session>();
  readonly sockets: GrvtSockets;
  readonly #http = new LoopbackServer({
    handle: (req, res) => this.#handle(req, res),
    failed: (res, e) => send(res, refuse(500, 1002, `Internal Server Error: ${e.message}`)),
    upgrade: (req, socket, head) => this.sockets.upgrade(req, socket, head, this.sessionOf(req.headers)),
  });

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

  listen(port: number): Promise<string> {
    return this.#http.listen(port);
  }

  close(): Promise<void> {
    return this.#http.close(() => this.sockets.close());
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
    const refused = refuseBeforeExecuting(fault, FAULT_ANSWERS);
    if (refused !== undefined) return send(res, refused);
    const ctx = {
      engine: this.engine,
      chainId: this.chainId,
      address: session.address,
      mayTrade: this.mayTrade,
    };
    const answer = tradingRoute(ctx, path, body) ?? refuse(404, 1004, `Data Not Found: ${path}`);
    this.sockets.flush();
    answerUnderFault(
      fault,
      answer,
      this.#http.delivery(req, res, (a) => send(res, a)),
      FAULT_ANSWERS,
    );
  }
}

const FAULT_ANSWERS: FaultAnswers = {
  rateLimited: refuse(429, 1006, "You have surpassed the allocated rate limit for your tier"),
};

function send(res: ServerResponse, a: Answer): void {
  sendAnswer(res, a, a.headers);
}
