/**
 * The emulator's WebSocket at `/ws` (HLd "Websocket", "Subscriptions", "Post requests",
 * "Timeouts and heartbeats"; VENUES.md §1.5): subscribe / unsubscribe, `{"method":"ping"}` →
 * `{"channel":"pong"}`, `post` requests carrying info and action payloads, and the channels
 * l2Book, bbo, trades, activeAssetCtx, allMids, orderUpdates, userFills and userFundings (first
 * message a snapshot with `isSnapshot: true`), userEvents. `bbo` is sent on subscribing and then
 * only when the coin's best bid or ask (price, size or order count) changes, as the venue does.
 * A channel can be frozen (nothing sent on it until thawed, then a fresh snapshot) and every
 * socket dropped, for fault tests.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { EngineEvent, HlEngine } from "./engine.ts";
import { assetCtx, bbo, l2Book, mid } from "./info.ts";
import { num } from "./universe.ts";

type Json = Record<string, unknown>;

export interface PostHandler {
  info(
    payload: Json,
    ip: string,
  ): Promise<{ type: "info"; payload: unknown } | { type: "error"; payload: string }>;
  /** undefined: the answer is lost (a fault) */
  action(
    payload: Json,
    ip: string,
  ): Promise<{ type: "action"; payload: unknown } | { type: "error"; payload: string } | undefined>;
}

const COIN_CHANNELS = new Set(["l2Book", "bbo", "trades", "activeAssetCtx"]);
const USER_CHANNELS = new Set(["orderUpdates", "userFills", "userFundings", "userEvents"]);
/** at most this many distinct users in user streams per IP (VENUES.md §1.7) */
export const USERS_PER_IP = 10;

interface Sub {
  readonly type: string;
  readonly coin?: string;
  readonly user?: string;
}

interface Client {
  readonly ws: WebSocket;
  readonly ip: string;
  readonly subs: Map<string, Sub>;
  /** the touch last sent on each coin's bbo stream, to send it only when it changes */
  readonly lastBbo: Map<string, string>;
}

const keyOf = (s: Sub) => JSON.stringify(s);
const streamKey = (s: Sub) => ((s.coin ?? s.user) ? `${s.type}:${s.coin ?? s.user}` : s.type);

export class HlSockets {
  readonly #engine: HlEngine;
  readonly #posts: PostHandler;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #clients = new Set<Client>();
  /** frozen streams: "l2Book", "l2Book:BTC", "userFills:0x…" */
  readonly frozen = new Set<string>();
  /** messages sent so far per channel, every socket together (a recorder test counts them) */
  readonly sent = new Map<string, number>();

  readonly #usersPerIp: number;

  constructor(engine: HlEngine, posts: PostHandler, usersPerIp = USERS_PER_IP) {
    this.#engine = engine;
    this.#posts = posts;
    this.#usersPerIp = usersPerIp;
  }

  get connections(): number {
    return this.#clients.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!req.url?.startsWith("/ws")) {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = {
        ws,
        ip: req.socket.remoteAddress ?? "?",
        subs: new Map(),
        lastBbo: new Map(),
      };
      this.#clients.add(client);
      ws.on("message", (data) => this.#onMessage(client, String(data)));
      ws.on("close", () => this.#clients.delete(client));
      ws.on("error", () => this.#clients.delete(client));
    });
  }

