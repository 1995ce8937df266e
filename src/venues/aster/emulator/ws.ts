/**
 * The Aster emulator's WebSocket (Binance USDⓈ-M's market and user streams):
 * - `/stream?streams=a/b` (combined: frames `{"stream","data"}`) and `/ws` (raw payloads);
 *   `{"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":[…],"id":n}` → `{"result":null,"id":n}`.
 *   Streams `<s>@depth@100ms` (depthUpdate with U, u, pu), `<s>@trade`, `<s>@markPrice@1s`.
 * - `/ws/<listenKey>`: the user data stream of the key's account (ORDER_TRADE_UPDATE,
 *   ACCOUNT_UPDATE); a key lives `ttlMs` (60 min) from its creation or last PUT, then the stream
 *   gets `{"e":"listenKeyExpired"}` and is closed.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { AsEngine } from "./engine.ts";
import { accountUpdateJson, intervalRate, nextFundingTime, orderUpdateJson } from "./payloads.ts";

/** Binance's (and Aster's) WebSocket limits: 10 incoming messages a second, 200 streams a connection */
const MAX_INBOUND_PER_S = 10;
const MAX_STREAMS = 200;

interface Conn {
  readonly ws: WebSocket;
  readonly combined: boolean;
  readonly streams: Set<string>;
  /** receipt times of the last messages from the client (the venue allows 10 a second) */
  readonly inbound: number[];
  /** the account of a user-stream connection */
  readonly listenKey?: string;
}

export class ListenKeys {
  readonly ttlMs: number;
  readonly #now: () => number;
  /** key → account and expiry */
  readonly keys = new Map<string, { account: string; expires: number }>();

  constructor(ttlMs: number, now: () => number) {
    this.ttlMs = ttlMs;
    this.#now = now;
  }

