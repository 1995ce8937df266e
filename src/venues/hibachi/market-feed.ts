import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import { type Unsubscribe, VenueRejectError } from "../../core/venue.ts";
import type { MarketChannel, MarketSubscription } from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import type { StreamHealth } from "../kit/stream-health.ts";
import { FUNDING_INTERVAL_HOURS } from "./capabilities.ts";
import {
  FundingDataSchema,
  MarkDataSchema,
  MarketMessageSchema,
  OrderBookSchema,
  parseAs,
  TradesDataSchema,
} from "./parse.ts";
import { HbSocket } from "./ws.ts";

/** perpbot's channels as the topics of types.py WebSocketSubscriptionTopic. */
const TOPIC: Partial<Record<MarketChannel, string>> = {
  book: "orderbook",
  trades: "trades",
  mark: "mark_price",
  funding: "funding_rate_estimation",
};
const CHANNEL: Readonly<Record<string, MarketChannel>> = {
  orderbook: "book",
  trades: "trades",
  mark_price: "mark",
  funding_rate_estimation: "funding",
};

/**
 * Hibachi's public `/ws/market` socket: counted subscriptions (subscribe / unsubscribe per
 * `{symbol, topic}`, sent again after each reconnect), the books (each `orderbook` message is a
 * full snapshot), marks and funding rates (per 8 h period on the wire, per hour here).
 */
export class MarketFeed {
  readonly #venueId: string;
  readonly #clock: Clock;
  readonly #health: StreamHealth;
  readonly #instrument: (s: string) => Instrument | undefined;
  readonly #problem: (stream: string, e: Error) => void;
  readonly #socket: HbSocket;
  readonly #books = new Map<string, L2Book>();
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  /** stream name → subscribers */
  readonly #subs = new Map<string, number>();
  readonly #listeners = new Set<(e: MarketEvent) => void>();

  constructor(opts: {
    venueId: string;
    url: string;
    clock: Clock;
    health: StreamHealth;
    instrument: (s: string) => Instrument | undefined;
    problem: (stream: string, e: Error) => void;
  }) {
    this.#venueId = opts.venueId;
    this.#clock = opts.clock;
    this.#health = opts.health;
    this.#instrument = opts.instrument;
    this.#problem = opts.problem;
    this.#socket = new HbSocket(opts.url, {
      onOpen: (send) => {
        const subs = [...this.#subs.keys()].map((s) => this.#wire(s));
        if (subs.length > 0) send({ method: "subscribe", parameters: { subscriptions: subs } });
        for (const s of this.#subs.keys()) this.#health.up(s);
      },
      onMessage: (m) => this.handle(m),
      onDown: () => {
        for (const s of this.#subs.keys()) this.#health.down(s);
      },
      onProblem: (e) => this.#problem("market", e),
    });
  }

  connect(): Promise<void> {
    return this.#socket.connect();
  }

  close(): Promise<void> {
    return this.#socket.close();
  }

  add(inst: Instrument): void {
    this.#books.set(inst.symbol, new L2Book(inst));
  }

  book(symbol: string): L2Book | undefined {
    return this.#books.get(symbol);
  }

  mark(symbol: string): number {
    return this.#marks.get(symbol) ?? Number.NaN;
  }

  funding(symbol: string): number {
    return this.#funding.get(symbol) ?? 0;
  }

  /** `ratePerPeriod`: the venue's estimated rate of one funding period */
  setMark(symbol: string, mark: number, ratePerPeriod?: string): void {
    this.#marks.set(symbol, mark);
    if (ratePerPeriod !== undefined)
      this.#funding.set(symbol, Number(ratePerPeriod) / FUNDING_INTERVAL_HOURS);
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribe(sub: MarketSubscription, name: string): Unsubscribe {
    if (TOPIC[sub.channel] === undefined)
      throw new VenueRejectError(
        "unsupported_channel",
        `venue ${this.#venueId}: no "${sub.channel}" channel (Hibachi's ask_bid_price carries no sizes)`,
      );
    const n = (this.#subs.get(name) ?? 0) + 1;
    this.#subs.set(name, n);
    this.#health.add(name, this.#socket.isOpen);
    if (n === 1)
      this.#socket.send({ method: "subscribe", parameters: { subscriptions: [this.#wire(name)] } });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#subs.get(name) ?? 1) - 1;
      if (left > 0) {
        this.#subs.set(name, left);
        return;
      }
      this.#subs.delete(name);
      this.#health.remove(name);
      this.#socket.send({ method: "unsubscribe", parameters: { subscriptions: [this.#wire(name)] } });
    };
  }

  /** "book:BTC/USDT-P" → {symbol, topic} */
  #wire(name: string): { symbol: string; topic: string } {
    const i = name.indexOf(":");
    return { symbol: name.slice(i + 1), topic: TOPIC[name.slice(0, i) as MarketChannel]! };
  }

  /** One parsed `/ws/market` message (the socket's handler; the bench feeds it directly). */
  handle(raw: Record<string, unknown>): void {
    if (raw.topic === undefined) return; // answers to (un)subscribe
    let stream = "market";
    try {
      const m = parseAs(MarketMessageSchema, raw, "ws market message");
      const channel = CHANNEL[m.topic];
      const inst = this.#instrument(m.symbol);
      if (channel === undefined || inst === undefined) return;
      stream = `${channel}:${m.symbol}`;
      if (!this.#subs.has(stream)) return;
      const now = this.#clock.now();
      this.#health.message(stream, now);
      const base = { venue: this.#venueId, symbol: m.symbol, ts: now };
      if (channel === "book") {
        const b = parseAs(OrderBookSchema, m.data, `ws orderbook ${m.symbol}`);
        const lv = (l: { price: string; quantity: string }) => ({
          price: Number(l.price),
          size: Number(l.quantity),
        });
        const e = {
          ...base,
          type: "book" as const,
          snapshot: true,
          bids: b.bid.levels.map(lv),
          asks: b.ask.levels.map(lv),
        };
        this.#books.get(m.symbol)?.apply(e);
        this.#publish(e);
      } else if (channel === "mark") {
        const d = parseAs(MarkDataSchema, m.data, `ws mark_price ${m.symbol}`);
        this.#marks.set(m.symbol, Number(d.markPrice));
        this.#publish({
          ...base,
          type: "mark",
          markPrice: Number(d.markPrice),
          oraclePrice: Number(d.markPrice),
        });
      } else if (channel === "funding") {
        const d = parseAs(FundingDataSchema, m.data, `ws funding_rate_estimation ${m.symbol}`);
        const perHour = Number(d.estimatedFundingRate) / FUNDING_INTERVAL_HOURS;
        this.#funding.set(m.symbol, perHour);
        this.#publish({ ...base, type: "funding", ratePerHour: perHour });
      } else {
        const d = parseAs(TradesDataSchema, m.data, `ws trades ${m.symbol}`);
        for (const t of d.trades)
          this.#publish({
            ...base,
            type: "trade",
            ts: t.timestamp * 1000,
            price: Number(t.price),
            size: Number(t.quantity),
            side: t.takerSide === "Buy" ? "buy" : "sell",
          });
      }
    } catch (e) {
      this.#problem(stream, e as Error);
    }
  }

  #publish(e: MarketEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
