/**
 * The Hibachi emulator's WebSocket endpoints, in the shapes hibachi_sdk uses:
 * - `/ws/market` (api_ws_market.py): `{"method":"subscribe"|"unsubscribe","parameters":
 *   {"subscriptions":[{"symbol","topic"}]}}`, topics of types.py WebSocketSubscriptionTopic
 *   (`mark_price`, `funding_rate_estimation`, `trades`, `orderbook`, `ask_bid_price`); every
 *   message carries `topic` and `symbol`, its body under `data` (the REST shapes: orderbook
 *   `{ask:{levels},bid:{levels}}`, a full snapshot per change).
 * - `/ws/account?accountId=…` with `Authorization: <api key>` (api_ws_account.py):
 *   `{"id","method":"stream.start","params":{"accountId"}}` answers `{id, result:{accountSnapshot:
 *   {account_id, balance, positions}, listenKey}}`; `stream.ping` answers `{id, status:200,
 *   result:{}}`; pushes `{topic:"balance_update"|"position_update", data}` when a fill or a
 *   funding settlement changes the account.
 * - `/ws/trade` (api_ws_trade.py) is accepted and answers every request with an error (not
 *   emulated; the connector trades over REST).
 * A new subscription gets the topic's current state at once, and every subscribed orderbook is
 * sent again every `bookEveryMs` (a quiet book still shows the stream is alive). Streams cut by
 * the driver (`freeze`) close their connections and deliver nothing until thawed.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { MarketEvent } from "../../../core/market.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import type { HbEngine } from "./engine.ts";
import { accountInfoJson, orderbookJson, pricesJson } from "./payloads.ts";
import type { AccountKey } from "./verify.ts";

/** An account the emulator knows: its id, API key and how it signs. */
export interface EmuAccount {
  readonly accountId: number;
  readonly apiKey: string;
  readonly key: AccountKey;
}

interface MarketConn {
  readonly ws: WebSocket;
  /** "topic|symbol" */
  readonly subs: Set<string>;
}

interface AccountConn {
  readonly ws: WebSocket;
  readonly accountId: number;
  started: boolean;
}

const TOPICS = new Set(["mark_price", "funding_rate_estimation", "trades", "orderbook", "ask_bid_price"]);

export class HbSockets {
  readonly engine: HbEngine;
  readonly accounts: Map<string, EmuAccount>;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #market = new Set<MarketConn>();
  readonly #account = new Set<AccountConn>();
  /** "topic|symbol" or "account": cut by the driver */
  readonly frozen = new Set<string>();
  /** "topic|symbol" or "account": silent (connected, nothing sent) by the driver */
  readonly muted = new Set<string>();
  #nextKey = 1;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(engine: HbEngine, accounts: Map<string, EmuAccount>, bookEveryMs = 200) {
    this.engine = engine;
    this.accounts = accounts;
    engine.marketListeners.add((e) => this.#onMarket(e));
    engine.listeners.add((e) => this.#onAccountEvent(e));
    this.#timer = setInterval(() => {
      const books = new Set<string>();
      for (const c of this.#market) for (const k of c.subs) if (k.startsWith("orderbook|")) books.add(k);
      for (const k of books) this.#current(k);
    }, bookEveryMs);
    this.#timer.unref();
  }

