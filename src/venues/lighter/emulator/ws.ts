/**
 * The Lighter emulator's WebSocket at `/stream` (Ld "websocket-reference"): `{"type":"subscribe",
 * "channel":"order_book/0"}` (private channels carry `"auth"`, a token of that account), answers
 * `subscribed/<kind>` then `update/<kind>` messages whose `channel` is `<kind>:<id>`. The book
 * channel sends a snapshot, then the changed levels (size "0" removes), each update's
 * `begin_nonce` the previous `nonce` and its offset one above the last; `skipOffsets` breaks that
 * chain for the next updates, as a lost message would.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { LtEngine, MarketSpec } from "./engine.ts";
import { accountJson, marketStatsJson, orderJson, tradeJson } from "./payloads.ts";
import { checkAuthToken } from "./verify.ts";

interface Conn {
  readonly ws: WebSocket;
  readonly channels: Set<string>;
}

const PRIVATE = /^(account_all_orders|account_all_trades|account_all_positions)\/(\d+)$/;
const PUBLIC = /^(order_book|trade|market_stats)\/(\d+|all)$/;

export class LtSockets {
  readonly engine: LtEngine;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Set<Conn>();
  readonly #levels = new Map<number, Map<string, string>>();
  readonly #offset = new Map<number, number>();
  readonly frozen = new Set<string>();
  #skip = 0;
  #session = 1;

  constructor(engine: LtEngine) {
    this.engine = engine;
  }

  get connections(): number {
    return this.#conns.size;
  }

  skipOffsets(count: number): void {
    this.#skip += count;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? "/", "http://emulator").pathname;
    if (path !== "/stream") {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, channels: new Set() };
      this.#conns.add(conn);
      ws.on("message", (raw) => this.#message(conn, raw.toString()));
      ws.on("close", () => this.#conns.delete(conn));
      ws.send(JSON.stringify({ type: "connected", session_id: String(this.#session++) }));
    });
  }

  #send(conn: Conn, msg: unknown): undefined {
    conn.ws.send(JSON.stringify(msg));
  }

  #message(conn: Conn, text: string): undefined {
    let m: { type?: unknown; channel?: unknown; auth?: unknown };
    try {
      m = JSON.parse(text);
    } catch {
      this.#send(conn, { type: "error", error: { code: 30000, message: "invalid JSON" } });
      return;
    }
    if (m.type === "ping") return this.#send(conn, { type: "pong" });
    const channel = typeof m.channel === "string" ? m.channel : "";
    if (m.type === "unsubscribe") {
      conn.channels.delete(channel);
      return this.#send(conn, { type: "unsubscribed", channel: channel.replace("/", ":") });
    }
    if (m.type !== "subscribe")
      return this.#send(conn, { type: "error", error: { code: 30001, message: "unknown type" } });
    const priv = PRIVATE.exec(channel);
    if (priv) {
      const who = checkAuthToken(this.engine, typeof m.auth === "string" ? m.auth : undefined);
      if (typeof who !== "number" || who !== Number(priv[2]))
        return this.#send(conn, {
          type: "error",
          error: {
            code: 30003,
            message: typeof who === "number" ? "auth token of another account" : who.message,
          },
        });
    } else if (!PUBLIC.exec(channel))
      return this.#send(conn, {
        type: "error",
        error: { code: 30002, message: `invalid channel ${channel}` },
      });
    conn.channels.add(channel);
    this.#snapshot(conn, channel);
  }

  #snapshot(conn: Conn, channel: string): undefined {
    if (this.frozen.has(channel)) return;
    const [kind, id] = channel.split("/");
    const wire = `${kind}:${id}`;
    if (kind === "order_book") {
      const m = this.engine.byId.get(Number(id));
      if (!m) return;
      this.flush();
      const { asks, bids } = this.#split(this.#levels.get(m.marketId) ?? this.#current(m));
      const offset = this.#offset.get(m.marketId) ?? 0;
      return this.#send(conn, {
        type: "subscribed/order_book",
        channel: wire,
        offset,
        order_book: { code: 0, asks, bids, offset, nonce: offset, begin_nonce: offset },
        timestamp: this.engine.clock.now(),
      });
    }
    if (kind === "market_stats") {
      const list =
        id === "all"
          ? this.engine.markets
          : [this.engine.byId.get(Number(id))].filter((x) => x !== undefined);
      for (const m of list)
        this.#send(conn, {
          type: "subscribed/market_stats",
          channel: wire,
          market_stats: marketStatsJson(this.engine, m),
        });
      return;
    }
    if (kind === "account_all_orders")
      return this.#send(conn, { type: "subscribed/account_all_orders", channel: wire, orders: {} });
    if (kind === "account_all_trades")
      return this.#send(conn, { type: "subscribed/account_all_trades", channel: wire, trades: {} });
    if (kind === "account_all_positions") {
      const a = this.engine.accounts.get(Number(id));
      return this.#send(conn, {
        type: "subscribed/account_all_positions",
        channel: wire,
        positions: a ? positionsOf(this.engine, a.index) : {},
      });
    }
    this.#send(conn, { type: `subscribed/${kind}`, channel: wire });
  }

  /** Publish what the engine queued: order updates first, then trades, positions, books, stats. */
  flush(): void {
    const books = new Map<number, boolean>();
    const stats = new Set<number>();
    const positions = new Set<string>();
    for (const e of this.engine.drain()) {
      switch (e.kind) {
        case "order":
          this.#publish(`account_all_orders/${e.account}`, "update/account_all_orders", {
            orders: { [String(e.order.market.marketId)]: [orderJson(this.engine, { ...e.order, ...e.at })] },
          });
          break;
        case "trade": {
          const t = tradeJson(this.engine, e.trade);
          this.#publish(`account_all_trades/${e.trade.order.account}`, "update/account_all_trades", {
            trades: { [String(e.trade.market.marketId)]: [t] },
          });
          this.#publish(`trade/${e.trade.market.marketId}`, "update/trade", { trades: [t] });
          break;
        }
        case "position":
          positions.add(`${e.account}`);
          break;
        case "book":
          books.set(e.marketId, (books.get(e.marketId) ?? false) || e.full === true);
          break;
        case "stats":
          stats.add(e.marketId);
          break;
      }
    }
    for (const a of positions)
      this.#publish(`account_all_positions/${a}`, "update/account_all_positions", {
        positions: positionsOf(this.engine, Number(a)),
      });
    for (const [id, full] of books) this.#bookUpdate(this.engine.byId.get(id)!, full);
    for (const id of stats) {
      const m = this.engine.byId.get(id)!;
      const body = { market_stats: marketStatsJson(this.engine, m) };
      this.#publish(`market_stats/${id}`, "update/market_stats", body);
      this.#publish("market_stats/all", "update/market_stats", body, `market_stats:${id}`);
    }
  }

  #current(m: MarketSpec): Map<string, string> {
    const inst = this.engine.inst(m);
    const out = new Map<string, string>();
    for (const side of ["bid", "ask"] as const)
      this.engine.books.get(m.symbol)!.walk(side, (ticks, size) => {
        out.set(`${side}|${inst.priceText(ticks)}`, inst.sizeText(inst.roundSize(size, "nearest")));
        return true;
      });
    return out;
  }

  #split(levels: Map<string, string>): {
    asks: { price: string; size: string }[];
    bids: { price: string; size: string }[];
  } {
    const asks: { price: string; size: string }[] = [];
    const bids: { price: string; size: string }[] = [];
    for (const [k, size] of levels) (k.startsWith("bid") ? bids : asks).push({ price: k.slice(4), size });
    return { asks, bids };
  }

  /** The changed levels (a replaced book: every level; sizes are absolute, re-sending one is harmless). */
  #bookUpdate(m: MarketSpec, full: boolean): void {
    const now = this.#current(m);
    const before = this.#levels.get(m.marketId) ?? new Map<string, string>();
    const changed = new Map<string, string>();
    for (const [k, v] of now) if (full || before.get(k) !== v) changed.set(k, v);
    for (const k of before.keys()) if (!now.has(k)) changed.set(k, "0");
    this.#levels.set(m.marketId, now);
    if (changed.size === 0) return;
    let step = 1;
    if (this.#skip > 0) {
      this.#skip--;
      step = 2;
    }
    const begin = (this.#offset.get(m.marketId) ?? 0) + step - 1;
    const offset = begin + 1;
    this.#offset.set(m.marketId, offset);
    const { asks, bids } = this.#split(changed);
    this.#publish(`order_book/${m.marketId}`, "update/order_book", {
      offset,
      order_book: { code: 0, asks, bids, offset, nonce: offset, begin_nonce: begin },
      timestamp: this.engine.clock.now(),
    });
  }

  #publish(channel: string, type: string, body: Record<string, unknown>, wire?: string): void {
    if (this.frozen.has(channel)) return;
    const text = JSON.stringify({ type, channel: wire ?? channel.replace("/", ":"), ...body });
    for (const c of this.#conns) if (c.channels.has(channel)) c.ws.send(text);
  }

  /** Stop a channel ("order_book/1", "account_all_orders/100") and close the sockets carrying it. */
  freeze(channel: string): void {
    this.frozen.add(channel);
    for (const c of this.#conns) if (c.channels.has(channel)) c.ws.terminate();
  }

  thaw(channel: string): void {
    this.frozen.delete(channel);
  }

  dropAll(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

function positionsOf(engine: LtEngine, account: number): Record<string, unknown> {
  const a = engine.accounts.get(account);
  if (a === undefined) return {};
  const json = accountJson(engine, a).positions as { market_id: number }[];
  return Object.fromEntries(json.map((p) => [String(p.market_id), p]));
}
