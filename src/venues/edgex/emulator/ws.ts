/**
 * The emulator's WebSockets (edgex-python-sdk `ws/client.py`, `ws/manager.py`):
 * - public `/api/v1/public/ws` (V2 keeps the v1 path; /api/v2/… is served too): `connected`, then `{"type":"subscribe","channel":…}` for
 *   `depth.<contractId>.<15|200>` (a Snapshot on subscribe, then Changed messages with the levels
 *   that moved, size "0" for a removed one, versions counting up), `ticker.<contractId>` and
 *   `trades.<contractId>`; every message is `{"type":"quote-event","channel":…,"content":{…}}`;
 * - private `/api/v1/private/ws?accountId=…&timestamp=…`: the REST HMAC headers at the handshake
 *   (signed over GET <path> `accountId=…&timestamp=…`), then `connected`, a `Snapshot`
 *   trade-event and `trade-event` messages for that account's orders and fills (ORDER_UPDATE)
 *   and funding (FUNDING_SETTLEMENT) — the V2 docs' private-websocket page.
 * A client's `{"type":"ping"}` is answered with a pong.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { EdgexEngine } from "./engine.ts";
import { depthJson, fillJson, fundingTxJson, orderJson, tickerJson } from "./payloads.ts";
import { type ApiAccount, checkHmac } from "./verify.ts";

interface Conn {
  readonly ws: WebSocket;
  /** the account of a private socket */
  readonly accountId: string | undefined;
  readonly channels: Set<string>;
  /** server pings sent since the last pong */
  unanswered: number;
}

/** The V2 docs (public and private WebSocket pages): after 5 pings without a pong the server closes. */
export const MAX_UNANSWERED_PINGS = 5;

export const ACCOUNT_WIRE = "trade-event";

export class EdgexSockets {
  readonly engine: EdgexEngine;
  readonly #byKey: (apiKey: string) => ApiAccount | undefined;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Set<Conn>();
  readonly frozen = new Set<string>();
  /** per contract: the levels last published ("bid|price" → size) and the depth version */
  readonly #levels = new Map<string, Map<string, string>>();
  readonly #version = new Map<string, number>();
  #eventVersion = 0;

  readonly #pinger: ReturnType<typeof setInterval>;

  /** `pingMs`: how often the server pings each socket (the venue's heartbeat). */
  constructor(engine: EdgexEngine, byKey: (apiKey: string) => ApiAccount | undefined, pingMs = 20_000) {
    this.engine = engine;
    this.#byKey = byKey;
    this.#pinger = setInterval(() => this.#ping(), pingMs);
    this.#pinger.unref?.();
  }

