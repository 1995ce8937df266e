/**
 * The Paradex emulator's WebSocket: JSON-RPC 2.0 as docs.paradex.trade "WebSocket" describes it.
 * `auth {bearer}` binds the socket to the JWT's account (errors 40110 malformed / 40111 invalid
 * bearer token, as its "Error Handling" page lists); `subscribe {channel}` answers
 * `{channel}` and then sends `{method:"subscription", params:{channel, data}}` notifications.
 * Public channels: `bbo.{market}`, `order_book.{market}.snapshot@15@100ms` (every message a
 * full 15-level snapshot, `update_type "s"`, as ccxt@4.5.84 `pro/paradex.js` handleOrderBook
 * reads it), `funding_data.{market}` (its watchFundingRate sample); private (after auth):
 * `orders.{market|ALL}` and `fills.{market|ALL}`. `flush()` sends what the engine changed.
 * `freeze(channel)` cuts every socket carrying a channel and sends nothing on it until `thaw`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { PdxEngine } from "./engine.ts";
import type { JwtIssuer } from "./jwt.ts";
import { fundingDataOf, summaryOf } from "./routes.ts";

export const BOOK_SUFFIX = ".snapshot@15@100ms";
const PUBLIC = new Set(["bbo", "order_book", "funding_data", "trades"]);
const PRIVATE = new Set(["orders", "fills", "funding_payments"]);
/** channels without a market part */
const GLOBAL = new Set(["markets_summary"]);

/** "order_book.BTC-USD-PERP.snapshot@15@100ms" → ["order_book", "BTC-USD-PERP"] */
function parseChannel(channel: string): [string, string] | undefined {
  if (GLOBAL.has(channel)) return [channel, "ALL"];
  const dot = channel.indexOf(".");
  if (dot < 0) return undefined;
  const name = channel.slice(0, dot);
  let market = channel.slice(dot + 1);
  if (name === "order_book") {
    if (!market.endsWith(BOOK_SUFFIX)) return undefined;
    market = market.slice(0, -BOOK_SUFFIX.length);
  }
  return [name, market];
}

interface Conn {
  account: string | undefined;
  readonly channels: Set<string>;
}

export class PdxSockets {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Map<WebSocket, Conn>();
  readonly jwt: JwtIssuer;
  readonly #now: () => number;
  readonly #engine: PdxEngine;
  readonly frozen = new Set<string>();

  constructor(jwt: JwtIssuer, now: () => number, engine: PdxEngine) {
    this.jwt = jwt;
    this.#now = now;
    this.#engine = engine;
  }

  get connections(): number {
    return this.#conns.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { account: undefined, channels: new Set() };
      this.#conns.set(ws, conn);
      ws.on("close", () => this.#conns.delete(ws));
      ws.on("message", (raw) => this.#onMessage(ws, conn, raw.toString()));
    });
  }

