/**
 * The Backpack emulator's WebSocket (the venue's single endpoint): `{"method":"SUBSCRIBE",
 * "params":[…], "signature":[key, sig, ts, window]}`; frames `{"stream","data"}`. Public streams
 * `depth.<s>` (diffs of absolute sizes with U/u ids, one id per message), `markPrice.<s>`,
 * `trade.<s>`; private `account.orderUpdate` and `account.positionUpdate`, which need the
 * subscribe signature (over `instruction=subscribe&timestamp=…&window=…`, checked by verify.ts)
 * of a funded API key, and carry only that key's events.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { BpEngine } from "./engine.ts";
import { orderUpdateJson, positionsJson } from "./payloads.ts";
import { markPriceJson } from "./routes.ts";
import { verifyRequest } from "./verify.ts";

interface Conn {
  readonly ws: WebSocket;
  readonly streams: Set<string>;
  account: string | undefined;
}

export class BpSockets {
  readonly engine: BpEngine;
  readonly accounts: Set<string>;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Set<Conn>();
  /** last published levels per symbol ("b|price" → size) and the depth update id */
  readonly #levels = new Map<string, Map<string, string>>();
  readonly #seq = new Map<string, number>();
  /** streams cut by the driver: not delivered, and their sockets closed once */
  readonly frozen = new Set<string>();

  constructor(engine: BpEngine, accounts: Set<string>) {
    this.engine = engine;
    this.accounts = accounts;
  }

  get connections(): number {
    return this.#conns.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, streams: new Set(), account: undefined };
      this.#conns.add(conn);
      ws.on("message", (raw) => this.#message(conn, raw.toString()));
      ws.on("close", () => this.#conns.delete(conn));
    });
  }

  #reply(conn: Conn, msg: unknown): void {
    conn.ws.send(JSON.stringify(msg));
  }

  #message(conn: Conn, text: string): void {
    let m: { method?: unknown; params?: unknown; signature?: unknown; id?: unknown };
    try {
      m = JSON.parse(text);
    } catch {
      this.#reply(conn, { error: { code: 4000, message: "Invalid JSON" } });
      return;
    }
    const params = Array.isArray(m.params) ? m.params.filter((p): p is string => typeof p === "string") : [];
    if (m.method === "UNSUBSCRIBE") {
      for (const p of params) conn.streams.delete(p);
      return;
    }
    if (m.method !== "SUBSCRIBE") {
      this.#reply(conn, { id: m.id ?? null, error: { code: 4001, message: "Unknown method" } });
      return;
    }
    const priv = params.filter((p) => p.startsWith("account."));
    if (priv.length > 0) {
      const sig = Array.isArray(m.signature) ? m.signature.map(String) : [];
      const auth = verifyRequest({
        instruction: "subscribe",
        headers: { "x-api-key": sig[0], "x-signature": sig[1], "x-timestamp": sig[2], "x-window": sig[3] },
        query: new URLSearchParams(),
        body: undefined,
        now: this.engine.clock.now(),
      });
      if (!auth.ok) {
        this.#reply(conn, { id: m.id ?? null, error: { code: 4006, message: auth.message } });
        return;
      }
      if (!this.accounts.has(auth.apiKey)) {
        this.#reply(conn, { id: m.id ?? null, error: { code: 4006, message: "API key not found" } });
        return;
      }
      conn.account = auth.apiKey;
    }
    for (const p of params) conn.streams.add(p);
  }

  /** Publish what the engine queued: book diffs, marks, trades, order and position updates. */
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
          const ts = e.fill.ts * 1000;
          this.#publish(`trade.${e.symbol}`, undefined, {
            e: "trade",
            E: ts,
            s: e.symbol,
            p: inst.priceText(e.fill.priceTicks),
            q: inst.sizeText(e.fill.lots),
            t: e.fill.tradeId,
            m: e.fill.isMaker === (e.fill.order.side === "Bid"),
            T: ts,
          });
          break;
        }
        case "order":
          this.#publish(
            "account.orderUpdate",
            e.account,
            orderUpdateJson(this.engine, e.e, e.order, e.at, e.fill),
          );
          break;
        case "position": {
          const p = positionsJson(this.engine, e.account).find((x) => x.symbol === e.symbol);
          const ts = this.engine.clock.now() * 1000;
          this.#publish("account.positionUpdate", e.account, {
            e: p === undefined ? "positionClosed" : "positionAdjusted",
            E: ts,
            s: e.symbol,
            q: p?.netQuantity ?? "0",
            B: p?.entryPrice ?? "0",
            M: p?.markPrice ?? "0",
            P: p?.pnlUnrealized ?? "0",
            T: ts,
          });
          break;
        }
      }
    }
    for (const [s, full] of books) this.#depthDiff(s, full);
    for (const s of marks) {
      const mp = markPriceJson(this.engine, s);
      const ts = this.engine.clock.now() * 1000;
      this.#publish(`markPrice.${s}`, undefined, {
        e: "markPrice",
        E: ts,
        s,
        p: mp.markPrice,
        f: mp.fundingRate,
        i: mp.indexPrice,
        n: mp.nextFundingTimestamp,
        T: ts,
      });
    }
  }

  #current(symbol: string): Map<string, string> {
    const inst = this.engine.inst(symbol)!;
    const book = this.engine.books.get(symbol)!;
    const out = new Map<string, string>();
    for (const side of ["bid", "ask"] as const)
      book.walk(side, (ticks, size) => {
        out.set(`${side}|${inst.priceText(ticks)}`, String(Number(size.toFixed(10))));
        return true;
      });
    return out;
  }

  /**
   * One depth message: the levels that changed and the ones removed (size "0"). A replaced book
   * re-sends every level (sizes are absolute, so re-sending an unchanged one is harmless), as the
   * venue does when orders come and go within one update.
   */
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
    const u = (this.#seq.get(symbol) ?? 0) + 1;
    this.#seq.set(symbol, u);
    const ts = this.engine.clock.now() * 1000;
    this.#publish(`depth.${symbol}`, undefined, { e: "depth", E: ts, s: symbol, a, b, U: u, u, T: ts });
  }

  /** The REST snapshot, taken after publishing pending diffs so its id matches the stream. */
  depthSnapshot(symbol: string): { bids: string[][]; asks: string[][]; lastUpdateId: number } {
    this.flush();
    const bids: string[][] = [];
    const asks: string[][] = [];
    for (const [k, v] of this.#levels.get(symbol) ?? this.#current(symbol))
      (k.startsWith("bid") ? bids : asks).push([k.slice(4), v]);
    return { bids, asks, lastUpdateId: this.#seq.get(symbol) ?? 0 };
  }

  #publish(stream: string, account: string | undefined, data: unknown): void {
    if (this.frozen.has(stream)) return;
    const text = JSON.stringify({ stream, data });
    for (const c of this.#conns) {
      if (!c.streams.has(stream)) continue;
      if (account !== undefined && c.account !== account) continue;
      c.ws.send(text);
    }
  }

  /** Stop a stream ("depth.BTC_USDC_PERP", "account.orderUpdate") and close the sockets carrying it. */
  freeze(stream: string): void {
    this.frozen.add(stream);
    for (const c of this.#conns) if (c.streams.has(stream)) c.ws.terminate();
  }

  thaw(stream: string): void {
    this.frozen.delete(stream);
  }

  dropAll(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