  /** Publish the current state of one "topic|symbol". */
  #current(key: string): void {
    const [topic, symbol] = key.split("|");
    const c = this.engine.contractBySymbol(symbol);
    if (c === undefined) return;
    if (topic === "orderbook") this.#publish(topic, symbol, orderbookJson(this.engine, c, 20));
    else if (topic === "mark_price")
      this.#publish(topic, symbol, { markPrice: pricesJson(this.engine, c).markPrice });
    else if (topic === "funding_rate_estimation")
      this.#publish(topic, symbol, pricesJson(this.engine, c).fundingRateEstimation);
  }

  get connections(): number {
    return this.#market.size + this.#account.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://emulator");
    if (url.pathname === "/ws/account") {
      const acct = this.accounts.get(req.headers.authorization ?? "");
      const accountId = Number(url.searchParams.get("accountId"));
      if (acct === undefined || acct.accountId !== accountId || this.frozen.has("account")) {
        socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        const conn: AccountConn = { ws, accountId, started: false };
        this.#account.add(conn);
        ws.on("message", (raw) => this.#accountMessage(conn, raw.toString()));
        ws.on("close", () => this.#account.delete(conn));
      });
      return;
    }
    if (url.pathname !== "/ws/market" && url.pathname !== "/ws/trade") {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const trade = url.pathname === "/ws/trade";
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (trade) {
        ws.on("message", (raw) => {
          const id = safeJson(raw.toString())?.id ?? null;
          ws.send(JSON.stringify({ id, status: 501, error: "the trade socket is not emulated: use REST" }));
        });
        return;
      }
      const conn: MarketConn = { ws, subs: new Set() };
      this.#market.add(conn);
      ws.on("message", (raw) => this.#marketMessage(conn, raw.toString()));
      ws.on("close", () => this.#market.delete(conn));
    });
  }

  /** Cut a stream ("orderbook|BTC/USDT-P", "account"): its connections close, nothing is sent. */
  freeze(stream: string): void {
    this.frozen.add(stream);
    if (stream === "account") for (const c of this.#account) c.ws.terminate();
    else for (const c of this.#market) if (c.subs.has(stream)) c.ws.terminate();
  }

  thaw(stream: string): void {
    this.frozen.delete(stream);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const c of [...this.#market, ...this.#account]) c.ws.terminate();
    this.#wss.close();
  }

  #marketMessage(conn: MarketConn, text: string): void {
    const m = safeJson(text);
    const subs = (m?.parameters as { subscriptions?: unknown } | undefined)?.subscriptions;
    if ((m?.method !== "subscribe" && m?.method !== "unsubscribe") || !Array.isArray(subs)) {
      conn.ws.send(JSON.stringify({ status: 400, error: "expected {method, parameters:{subscriptions}}" }));
      return;
    }
    for (const s of subs as { symbol?: unknown; topic?: unknown }[]) {
      const key = `${String(s.topic)}|${String(s.symbol)}`;
      if (!TOPICS.has(String(s.topic)) || this.engine.contractBySymbol(String(s.symbol)) === undefined) {
        conn.ws.send(JSON.stringify({ status: 400, error: `unknown subscription ${key}` }));
        continue;
      }
      if (m.method === "unsubscribe") conn.subs.delete(key);
      else if (this.frozen.has(key)) conn.ws.terminate();
      else if (!conn.subs.has(key)) {
        conn.subs.add(key);
        this.#current(key);
      }
    }
  }

  #accountMessage(conn: AccountConn, text: string): void {
    const m = safeJson(text);
    const id = m?.id ?? null;
    if (m?.method === "stream.start") {
      conn.started = true;
      const info = accountInfoJson(this.engine, conn.accountId);
      conn.ws.send(
        JSON.stringify({
          id,
          result: {
            accountSnapshot: { account_id: conn.accountId, balance: info.balance, positions: info.positions },
            listenKey: `emu-${conn.accountId}-${this.#nextKey++}`,
          },
        }),
      );
    } else if (m?.method === "stream.ping") conn.ws.send(JSON.stringify({ id, status: 200, result: {} }));
    else conn.ws.send(JSON.stringify({ id, status: 400, error: `unknown method ${String(m?.method)}` }));
  }

  #publish(topic: string, symbol: string, data: unknown): void {
    const key = `${topic}|${symbol}`;
    if (this.frozen.has(key) || this.muted.has(key)) return;
    const text = JSON.stringify({ topic, symbol, data });
    for (const c of this.#market) if (c.subs.has(key)) c.ws.send(text);
  }

  #onMarket(e: MarketEvent): void {
    const c = this.engine.contractBySymbol(e.symbol);
    if (c === undefined) return;
    if (e.type === "book") {
      this.#current(`orderbook|${e.symbol}`);
      const p = pricesJson(this.engine, c);
      this.#publish("ask_bid_price", e.symbol, { askPrice: p.askPrice, bidPrice: p.bidPrice });
    } else if (e.type === "mark") this.#current(`mark_price|${e.symbol}`);
    else if (e.type === "funding") this.#current(`funding_rate_estimation|${e.symbol}`);
  }

  #onAccountEvent(e: VenueEvent): void {
    if (e.type === "fill") {
      const inst = this.engine.instruments.get(e.fill.symbol);
      if (inst !== undefined)
        this.#publish("trades", e.fill.symbol, {
          trades: [
            {
              price: inst.priceText(e.fill.priceTicks),
              quantity: inst.sizeText(e.fill.sizeLots),
              takerSide: e.fill.side === "buy" ? "Buy" : "Sell",
              timestamp: Math.floor(e.ts / 1000),
            },
          ],
        });
      this.#pushAccount(Number(e.fill.account), "position_update");
    } else if (e.type === "funding") this.#pushAccount(Number(e.account), "balance_update");
    else if (e.type === "liquidation") this.#pushAccount(Number(e.account), "position_update");
  }

  #pushAccount(accountId: number, topic: "position_update" | "balance_update"): void {
    if (this.frozen.has("account") || this.muted.has("account")) return;
    const conns = [...this.#account].filter((c) => c.started && c.accountId === accountId);
    if (conns.length === 0) return;
    const info = accountInfoJson(this.engine, accountId);
    const data = topic === "balance_update" ? { balance: info.balance } : { positions: info.positions };
    const text = JSON.stringify({ topic, data });
    for (const c of conns) c.ws.send(text);
  }
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
