/**
 * The emulator's `/ws/full` streams, JSON-RPC as the venue speaks it (ccxt js/src/pro/grvt.js):
 * `{"jsonrpc":"2.0","method":"subscribe","params":{"stream":…,"selectors":[…]},"id":n}` is
 * acknowledged with `{"jsonrpc":"2.0","result":{"stream","subs","unsubs"},"id":n,"method":"subscribe"}`;
 * feed frames are `{stream, selector, sequence_number, feed, prev_sequence_number}`.
 * Public: `v1.book.s` (`INSTR@rate-depth`, a full snapshot after every change), `v1.book.d`
 * (`INSTR@rate`: a snapshot, then sequenced deltas: book-deltas.ts), `v1.mini.s` and
 * `v1.ticker.s` (`INSTR@rate`), `v1.trade` (`INSTR@limit`: every fill of the emulated accounts,
 * the taker's side, as the venue prints its trades). Private (the upgrade request must carry a session): `v1.order`,
 * `v1.fill`, `v1.position` with selector `<sub_account_id>` or `<sub_account_id>-<INSTR>`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { type BookJson, EmuBookDeltas } from "./book-deltas.ts";
import type { EngineEvent, GrvtEngine, GrvtFillRecord } from "./engine.ts";
import { bookJson, fillJson, positionsJson, tickerJson } from "./payloads.ts";

/** a logged-in session: the address that signed the wallet login, the account id it was given */
export interface Session {
  readonly address: string;
  readonly accountId: string;
}

const PUBLIC = new Set(["v1.book.s", "v1.book.d", "v1.mini.s", "v1.ticker.s", "v1.trade"]);
/** levels per side of a `v1.book.d` feed */
const DELTA_DEPTH = 100;
const PRIVATE = new Set(["v1.order", "v1.fill", "v1.position"]);

interface Conn {
  readonly ws: WebSocket;
  readonly session: Session | undefined;
  /** stream → selectors */
  readonly subs: Map<string, Set<string>>;
}

export class GrvtSockets {
  readonly engine: GrvtEngine;
  readonly mayTrade: (address: string, sub: string) => boolean;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Set<Conn>();
  readonly #seq = new Map<string, bigint>();
  /** streams cut by the driver ("v1.book.s", "v1.order"): not delivered, their sockets closed once */
  readonly frozen = new Set<string>();
  /** the `v1.book.d` feeds (the driver's loseBookDeltas sets `loseNext`) */
  readonly deltas = new EmuBookDeltas();

  constructor(engine: GrvtEngine, mayTrade: (address: string, sub: string) => boolean) {
    this.engine = engine;
    this.mayTrade = mayTrade;
  }

  get connections(): number {
    return this.#conns.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, session: Session | undefined): void {
    if (new URL(req.url ?? "/", "http://e").pathname !== "/ws/full") {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, session, subs: new Map() };
      this.#conns.add(conn);
      ws.on("message", (raw) => this.#message(conn, raw.toString()));
      ws.on("close", () => this.#conns.delete(conn));
    });
  }