  /** Close every socket at once, as a network cut would (a 1006-style abrupt close). */
  dropAll(): void {
    for (const c of this.#clients) c.ws.terminate();
    this.#clients.clear();
  }

  /** The distinct users in user-stream subscriptions of an IP's sockets. */
  usersOf(ip: string): Set<string> {
    const users = new Set<string>();
    for (const other of this.#clients)
      if (other.ip === ip) for (const x of other.subs.values()) if (x.user) users.add(x.user);
    return users;
  }

  freeze(stream: string): void {
    this.frozen.add(stream);
  }

  thaw(stream: string): void {
    this.frozen.delete(stream);
    for (const c of this.#clients)
      for (const s of c.subs.values()) if (streamKey(s) === stream || s.type === stream) this.#snapshot(c, s);
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  /** Send what the engine's events change to the sockets subscribed to it. */
  publish(events: readonly EngineEvent[]): void {
    if (this.#clients.size === 0 || events.length === 0) return;
    const books = new Set<string>();
    const ctxs = new Set<string>();
    const trades = new Map<string, unknown[]>();
    const byUser = new Map<
      string,
      { updates: unknown[]; fills: unknown[]; fundings: unknown[]; other: unknown[] }
    >();
    const mine = (u: string) => {
      const m = byUser.get(u) ?? { updates: [], fills: [], fundings: [], other: [] };
      byUser.set(u, m);
      return m;
    };
    for (const e of events) {
      if (e.kind === "book") books.add(e.coin);
      else if (e.kind === "ctx") ctxs.add(e.coin);
      else if (e.kind === "trade") {
        trades.set(e.coin, [...(trades.get(e.coin) ?? []), e.trade]);
        ctxs.add(e.coin);
      } else if (e.kind === "orderUpdate") mine(e.user).updates.push(e.update);
      else if (e.kind === "fill") mine(e.user).fills.push(e.fill);
      else if (e.kind === "funding") mine(e.user).fundings.push(e.funding);
      else if (e.kind === "liquidation") mine(e.user).other.push({ liquidation: e.liquidation });
      else if (e.kind === "nonUserCancel")
        mine(e.user).other.push({ nonUserCancel: [{ coin: e.coin, oid: e.oid }] });
    }
    for (const c of this.#clients) {
      for (const s of c.subs.values()) {
        if (this.#isFrozen(s)) continue;
        const coin = s.coin ?? "";
        const u = s.user ? byUser.get(s.user) : undefined;
        switch (s.type) {
          case "l2Book":
            if (books.has(coin)) this.#send(c, "l2Book", l2Book(this.#engine, coin));
            break;
          case "bbo":
            if (books.has(coin)) this.#sendBbo(c, coin, false);
            break;
          case "trades":
            if (trades.has(coin)) this.#send(c, "trades", trades.get(coin));
            break;
          case "activeAssetCtx":
            if (ctxs.has(coin) || books.has(coin))
              this.#send(c, "activeAssetCtx", { coin, ctx: assetCtx(this.#engine, coin) });
            break;
          case "allMids":
            if (books.size > 0) this.#send(c, "allMids", { mids: this.#mids() });
            break;
          case "orderUpdates":
            if (u && u.updates.length > 0) this.#send(c, "orderUpdates", u.updates);
            break;
          case "userFills":
            if (u && u.fills.length > 0) this.#send(c, "userFills", { user: s.user, fills: u.fills });
            break;
          case "userFundings":
            if (u && u.fundings.length > 0)
              this.#send(c, "userFundings", { user: s.user, fundings: u.fundings.map(toStreamFunding) });
            break;
          case "userEvents":
            if (u && u.fills.length > 0) this.#send(c, "user", { fills: u.fills });
            for (const f of u?.fundings ?? []) this.#send(c, "user", { funding: toStreamFunding(f) });
            for (const o of u?.other ?? []) this.#send(c, "user", o);
            break;
        }
      }
    }
  }

  /** One "block": every book and context stream gets its current state (the venue sends books every block). */
  heartbeat(): void {
    const events: EngineEvent[] = this.#engine.coins.flatMap((c) => [
      { kind: "book" as const, coin: c.name },
      { kind: "ctx" as const, coin: c.name },
    ]);
    this.publish(events);
  }

  #mids() {
    return Object.fromEntries(this.#engine.coins.map((c) => [c.name, num(mid(this.#engine, c.name), 6)]));
  }

  #isFrozen(s: Sub): boolean {
    return this.frozen.has(s.type) || this.frozen.has(streamKey(s));
  }

  #send(c: Client, channel: string, data: unknown): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    c.ws.send(JSON.stringify({ channel, data }));
    this.sent.set(channel, (this.sent.get(channel) ?? 0) + 1);
  }

  #sendBbo(c: Client, coin: string, always: boolean): void {
    const msg = bbo(this.#engine, coin);
    const touch = JSON.stringify(msg.bbo);
    if (!always && c.lastBbo.get(coin) === touch) return;
    c.lastBbo.set(coin, touch);
    this.#send(c, "bbo", msg);
  }

  #onMessage(c: Client, text: string): void {
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
    } catch {
      this.#send(c, "error", `Error parsing JSON into valid websocket request: ${text}`);
      return;
    }
    if (msg.method === "ping") {
      c.ws.send(JSON.stringify({ channel: "pong" }));
      return;
    }
    if (msg.method === "subscribe" || msg.method === "unsubscribe") {
      this.#subscription(c, msg.method, msg.subscription);
      return;
    }
    if (msg.method === "post") {
      void this.#post(c, msg);
      return;
    }
    this.#send(c, "error", `Error parsing JSON into valid websocket request: ${text}`);
  }

