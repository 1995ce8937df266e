/**
 * The Extended emulator's streams: one WebSocket per path under /stream.extended.exchange/v1
 * (no subscribe messages; python_sdk stream_client.py, ccxt pro/extended.js):
 * `/orderbooks/{m}` (a SNAPSHOT on connect and whenever the driver replaces the book, else
 * DELTAs of level-size changes; `seq` +1 each),
 * `/publicTrades/{m}`, `/funding/{m}`, `/prices/mark/{m}`, and `/account` (the X-Api-Key header
 * names the account; ORDER, TRADE, POSITION, BALANCE frames of that account only).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { ExEngine } from "./engine.ts";
import { balanceJson, orderJson, positionsJson, tradeJson } from "./payloads.ts";

export const STREAM_PREFIX = "/stream.extended.exchange/v1";

interface Conn {
  readonly ws: WebSocket;
  /** "orderbooks/BTC-USD", "account", … */
  readonly stream: string;
  readonly account: string | undefined;
  seq: number;
}

export class ExSockets {
  readonly engine: ExEngine;
  readonly accountOf: (apiKey: string | undefined) => string | undefined;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Set<Conn>();
  /** the last published levels per market ("bid|price" → size) */
  readonly #levels = new Map<string, Map<string, number>>();
  /** streams cut by the driver: their sockets are closed and new ones refused */
  readonly frozen = new Set<string>();

  constructor(engine: ExEngine, accountOf: (apiKey: string | undefined) => string | undefined) {
    this.engine = engine;
    this.accountOf = accountOf;
  }

  get connections(): number {
    return this.#conns.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? "/", "http://emulator").pathname;
    const stream = path.startsWith(`${STREAM_PREFIX}/`) ? path.slice(STREAM_PREFIX.length + 1) : "";
    const known = /^(orderbooks|publicTrades|funding)\/[^/]+$|^prices\/mark\/[^/]+$|^account$/.test(stream);
    const market = stream.split("/").at(-1) ?? "";
    const account =
      stream === "account" ? this.accountOf(req.headers["x-api-key"] as string | undefined) : undefined;
    let refusal: string | undefined;
    if (!known || (stream !== "account" && this.engine.inst(market) === undefined)) refusal = "404 Not Found";
    else if (stream === "account" && account === undefined) refusal = "401 Unauthorized";
    else if (this.frozen.has(stream)) refusal = "503 Service Unavailable";
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, stream, account, seq: 0 };
      ws.on("close", () => this.#conns.delete(conn));
      // what changed before this connection is published first, so its snapshot is the base of every delta after
      this.flush();
      this.#conns.add(conn);
      this.#greet(conn, market);
    });
  }

  #send(conn: Conn, type: string | undefined, data: unknown): void {
    conn.seq += 1;
    const frame: Record<string, unknown> = { ts: this.engine.clock.now(), data, seq: conn.seq };
    if (type !== undefined) frame.type = type;
    conn.ws.send(JSON.stringify(frame));
  }

  #greet(conn: Conn, market: string): void {
    if (conn.stream.startsWith("orderbooks/")) this.#send(conn, "SNAPSHOT", this.#snapshot(market));
    else if (conn.stream.startsWith("prices/mark/")) this.#send(conn, "MP", this.#mark(market));
    else if (conn.stream.startsWith("funding/")) this.#send(conn, undefined, this.#funding(market));
  }

  #current(market: string): Map<string, number> {
    const out = new Map<string, number>();
    const book = this.engine.books.get(market);
    if (book !== undefined)
      for (const side of ["bid", "ask"] as const)
        book.walk(side, (ticks, size) => {
          out.set(`${side}|${ticks}`, Number(size.toFixed(10)));
          return true;
        });
    return out;
  }

  #snapshot(market: string) {
    const inst = this.engine.inst(market)!;
    const levels = this.#current(market);
    this.#levels.set(market, levels);
    const b: { p: string; q: string }[] = [];
    const a: { p: string; q: string }[] = [];
    for (const [k, q] of levels) {
      const [side, ticks] = k.split("|") as [string, string];
      (side === "bid" ? b : a).push({ p: inst.priceText(Number(ticks)), q: String(q) });
    }
    return { m: market, b, a };
  }

  #mark(market: string) {
    return { m: market, p: String(this.engine.exchange.markOf(market)), ts: this.engine.clock.now() };
  }

  #funding(market: string) {
    return { m: market, T: this.engine.clock.now(), f: String(this.engine.fundingRate.get(market) ?? 0) };
  }

  #publish(stream: string, type: string | undefined, data: unknown, account?: string): void {
    if (this.frozen.has(stream)) return;
    for (const c of this.#conns)
      if (c.stream === stream && (account === undefined || c.account === account)) this.#send(c, type, data);
  }

  /** Publish what the engine queued: book deltas, marks, funding, trades, account updates. */
  flush(): void {
    const books = new Map<string, boolean>();
    for (const e of this.engine.drain()) {
      switch (e.kind) {
        case "book":
          books.set(e.market, (books.get(e.market) ?? false) || e.full);
          break;
        case "mark":
          this.#publish(`prices/mark/${e.market}`, "MP", this.#mark(e.market));
          break;
        case "funding":
          this.#publish(`funding/${e.market}`, undefined, this.#funding(e.market));
          break;
        case "trade": {
          const t = tradeJson(this.engine, e.fill);
          this.#publish("account", "TRADE", { trades: [t] }, e.account);
          const inst = this.engine.inst(e.fill.order.market)!;
          this.#publish(`publicTrades/${e.fill.order.market}`, undefined, [
            {
              m: t.market,
              S: t.side,
              tT: "TRADE",
              T: t.createdTime,
              p: t.price,
              q: inst.sizeText(e.fill.lots),
              i: t.id,
            },
          ]);
          break;
        }
        case "order":
          this.#publish("account", "ORDER", { orders: [orderJson(this.engine, e.order, e)] }, e.account);
          break;
        case "position":
          this.#publish(
            "account",
            "POSITION",
            { positions: positionsJson(this.engine, e.account) },
            e.account,
          );
          this.#publish("account", "BALANCE", { balance: balanceJson(this.engine, e.account) }, e.account);
          break;
      }
    }
    // a book the driver replaced goes out whole, as a SNAPSHOT; other changes as a DELTA
    for (const [m, full] of books) {
      if (full) this.#publish(`orderbooks/${m}`, "SNAPSHOT", this.#snapshot(m));
      else this.#delta(m);
    }
  }

  #delta(market: string): void {
    const inst = this.engine.inst(market)!;
    const before = this.#levels.get(market) ?? new Map<string, number>();
    const now = this.#current(market);
    this.#levels.set(market, now);
    const b: { p: string; q: string }[] = [];
    const a: { p: string; q: string }[] = [];
    for (const k of new Set([...before.keys(), ...now.keys()])) {
      const change = Number(((now.get(k) ?? 0) - (before.get(k) ?? 0)).toFixed(10));
      if (change === 0) continue;
      const [side, ticks] = k.split("|") as [string, string];
      (side === "bid" ? b : a).push({ p: inst.priceText(Number(ticks)), q: String(change) });
    }
    if (b.length > 0 || a.length > 0) this.#publish(`orderbooks/${market}`, "DELTA", { m: market, b, a });
  }

  freeze(stream: string): void {
    this.frozen.add(stream);
    for (const c of this.#conns) if (c.stream === stream) c.ws.terminate();
  }

  thaw(stream: string): void {
    this.frozen.delete(stream);
  }

  dropAll(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  async close(): Promise<void> {
    for (const c of this.#conns) c.ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