  #message(conn: Conn, text: string): void {
    let m: { method?: unknown; params?: { stream?: unknown; selectors?: unknown }; id?: unknown };
    try {
      m = JSON.parse(text);
    } catch {
      conn.ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          error: { code: 1003, message: "Request could not be processed due to malformed syntax" },
        }),
      );
      return;
    }
    const stream = typeof m.params?.stream === "string" ? m.params.stream : "";
    const selectors = Array.isArray(m.params?.selectors)
      ? m.params.selectors.filter((s): s is string => typeof s === "string")
      : [];
    const reply = (body: Record<string, unknown>): void => {
      conn.ws.send(JSON.stringify({ jsonrpc: "2.0", id: m.id ?? null, method: m.method, ...body }));
    };
    if (m.method === "unsubscribe") {
      for (const s of selectors) conn.subs.get(stream)?.delete(s);
      if (stream === "v1.book.d") for (const s of selectors) this.deltas.unsubscribe(conn, s);
      reply({ result: { stream, subs: [], unsubs: selectors } });
      return;
    }
    if (m.method !== "subscribe" || (!PUBLIC.has(stream) && !PRIVATE.has(stream))) {
      reply({ error: { code: 1004, message: `Data Not Found: ${String(m.method)} ${stream}` } });
      return;
    }
    if (PRIVATE.has(stream)) {
      const session = conn.session;
      const denied = selectors.find(
        (s) => session === undefined || !this.mayTrade(session.address, s.split("-")[0]),
      );
      if (denied !== undefined) {
        reply({
          error: { code: 1000, message: "You need to authenticate prior to using this functionality" },
        });
        return;
      }
    }
    let set = conn.subs.get(stream);
    if (set === undefined) {
      set = new Set();
      conn.subs.set(stream, set);
    }
    for (const s of selectors) set.add(s);
    if (stream === "v1.book.d" && !this.frozen.has(stream)) {
      // the snapshots follow the answer, which names each feed's first delta sequence (a feed
      // subscribed while frozen gets its snapshot at the first book change after the thaw)
      const known = selectors.filter((s) => this.engine.inst(s.split("@")[0]) !== undefined);
      const subs = known.map((s) => ({ s, ...this.deltas.subscribe(conn, s, this.#deltaBook(s)) }));
      reply({
        result: {
          stream,
          subs: known,
          unsubs: [],
          num_snapshots: known.map(() => 1),
          first_sequence_number: subs.map((x) => String(x.first)),
        },
      });
      for (const x of subs) conn.ws.send(x.frame);
      return;
    }
    reply({ result: { stream, subs: selectors, unsubs: [] } });
    // public snapshots go out at once, as the venue sends its first snapshot on subscribe
    if (PUBLIC.has(stream)) for (const s of selectors) this.#publicFrame(stream, s, conn);
  }

  #frame(stream: string, selector: string, feed: unknown): string {
    const key = `${stream} ${selector}`;
    const prev = this.#seq.get(key) ?? 0n;
    this.#seq.set(key, prev + 1n);
    return JSON.stringify({
      stream,
      selector,
      sequence_number: String(prev + 1n),
      feed,
      prev_sequence_number: String(prev),
    });
  }

  #publicFrame(stream: string, selector: string, only?: Conn): void {
    if (!PUBLIC.has(stream) || stream === "v1.trade" || stream === "v1.book.d" || this.frozen.has(stream))
      return;
    const [instrument, rest = ""] = selector.split("@");
    if (this.engine.inst(instrument) === undefined) return;
    const depth = Number(rest.split("-")[1] ?? 10) || 10;
    const feed =
      stream === "v1.book.s" ? bookJson(this.engine, instrument, depth) : tickerJson(this.engine, instrument);
    const text = this.#frame(stream, selector, feed);
    for (const c of only === undefined ? this.#conns : [only])
      if (c.subs.get(stream)?.has(selector)) c.ws.send(text);
  }

  #deltaBook(selector: string): BookJson {
    return bookJson(this.engine, selector.split("@")[0], DELTA_DEPTH) as unknown as BookJson;
  }

  /** each `v1.book.d` subscriber of `instrument` gets the delta to the book as it is now */
  #deltaFrames(instrument: string): void {
    if (this.frozen.has("v1.book.d")) return;
    for (const c of this.#conns)
      for (const s of c.subs.get("v1.book.d") ?? []) {
        if (!s.startsWith(`${instrument}@`)) continue;
        const text = this.deltas.has(c, s)
          ? this.deltas.update(c, s, this.#deltaBook(s))
          : this.deltas.subscribe(c, s, this.#deltaBook(s)).frame;
        if (text !== undefined) c.ws.send(text);
      }
  }

  #privateFrame(stream: string, sub: string, instrument: string, feed: unknown): void {
    if (this.frozen.has(stream)) return;
    for (const selector of [sub, `${sub}-${instrument}`]) {
      const targets = [...this.#conns].filter((c) => c.subs.get(stream)?.has(selector));
      if (targets.length === 0) continue;
      const text = this.#frame(stream, selector, feed);
      for (const c of targets) c.ws.send(text);
    }
  }

  /** Publish everything the engine queued since the last flush. */
  flush(): void {
    const books = new Set<string>();
    const tickers = new Set<string>();
    for (const e of this.engine.drain()) this.#publish(e, books, tickers);
    for (const i of books) {
      for (const s of this.#selectors("v1.book.s", i)) this.#publicFrame("v1.book.s", s);
      this.#deltaFrames(i);
    }
    for (const i of tickers)
      for (const stream of ["v1.mini.s", "v1.ticker.s"])
        for (const s of this.#selectors(stream, i)) this.#publicFrame(stream, s);
  }

  #publish(e: EngineEvent, books: Set<string>, tickers: Set<string>): void {
    switch (e.kind) {
      case "book":
        books.add(e.instrument);
        return;
      case "ticker":
        tickers.add(e.instrument);
        return;
      case "order":
        this.#privateFrame("v1.order", e.order.subAccountId, e.order.instrument, e.snapshot);
        return;
      case "fill":
        this.#trade(e.fill);
        this.#privateFrame(
          "v1.fill",
          e.fill.order.subAccountId,
          e.fill.order.instrument,
          fillJson(this.engine, e.fill),
        );
        return;
      case "position": {
        const [p] = positionsJson(this.engine, e.subAccountId, e.instrument);
        const feed = p ?? {
          sub_account_id: e.subAccountId,
          instrument: e.instrument,
          size: "0.0",
          event_time: "0",
        };
        this.#privateFrame("v1.position", e.subAccountId, e.instrument, feed);
        return;
      }
    }
  }

  #trade(f: GrvtFillRecord): void {
    if (this.frozen.has("v1.trade")) return;
    const inst = this.engine.inst(f.order.instrument);
    if (inst === undefined) return;
    // the print's taker: the account when it took, else its counterparty (the other side)
    const takerBuys = f.isTaker === f.order.isBuy;
    const mark = String(this.engine.exchange.markOf(inst.symbol));
    // a public print: no account, order or client id in it
    const { event_time, instrument, size, price, trade_id } = fillJson(this.engine, f);
    const feed = {
      event_time,
      instrument,
      is_taker_buyer: takerBuys,
      size,
      price,
      mark_price: mark,
      index_price: mark,
      trade_id,
      venue: "ORDERBOOK",
      is_rpi: false,
    };
    for (const s of this.#selectors("v1.trade", inst.symbol)) {
      const text = this.#frame("v1.trade", s, feed);
      for (const c of this.#conns) if (c.subs.get("v1.trade")?.has(s)) c.ws.send(text);
    }
  }

  #selectors(stream: string, instrument: string): Set<string> {
    const out = new Set<string>();
    for (const c of this.#conns)
      for (const s of c.subs.get(stream) ?? []) if (s.startsWith(`${instrument}@`)) out.add(s);
    return out;
  }

  freeze(stream: string): void {
    this.frozen.add(stream);
    for (const c of this.#conns) if (c.subs.has(stream)) c.ws.terminate();
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
