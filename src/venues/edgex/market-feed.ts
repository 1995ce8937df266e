import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView, MarketEvent } from "../../core/market.ts";
import { type Unsubscribe, VenueRejectError } from "../../core/venue.ts";
import { type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import type { StreamHealth } from "../kit/stream-health.ts";
import { EdgexBook } from "./book.ts";
import type { EdgexMarket } from "./capabilities.ts";
import type { EdgexHttp } from "./http.ts";
import { DepthListSchema, parseAs, QuoteEventSchema, TickerSchema, TradeSchema } from "./parse.ts";
import { EdgexSocket } from "./ws.ts";

/**
 * EdgeX market data for the connector: the contracts (by contract name and id), one public
 * socket with counted subscriptions (`depth.<id>.15` for book, `trades.<id>`, `ticker.<id>` for
 * mark and funding), each contract's book (book.ts), marks and funding rates, and the health of
 * each subscribed stream.
 */
export class EdgexMarketFeed {
  readonly #id: string;
  readonly #clock: Clock;
  readonly #http: EdgexHttp;
  readonly #health: StreamHealth;
  readonly #bySymbol = new Map<string, EdgexMarket>();
  readonly byContract = new Map<string, EdgexMarket>();
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  readonly #books = new Map<string, EdgexBook>();
  readonly #subs = new Map<string, number>();
  readonly #wires = new Map<string, number>();
  readonly #market = new Set<(e: MarketEvent) => void>();
  readonly #socket: EdgexSocket;

  constructor(
    o: { id: string; clock: Clock; http: EdgexHttp; health: StreamHealth; url: string },
    onProblem: (what: string, e: Error) => void,
  ) {
    this.#id = o.id;
    this.#clock = o.clock;
    this.#http = o.http;
    this.#health = o.health;
    this.#socket = new EdgexSocket(o.url, {
      onMessage: (m) => this.#message(m),
      onUp: () => this.#up(),
      onDown: () => {
        for (const s of this.#subs.keys()) this.#health.down(s);
      },
      onProblem,
    });
  }

  setMarkets(markets: readonly EdgexMarket[]): void {
    for (const m of markets) {
      this.#bySymbol.set(m.instrument.symbol, m);
      this.byContract.set(m.contract.contractId, m);
    }
  }

  connect(): Promise<void> {
    return this.#socket.connect();
  }

  close(): Promise<void> {
    return this.#socket.close();
  }

  get id(): string {
    return this.#id;
  }

  #wireOf(sub: MarketSubscription, m: EdgexMarket): string {
    const id = m.contract.contractId;
    if (sub.channel === "book" || sub.channel === "bbo") return `depth.${id}.15`;
    if (sub.channel === "trades") return `trades.${id}`;
    return `ticker.${id}`;
  }

  subscribe(sub: MarketSubscription): Unsubscribe {
    const m = this.marketOf(sub.symbol);
    const name = streamName(sub);
    const wire = this.#wireOf(sub, m);
    this.#subs.set(name, (this.#subs.get(name) ?? 0) + 1);
    this.#health.add(name, this.#socket.isOpen);
    const n = (this.#wires.get(wire) ?? 0) + 1;
    this.#wires.set(wire, n);
    if (n === 1) this.#socket.subscribe(wire);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#subs.get(name) ?? 1) - 1;
      if (left === 0) {
        this.#subs.delete(name);
        this.#health.remove(name);
      } else this.#subs.set(name, left);
      const w = (this.#wires.get(wire) ?? 1) - 1;
      if (w === 0) {
        this.#wires.delete(wire);
        this.#socket.unsubscribe(wire);
      } else this.#wires.set(wire, w);
    };
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    this.#market.add(listener);
    return () => this.#market.delete(listener);
  }

  instruments(): readonly Instrument[] {
    return [...this.#bySymbol.values()].map((m) => m.instrument);
  }

  instrument(symbol: string): Instrument {
    return this.marketOf(symbol).instrument;
  }

  marketOf(symbol: string): EdgexMarket {
    const m = this.#bySymbol.get(symbol);
    if (m === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.#id}: unknown symbol "${symbol}" (contracts are named like BTCUSD)`,
      );
    return m;
  }

  book(symbol: string): BookView {
    return this.#bookOf(this.marketOf(symbol)).book;
  }

  markPrice(symbol: string): number {
    return this.#marks.get(this.marketOf(symbol).instrument.symbol) ?? Number.NaN;
  }

  fundingRatePerHour(symbol: string): number {
    return this.#funding.get(this.marketOf(symbol).instrument.symbol) ?? 0;
  }

  #bookOf(m: EdgexMarket): EdgexBook {
    const symbol = m.instrument.symbol;
    let b = this.#books.get(symbol);
    if (b === undefined) {
      b = new EdgexBook(
        m.instrument,
        this.#id,
        () =>
          this.#http.request({
            method: "GET",
            path: "/api/v2/public/quote/getDepth",
            query: { contractId: m.contract.contractId, level: "15" },
          }),
        (u) => {
          if (this.#subs.has(`book:${symbol}`) || this.#subs.has(`bbo:${symbol}`)) this.#publish(u);
        },
      );
      this.#books.set(symbol, b);
    }
    return b;
  }

  ticker(t: ReturnType<typeof TickerSchema.parse>): MarketEvent[] {
    const m = this.byContract.get(t.contractId);
    if (m === undefined) return [];
    const symbol = m.instrument.symbol;
    const mark = Number(t.oraclePrice);
    this.#marks.set(symbol, mark);
    const out: MarketEvent[] = [
      {
        type: "mark",
        venue: this.#id,
        symbol,
        ts: this.#clock.now(),
        markPrice: mark,
        oraclePrice: Number(t.indexPrice ?? t.oraclePrice),
      },
    ];
    if (t.fundingRate !== undefined) {
      const perHour = Number(t.fundingRate) / m.instrument.spec.fundingIntervalHours;
      this.#funding.set(symbol, perHour);
      out.push({ type: "funding", venue: this.#id, symbol, ts: this.#clock.now(), ratePerHour: perHour });
    }
    return out;
  }

  #up(): void {
    for (const s of this.#subs.keys()) this.#health.up(s);
    for (const b of this.#books.values()) b.reset();
  }

  #message(raw: Record<string, unknown>): void {
    if (raw.type !== "quote-event") return;
    const ev = parseAs(QuoteEventSchema, raw, "quote-event");
    const [kind, id] = ev.channel.split(".");
    const m = this.byContract.get(id ?? "");
    if (m === undefined) return;
    const symbol = m.instrument.symbol;
    const now = this.#clock.now();
    if (kind === "depth") {
      this.#health.message(`book:${symbol}`, now);
      if (this.#subs.has(`bbo:${symbol}`)) this.#health.message(`bbo:${symbol}`, now);
      const book = this.#bookOf(m);
      for (const d of parseAs(DepthListSchema, ev.content.data, ev.channel))
        book.onMessage(d, ev.content.dataType === "Snapshot");
    } else if (kind === "ticker") {
      for (const ch of ["mark", "funding"] as const)
        if (this.#subs.has(`${ch}:${symbol}`)) this.#health.message(`${ch}:${symbol}`, now);
      for (const [i, t] of ev.content.data.entries())
        for (const e of this.ticker(parseAs(TickerSchema, t, `${ev.channel}[${i}]`)))
          if (this.#subs.has(`${e.type}:${symbol}`)) this.#publish(e);
    } else if (kind === "trades") {
      this.#health.message(`trades:${symbol}`, now);
      for (const [i, raw] of ev.content.data.entries()) {
        const t = parseAs(TradeSchema, raw, `${ev.channel}[${i}]`);
        this.#publish({
          type: "trade",
          venue: this.#id,
          symbol,
          ts: t.time,
          price: Number(t.price),
          size: Number(t.size),
          side: t.isBuyerMaker ? "sell" : "buy",
        });
      }
    }
  }

  #publish(e: MarketEvent): void {
    for (const l of this.#market) l(e);
  }
}