  /** The account's live key (extended), or a new one (Binance: one key per account). */
  create(account: string): string {
    for (const [k, v] of this.keys)
      if (v.account === account && v.expires > this.#now()) {
        v.expires = this.#now() + this.ttlMs;
        return k;
      }
    const key = randomBytes(32).toString("hex");
    this.keys.set(key, { account, expires: this.#now() + this.ttlMs });
    return key;
  }

  extend(account: string): boolean {
    for (const v of this.keys.values())
      if (v.account === account && v.expires > this.#now()) {
        v.expires = this.#now() + this.ttlMs;
        return true;
      }
    return false;
  }

  remove(account: string): void {
    for (const [k, v] of this.keys) if (v.account === account) this.keys.delete(k);
  }

  live(key: string): string | undefined {
    const v = this.keys.get(key);
    return v !== undefined && v.expires > this.#now() ? v.account : undefined;
  }
}

export class AsSockets {
  readonly engine: AsEngine;
  readonly keys: ListenKeys;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Set<Conn>();
  readonly #levels = new Map<string, Map<string, string>>();
  readonly #seq = new Map<string, number>();
  readonly frozen = new Set<string>();
  /** connections closed for sending more than 10 messages a second */
  closedForFlood = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(engine: AsEngine, keys: ListenKeys) {
    this.engine = engine;
    this.keys = keys;
    this.#timer = setInterval(() => this.#expire(), Math.min(1000, keys.ttlMs));
    this.#timer.unref();
  }

  get connections(): number {
    return this.#conns.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://emulator");
    let listenKey: string | undefined;
    let combined = false;
    const streams = new Set<string>();
    if (url.pathname === "/stream") {
      combined = true;
      for (const s of (url.searchParams.get("streams") ?? "").split("/")) if (s !== "") streams.add(s);
    } else if (url.pathname.startsWith("/ws/")) {
      listenKey = url.pathname.slice(4);
      if (this.keys.live(listenKey) === undefined) {
        socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
        return;
      }
    } else if (url.pathname !== "/ws") {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, combined, streams, listenKey, inbound: [] };
      this.#conns.add(conn);
      ws.on("message", (raw) => this.#message(conn, raw.toString()));
      ws.on("close", () => this.#conns.delete(conn));
    });
  }

  #message(conn: Conn, text: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    const now = Date.now();
    conn.inbound.push(now);
    while (conn.inbound.length > 0 && conn.inbound[0] <= now - 1000) conn.inbound.shift();
    if (conn.inbound.length > MAX_INBOUND_PER_S) {
      this.closedForFlood++;
      conn.ws.close(1008, "Too many requests");
      return;
    }
    let m: { method?: unknown; params?: unknown; id?: unknown };
    try {
      m = JSON.parse(text);
    } catch {
      conn.ws.send(JSON.stringify({ code: 3, msg: "Invalid JSON" }));
      return;
    }
    const params = Array.isArray(m.params) ? m.params.filter((p): p is string => typeof p === "string") : [];
    if (m.method === "SUBSCRIBE") {
      if (conn.streams.size + params.filter((p) => !conn.streams.has(p)).length > MAX_STREAMS) {
        conn.ws.send(JSON.stringify({ code: 2, msg: `more than ${MAX_STREAMS} streams`, id: m.id ?? null }));
        return;
      }
      for (const p of params) conn.streams.add(p);
    } else if (m.method === "UNSUBSCRIBE") for (const p of params) conn.streams.delete(p);
    else if (m.method === "LIST_SUBSCRIPTIONS") {
      conn.ws.send(JSON.stringify({ result: [...conn.streams], id: m.id ?? null }));
      return;
    } else {
      conn.ws.send(JSON.stringify({ code: 2, msg: "Invalid request: unknown method", id: m.id ?? null }));
      return;
    }
    conn.ws.send(JSON.stringify({ result: null, id: m.id ?? null }));
  }

  /** Publish what the engine queued: book diffs, marks, trades, order and account updates. */
  flush(): void {
    const books = new Map<string, boolean>();
    const marks = new Set<string>();
    for (const e of this.engine.drain()) {
      switch (e.kind) {
        case "book":
          books.set(e.symbol, (books.get(e.symbol) ?? false) || e.full === true);
          break;
        case "mark":
          marks.add(e.symbol);
          break;
        case "trade": {
          const inst = this.engine.inst(e.symbol)!;
          this.#publish(`${e.symbol.toLowerCase()}@trade`, {
            e: "trade",
            E: e.fill.time,
            T: e.fill.time,
            s: e.symbol,
            t: e.fill.id,
            p: inst.priceText(e.fill.priceTicks),
            q: inst.sizeText(e.fill.lots),
            X: "MARKET",
            // the buyer was the maker exactly when the maker's order was a buy
            m: e.fill.maker === (e.fill.order.side === "BUY"),
          });
          break;
        }
        case "order":
          this.#user(e.account, orderUpdateJson(this.engine, e.x, e.order, e.at, e.fill));
          break;
        case "account":
          this.#user(e.account, accountUpdateJson(this.engine, e.account, e.reason));
          break;
      }
    }
    for (const [s, full] of books) this.#depthDiff(s, full);
    for (const s of marks) {
      const m = this.engine.markets.find((x) => x.symbol === s)!;
      const mark = this.engine.exchange.markOf(s);
      const now = this.engine.clock.now();
      this.#publish(`${s.toLowerCase()}@markPrice@1s`, {
        e: "markPriceUpdate",
        E: now,
        s,
        p: String(mark),
        i: String(mark),
        P: String(mark),
        r: intervalRate(this.engine, m),
        T: nextFundingTime(this.engine, m),
      });
    }
  }

  #current(symbol: string): Map<string, string> {
    const inst = this.engine.inst(symbol)!;
    const out = new Map<string, string>();
    for (const side of ["bid", "ask"] as const)
      this.engine.books.get(symbol)!.walk(side, (ticks, size) => {
        out.set(`${side}|${inst.priceText(ticks)}`, String(Number(size.toFixed(10))));
        return true;
      });
    return out;
  }

  /** One depthUpdate: changed levels and removed ones (size "0"); U = u = pu + 1. */
  #depthDiff(symbol: string, full: boolean): void {
    const now = this.#current(symbol);
    const before = this.#levels.get(symbol) ?? new Map<string, string>();
    const a: string[][] = [];
    const b: string[][] = [];
    for (const [k, v] of now)
      if (full || before.get(k) !== v) (k.startsWith("bid") ? b : a).push([k.slice(4), v]);
    for (const k of before.keys()) if (!now.has(k)) (k.startsWith("bid") ? b : a).push([k.slice(4), "0"]);
    this.#levels.set(symbol, now);
    if (a.length === 0 && b.length === 0) return;
    const pu = this.#seq.get(symbol) ?? 0;
    const u = pu + 1;
    this.#seq.set(symbol, u);
    const ts = this.engine.clock.now();
    this.#publish(`${symbol.toLowerCase()}@depth@100ms`, {
      e: "depthUpdate",
      E: ts,
      T: ts,
      s: symbol,
      U: u,
      u,
      pu,
      b,
      a,
    });
  }

  /** Send `data` as it is on a market stream (a malformed message, for tests). */
  raw(stream: string, data: unknown): void {
    this.#publish(stream, data);
  }

  /** Re-send every book in full (sizes are absolute, so an unchanged level is harmless). */
  refreshBooks(): void {
    this.flush();
    for (const m of this.engine.markets) this.#depthDiff(m.symbol, true);
  }

  /** The REST snapshot, taken after publishing pending diffs so its id matches the stream. */
  depthSnapshot(symbol: string, limit: number): { bids: string[][]; asks: string[][]; lastUpdateId: number } {
    this.flush();
    const bids: string[][] = [];
    const asks: string[][] = [];
    for (const [k, v] of this.#levels.get(symbol) ?? this.#current(symbol))
      (k.startsWith("bid") ? bids : asks).push([k.slice(4), v]);
    const byPrice = (dir: number) => (x: string[], y: string[]) => dir * (Number(x[0]) - Number(y[0]));
    return {
      bids: bids.sort(byPrice(-1)).slice(0, limit),
      asks: asks.sort(byPrice(1)).slice(0, limit),
      lastUpdateId: this.#seq.get(symbol) ?? 0,
    };
  }

  #publish(stream: string, data: unknown): void {
    if (this.frozen.has(stream)) return;
    const raw = JSON.stringify(data);
    const wrapped = `{"stream":${JSON.stringify(stream)},"data":${raw}}`;
    for (const c of this.#conns) {
      if (c.listenKey !== undefined || !c.streams.has(stream)) continue;
      c.ws.send(c.combined ? wrapped : raw);
    }
  }

  #user(account: string, data: unknown): void {
    if (this.frozen.has("user")) return;
    const text = JSON.stringify(data);
    for (const c of this.#conns)
      if (c.listenKey !== undefined && this.keys.live(c.listenKey) === account) c.ws.send(text);
  }

  #expire(): void {
    for (const c of this.#conns) {
      if (c.listenKey === undefined || this.keys.live(c.listenKey) !== undefined) continue;
      c.ws.send(
        JSON.stringify({ e: "listenKeyExpired", E: this.engine.clock.now(), listenKey: c.listenKey }),
      );
      c.ws.close();
    }
  }

  /** Stop a stream (a wire name, or "user" for every user stream) and close the sockets carrying it. */
  freeze(stream: string): void {
    this.frozen.add(stream);
    for (const c of this.#conns)
      if (stream === "user" ? c.listenKey !== undefined : c.streams.has(stream)) c.ws.terminate();
  }

  thaw(stream: string): void {
    this.frozen.delete(stream);
  }

  dropAll(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.dropAll();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