  #reply(
    ws: WebSocket,
    id: unknown,
    body: { result: unknown } | { error: { code: number; message: string } },
  ): void {
    const us = this.#now() * 1000;
    ws.send(JSON.stringify({ jsonrpc: "2.0", ...body, usIn: us, usOut: us, usDiff: 0, id: id ?? null }));
  }

  #onMessage(ws: WebSocket, conn: Conn, text: string) {
    let msg: { method?: unknown; params?: Record<string, unknown>; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.#reply(ws, null, { error: { code: -32700, message: "Parse error" } });
    }
    const params = msg.params ?? {};
    if (msg.method === "auth") {
      const bearer = params.bearer;
      if (typeof bearer !== "string" || bearer.split(".").length !== 3)
        return this.#reply(ws, msg.id, { error: { code: 40110, message: "Malformed Bearer Token" } });
      const who = this.jwt.check(bearer, this.#now());
      if (!who.ok)
        return this.#reply(ws, msg.id, { error: { code: 40111, message: "Invalid Bearer Token" } });
      conn.account = who.account;
      return this.#reply(ws, msg.id, { result: {} });
    }
    if (msg.method === "subscribe") {
      const channel = params.channel;
      if (typeof channel !== "string")
        return this.#reply(ws, msg.id, { error: { code: -32602, message: "Invalid parameters: channel" } });
      const parsed = parseChannel(channel);
      const [name, market] = parsed ?? ["", ""];
      const all = market === "ALL";
      const known = all || this.#engine.instruments.has(market);
      const global = GLOBAL.has(name);
      if (
        !known ||
        !(PUBLIC.has(name) || PRIVATE.has(name) || global) ||
        (all && !PRIVATE.has(name) && !global)
      )
        return this.#reply(ws, msg.id, {
          error: { code: -32602, message: `Invalid parameters: unknown channel ${channel}` },
        });
      if (PRIVATE.has(name) && conn.account === undefined)
        return this.#reply(ws, msg.id, { error: { code: 40111, message: "Invalid Bearer Token" } });
      if (this.frozen.has(channel)) {
        ws.terminate();
        return;
      }
      conn.channels.add(channel);
      this.#reply(ws, msg.id, { result: { channel } });
      // a book subscription starts with the current snapshot
      if (name === "order_book" || name === "bbo") this.#book(market, ws);
      return;
    }
    if (msg.method === "unsubscribe") {
      const channel = params.channel;
      if (typeof channel === "string") conn.channels.delete(channel);
      return this.#reply(ws, msg.id, { result: { channel } });
    }
    this.#reply(ws, msg.id, { error: { code: -32601, message: "method does not exist" } });
  }

  #notify(channel: string, data: unknown, account?: string, only?: WebSocket): void {
    if (this.frozen.has(channel)) return;
    const text = JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel, data } });
    for (const [ws, c] of this.#conns) {
      if (only !== undefined && ws !== only) continue;
      if (c.channels.has(channel) && (account === undefined || c.account === account)) ws.send(text);
    }
  }

  /** Send what the engine changed since the last flush. */
  flush(): void {
    const books = new Set<string>();
    const funding = new Set<string>();
    for (const e of this.#engine.drain()) {
      if (e.kind === "order") {
        this.#notify(`orders.${e.order.market}`, e.order, e.order.account);
        this.#notify("orders.ALL", e.order, e.order.account);
      } else if (e.kind === "fill") {
        const { account, ...fill } = e.fill;
        this.#notify(`fills.${fill.market}`, fill, account);
        this.#notify("fills.ALL", fill, account);
        this.#notify(`trades.${fill.market}`, {
          id: fill.id,
          market: fill.market,
          side: fill.side,
          size: fill.size,
          price: fill.price,
          created_at: fill.created_at,
          trade_type: "FILL",
        });
      } else if (e.kind === "payment") {
        const { account, ...p } = e.payment;
        this.#notify(`funding_payments.${p.market}`, p, account);
        this.#notify("funding_payments.ALL", p, account);
      } else if (e.kind === "book") books.add(e.market);
      else if (e.kind === "mark") this.#notify("markets_summary", summaryOf(this.#engine, e.market));
      else funding.add(e.market);
    }
    for (const m of books) this.#book(m);
    for (const m of funding) this.#notify(`funding_data.${m}`, fundingDataOf(this.#engine, m));
  }

  #book(market: string, only?: WebSocket): void {
    const inst = this.#engine.instruments.get(market);
    const b = this.#engine.books.get(market);
    if (inst === undefined || b === undefined) return;
    const now = this.#now();
    const level = (side: "BUY" | "SELL", l: { price: number; size: number }) => ({
      side,
      price: inst.priceText(inst.roundPrice(l.price, "buy", "nearest")),
      size: String(l.size),
    });
    const bids = b.depth("bid", 15);
    const asks = b.depth("ask", 15);
    this.#notify(
      `order_book.${market}${BOOK_SUFFIX}`,
      {
        seq_no: b.version ?? 0,
        market,
        last_updated_at: now,
        update_type: "s",
        inserts: [...bids.map((l) => level("BUY", l)), ...asks.map((l) => level("SELL", l))],
        updates: [],
        deletes: [],
      },
      undefined,
      only,
    );
    const [bid] = bids;
    const [ask] = asks;
    if (bid !== undefined && ask !== undefined)
      this.#notify(
        `bbo.${market}`,
        {
          market,
          bid: inst.priceText(inst.roundPrice(bid.price, "buy", "nearest")),
          bid_size: String(bid.size),
          ask: inst.priceText(inst.roundPrice(ask.price, "buy", "nearest")),
          ask_size: String(ask.size),
          last_updated_at: now,
        },
        undefined,
        only,
      );
  }

  freeze(channel: string): void {
    this.frozen.add(channel);
    for (const [ws, c] of this.#conns) if (c.channels.has(channel)) ws.terminate();
  }

  thaw(channel: string): void {
    this.frozen.delete(channel);
  }

  dropAll(): void {
    for (const ws of this.#conns.keys()) ws.terminate();
  }

  async close(): Promise<void> {
    for (const ws of this.#conns.keys()) ws.terminate();
    this.#conns.clear();
    await new Promise<void>((r) => this.#wss.close(() => r()));
  }
}