  #subscription(c: Client, method: "subscribe" | "unsubscribe", raw: unknown): void {
    const s = this.#readSub(raw);
    if (!s) {
      this.#send(c, "error", `Invalid subscription ${JSON.stringify(raw)}`);
      return;
    }
    const key = keyOf(s);
    if (method === "subscribe") {
      if (c.subs.has(key)) {
        this.#send(c, "error", `Already subscribed: ${JSON.stringify(raw)}`);
        return;
      }
      if (s.user) {
        const users = this.usersOf(c.ip);
        users.add(s.user);
        // the venue's text (nktkas/hyperliquid#78, seen from the live API)
        if (users.size > this.#usersPerIp) {
          this.#send(c, "error", `Cannot track more than ${this.#usersPerIp} total users.`);
          return;
        }
      }
      c.subs.set(key, s);
    } else {
      if (!c.subs.delete(key)) {
        this.#send(c, "error", `Already unsubscribed: ${JSON.stringify(raw)}`);
        return;
      }
    }
    this.#send(c, "subscriptionResponse", { method, subscription: raw });
    if (method === "subscribe" && !this.#isFrozen(s)) this.#snapshot(c, s);
  }

  #readSub(raw: unknown): Sub | undefined {
    if (typeof raw !== "object" || raw === null) return undefined;
    const r = raw as Json;
    const type = String(r.type);
    if (COIN_CHANNELS.has(type)) {
      return typeof r.coin === "string" && this.#engine.instruments.has(r.coin)
        ? { type, coin: r.coin }
        : undefined;
    }
    if (USER_CHANNELS.has(type)) {
      return typeof r.user === "string" && /^0x[0-9a-fA-F]{40}$/.test(r.user)
        ? { type, user: r.user.toLowerCase() }
        : undefined;
    }
    return type === "allMids" ? { type } : undefined;
  }

  /** What a stream sends first: the state for market streams, the history snapshot for fills and fundings. */
  #snapshot(c: Client, s: Sub): void {
    const e = this.#engine;
    switch (s.type) {
      case "l2Book":
        this.#send(c, "l2Book", l2Book(e, s.coin!));
        break;
      case "bbo":
        this.#sendBbo(c, s.coin!, true);
        break;
      case "activeAssetCtx":
        this.#send(c, "activeAssetCtx", { coin: s.coin, ctx: assetCtx(e, s.coin!) });
        break;
      case "allMids":
        this.#send(c, "allMids", { mids: this.#mids() });
        break;
      case "userFills":
        this.#send(c, "userFills", {
          isSnapshot: true,
          user: s.user,
          fills: (e.fills.get(s.user!) ?? []).slice(-2000),
        });
        break;
      case "userFundings":
        this.#send(c, "userFundings", {
          isSnapshot: true,
          user: s.user,
          fundings: (e.fundings.get(s.user!) ?? []).slice(-500).map(toStreamFunding),
        });
    }
  }

  async #post(c: Client, msg: Json): Promise<void> {
    const id = msg.id;
    const req = msg.request as Json | undefined;
    const reply = (response: unknown) => this.#send(c, "post", { id, response });
    if (typeof id !== "number" || !req || typeof req.payload !== "object" || req.payload === null) {
      return reply({
        type: "error",
        payload: `Error parsing JSON into valid websocket request: ${JSON.stringify(msg)}`,
      });
    }
    if (req.type === "info") {
      reply(await this.#posts.info(req.payload as Json, c.ip));
      return;
    }
    if (req.type === "action") {
      const answer = await this.#posts.action(req.payload as Json, c.ip);
      if (answer !== undefined) reply(answer);
      return;
    }
    reply({ type: "error", payload: `Invalid request type ${String(req.type)}` });
  }
}

function toStreamFunding(f: unknown) {
  const x = f as {
    time: number;
    coin: string;
    usdc: string;
    szi: string;
    fundingRate: string;
    nSamples: null;
  };
  return {
    time: x.time,
    coin: x.coin,
    usdc: x.usdc,
    szi: x.szi,
    fundingRate: x.fundingRate,
    nSamples: x.nSamples,
  };
}