  #ping(): void {
    const text = JSON.stringify({ type: "ping", time: String(this.engine.clock.now()) });
    for (const c of this.#conns) {
      if (c.unanswered >= MAX_UNANSWERED_PINGS) {
        c.ws.terminate();
        continue;
      }
      c.unanswered++;
      if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
    }
  }

  get connections(): number {
    return this.#conns.size;
  }

  depthVersion(contractId: string): number {
    this.flush();
    return this.#version.get(contractId) ?? 0;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://emulator");
    const isPublic = url.pathname === "/api/v2/public/ws" || url.pathname === "/api/v1/public/ws";
    const isPrivate = url.pathname === "/api/v2/private/ws" || url.pathname === "/api/v1/private/ws";
    let accountId: string | undefined;
    if (isPrivate) {
      const auth = checkHmac(
        { method: "GET", path: url.pathname, query: url.searchParams, body: undefined, headers: req.headers },
        this.#byKey,
        this.engine.clock.now(),
      );
      const wanted = url.searchParams.get("accountId");
      if (!auth.ok || auth.account.accountId !== wanted || this.frozen.has(ACCOUNT_WIRE)) {
        socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
        return;
      }
      accountId = auth.account.accountId;
    } else if (!isPublic) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, accountId, channels: new Set(), unanswered: 0 };
      this.#conns.add(conn);
      ws.on("close", () => this.#conns.delete(conn));
      ws.on("message", (raw) => this.#onMessage(conn, raw.toString()));
      ws.send(JSON.stringify({ type: "connected" }));
      if (accountId !== undefined) {
        conn.channels.add(ACCOUNT_WIRE);
        const open = this.engine.openOrders(accountId).map((o) => orderJson(this.engine, o));
        ws.send(
          JSON.stringify({
            type: "trade-event",
            content: { event: "Snapshot", version: String(this.#eventVersion), data: { order: open } },
          }),
        );
      }
    });
  }

  #onMessage(conn: Conn, text: string): void {
    let m: { type?: unknown; channel?: unknown; time?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    if (m.type === "pong") {
      conn.unanswered = 0;
      return;
    }
    if (m.type === "ping") {
      conn.ws.send(JSON.stringify({ type: "pong", time: m.time }));
      return;
    }
    const channel = typeof m.channel === "string" ? m.channel : "";
    if (m.type === "unsubscribe") {
      conn.channels.delete(channel);
      return;
    }
    if (m.type !== "subscribe" || conn.accountId !== undefined) return;
    const [kind, id] = channel.split(".");
    const c = this.engine.contractOf(id ?? "");
    if (c === undefined || !["depth", "ticker", "trades"].includes(kind ?? "")) {
      conn.ws.send(JSON.stringify({ type: "error", content: { code: "INVALID_CHANNEL", msg: channel } }));
      return;
    }
    conn.channels.add(channel);
    conn.ws.send(JSON.stringify({ type: "subscribed", channel }));
    if (this.frozen.has(channel)) return;
    if (kind === "depth") {
      this.flush();
      const d = depthJson(
        this.engine,
        c,
        this.#version.get(c.contractId) ?? 0,
        Number(channel.split(".")[2] ?? "15"),
      );
      conn.ws.send(JSON.stringify(quote(channel, "Snapshot", [d])));
    } else if (kind === "ticker")
      conn.ws.send(JSON.stringify(quote(channel, "Snapshot", [tickerJson(this.engine, c)])));
  }

  /** Publish every change the engine queued. */
  flush(): void {
    const e = this.engine;
    const books = new Map<string, boolean>();
    const marks = new Set<string>();
    const perAccount = new Map<
      string,
      { order: unknown[]; orderFillTransaction: unknown[]; positionTransaction: unknown[] }
    >();
    const acct = (id: string) => {
      let a = perAccount.get(id);
      if (a === undefined) {
        a = { order: [], orderFillTransaction: [], positionTransaction: [] };
        perAccount.set(id, a);
      }
      return a;
    };
    for (const ch of e.drain()) {
      if (ch.kind === "book") books.set(ch.symbol, (books.get(ch.symbol) ?? false) || ch.full === true);
      else if (ch.kind === "mark") marks.add(ch.symbol);
      else if (ch.kind === "order") {
        const a = acct(ch.order.accountId);
        a.order.push(orderJson(e, ch.order, ch.at));
        if (ch.fill !== undefined) a.orderFillTransaction.push(fillJson(e, ch.fill));
      } else if (ch.kind === "funding")
        acct(ch.accountId).positionTransaction.push(fundingTxJson(e, ch.accountId, ch.record));
      else if (ch.kind === "trade") {
        const c = e.bySymbol(ch.fill.order.symbol);
        if (c === undefined) continue;
        const f = fillJson(e, ch.fill);
        this.#publish(
          `trades.${c.contractId}`,
          quote(`trades.${c.contractId}`, "Changed", [
            {
              price: f.fillPrice,
              size: f.fillSize,
              isBuyerMaker: (ch.fill.order.side === "BUY") === ch.fill.maker,
              time: f.matchTime,
            },
          ]),
        );
      }
    }
    for (const [s, full] of books) this.#publishDepth(s, full);
    for (const s of marks) {
      const c = e.bySymbol(s);
      if (c !== undefined)
        this.#publish(
          `ticker.${c.contractId}`,
          quote(`ticker.${c.contractId}`, "Changed", [tickerJson(e, c)]),
        );
    }
    for (const [id, data] of perAccount) {
      const msg = {
        type: "trade-event",
        content: { event: "ORDER_UPDATE", version: String(++this.#eventVersion), data },
      };
      this.#publish(ACCOUNT_WIRE, msg, id);
    }
  }

  /** The levels that changed as a Changed message, or, for a replaced book, a Snapshot. */
  #publishDepth(symbol: string, full: boolean): void {
    const e = this.engine;
    const c = e.bySymbol(symbol);
    if (c === undefined) return;
    const all = depthJson(e, c, 0, 200);
    const now = new Map<string, string>();
    for (const l of all.bids as { price: string; size: string }[]) now.set(`bid|${l.price}`, l.size);
    for (const l of all.asks as { price: string; size: string }[]) now.set(`ask|${l.price}`, l.size);
    const before = this.#levels.get(c.contractId) ?? new Map<string, string>();
    const bids: { price: string; size: string }[] = [];
    const asks: { price: string; size: string }[] = [];
    for (const [k, v] of now)
      if (before.get(k) !== v) (k.startsWith("bid") ? bids : asks).push({ price: k.slice(4), size: v });
    for (const k of before.keys())
      if (!now.has(k)) (k.startsWith("bid") ? bids : asks).push({ price: k.slice(4), size: "0" });
    this.#levels.set(c.contractId, now);
    if (bids.length === 0 && asks.length === 0 && !full) return;
    const from = (this.#version.get(c.contractId) ?? 0) + 1;
    this.#version.set(c.contractId, from);
    if (full) {
      for (const level of [15, 200]) {
        const channel = `depth.${c.contractId}.${level}`;
        this.#publish(channel, quote(channel, "Snapshot", [depthJson(e, c, from, level)]));
      }
      return;
    }
    for (const level of [15, 200]) {
      const channel = `depth.${c.contractId}.${level}`;
      this.#publish(
        channel,
        quote(channel, "Changed", [
          {
            startVersion: String(from),
            endVersion: String(from),
            level,
            contractId: c.contractId,
            contractName: c.symbol,
            depthType: "CHANGED",
            asks,
            bids,
          },
        ]),
      );
    }
  }

  #publish(channel: string, msg: unknown, accountId?: string): void {
    if (this.frozen.has(channel)) return;
    const text = JSON.stringify(msg);
    for (const c of this.#conns) {
      if (!c.channels.has(channel)) continue;
      if (accountId !== undefined && c.accountId !== accountId) continue;
      if (c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
    }
  }

  /** Stop a wire stream ("depth.10000001.15", "trade-event") and cut the sockets carrying it. */
  freeze(channel: string): void {
    this.frozen.add(channel);
    for (const c of this.#conns) if (c.channels.has(channel)) c.ws.terminate();
  }

  /** Resume a stream: its subscribers get a fresh Snapshot first, as after a (re)subscription. */
  thaw(channel: string): void {
    this.frozen.delete(channel);
    const [kind, id] = channel.split(".");
    const c = this.engine.contractOf(id ?? "");
    if (c === undefined) return;
    this.flush();
    if (kind === "depth")
      this.#publish(
        channel,
        quote(channel, "Snapshot", [
          depthJson(
            this.engine,
            c,
            this.#version.get(c.contractId) ?? 0,
            Number(channel.split(".")[2] ?? "15"),
          ),
        ]),
      );
    else if (kind === "ticker")
      this.#publish(channel, quote(channel, "Snapshot", [tickerJson(this.engine, c)]));
  }

  dropAll(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.#pinger);
    this.dropAll();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

function quote(channel: string, dataType: string, data: unknown[]) {
  return { type: "quote-event", channel, content: { dataType, channel, data } };
}
