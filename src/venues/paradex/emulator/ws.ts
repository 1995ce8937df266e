/**
 * The Paradex emulator's WebSocket: JSON-RPC 2.0 as docs.paradex.trade "WebSocket" describes it.
 * `auth {bearer}` binds the socket to the JWT's account (errors 40110 malformed / 40111 invalid
 * bearer token, as its "Error Handling" page lists); `subscribe {channel}` answers
 * `{channel}` and then sends `{method:"subscription", params:{channel, data}}` notifications.
 * Public channels: `bbo.{market}`; private (after auth): `orders.{market}` and `orders.ALL`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { JwtIssuer } from "./jwt.ts";
import type { PdxOrder } from "./state.ts";

interface Conn {
  account: string | undefined;
  readonly channels: Set<string>;
}

export class PdxSockets {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Map<WebSocket, Conn>();
  readonly #jwt: JwtIssuer;
  readonly #now: () => number;
  readonly #markets: () => readonly string[];

  constructor(jwt: JwtIssuer, now: () => number, markets: () => readonly string[]) {
    this.#jwt = jwt;
    this.#now = now;
    this.#markets = markets;
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
      const who = this.#jwt.check(bearer, this.#now());
      if (!who.ok)
        return this.#reply(ws, msg.id, { error: { code: 40111, message: "Invalid Bearer Token" } });
      conn.account = who.account;
      return this.#reply(ws, msg.id, { result: {} });
    }
    if (msg.method === "subscribe") {
      const channel = params.channel;
      if (typeof channel !== "string")
        return this.#reply(ws, msg.id, { error: { code: -32602, message: "Invalid parameters: channel" } });
      const [name, market] = channel.split(".");
      const known = market === "ALL" || this.#markets().includes(market ?? "");
      if (!known || (name !== "bbo" && name !== "orders") || (name === "bbo" && market === "ALL"))
        return this.#reply(ws, msg.id, {
          error: { code: -32602, message: `Invalid parameters: unknown channel ${channel}` },
        });
      if (name === "orders" && conn.account === undefined)
        return this.#reply(ws, msg.id, { error: { code: 40111, message: "Invalid Bearer Token" } });
      conn.channels.add(channel);
      return this.#reply(ws, msg.id, { result: { channel } });
    }
    this.#reply(ws, msg.id, { error: { code: -32601, message: "method does not exist" } });
  }

  #notify(channel: string, data: unknown, account?: string): void {
    const text = JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel, data } });
    for (const [ws, c] of this.#conns)
      if (c.channels.has(channel) && (account === undefined || c.account === account)) ws.send(text);
  }

  order(o: PdxOrder): void {
    this.#notify(`orders.${o.market}`, o, o.account);
    this.#notify("orders.ALL", o, o.account);
  }

  bbo(market: string, bid: string, ask: string, bidSize: string, askSize: string): void {
    this.#notify(`bbo.${market}`, {
      market,
      bid,
      bid_size: bidSize,
      ask,
      ask_size: askSize,
      last_updated_at: this.#now(),
    });
  }

  async close(): Promise<void> {
    for (const ws of this.#conns.keys()) ws.terminate();
    this.#conns.clear();
    await new Promise<void>((r) => this.#wss.close(() => r()));
  }
}
