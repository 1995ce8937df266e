/**
 * The loopback HTTP server under every emulator's front: listen on 127.0.0.1 (never another
 * address), WebSocket upgrades handed to the front's sockets, answers held by a fault cleared at
 * close, and the body reading and JSON/text answering the fronts share.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

/** An HTTP answer: a JSON body, a text body (a string), or none. */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Write `a` unless the answer was sent or the socket is gone; `headers` are added to it. */
export function sendAnswer(res: ServerResponse, a: Answer, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  if (a.body === undefined) {
    res.writeHead(a.status, headers);
    res.end();
    return;
  }
  const text = typeof a.body === "string" ? a.body : JSON.stringify(a.body);
  res.writeHead(a.status, {
    "Content-Type": typeof a.body === "string" ? "text/plain" : "application/json",
    ...headers,
  });
  res.end(text);
}

export interface LoopbackHandlers {
  /** one request; a throw or rejection goes to `failed` */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** answer a request whose handler failed (the venue's 500) */
  readonly failed: (res: ServerResponse, e: Error) => void;
  /** a WebSocket upgrade (no WebSocket when absent) */
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export class LoopbackServer {
  readonly #handlers: LoopbackHandlers;
  readonly #held = new Set<ReturnType<typeof setTimeout>>();
  #server: Server | undefined;

  constructor(handlers: LoopbackHandlers) {
    this.#handlers = handlers;
  }

  /** Listen on 127.0.0.1:`port` (0: any free port); returns "127.0.0.1:<port>". */
  async listen(port: number): Promise<string> {
    const h = this.#handlers;
    const server = createServer((req, res) => {
      h.handle(req, res).catch((e: unknown) => h.failed(res, e as Error));
    });
    const upgrade = h.upgrade;
    if (upgrade !== undefined) server.on("upgrade", (req, socket, head) => upgrade(req, socket, head));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Run `fn` after `ms` (a held answer); close() cancels what has not run. */
  hold(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#held.delete(t);
      fn();
    }, ms);
    this.#held.add(t);
  }

  /** Where an executed request's answer goes (see faults.ts answerUnderFault). */
  delivery(req: IncomingMessage, res: ServerResponse, send: (a: Answer) => void) {
    return { req, res, send, hold: (ms: number, fn: () => void) => this.hold(ms, fn) };
  }

  /** Drop held answers, run `before` (close the sockets), then close every connection and the server. */
  async close(before?: () => void | Promise<void>): Promise<void> {
    for (const t of this.#held) clearTimeout(t);
    this.#held.clear();
    await before?.();
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
