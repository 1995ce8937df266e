/**
 * The Paradex connector's market side: the instruments of /markets, marks and rates
 * (/markets/summary, then the socket), one book per market, and the public socket with counted
 * subscriptions (several subscribers of one stream share one wire channel; the last one to leave
 * unsubscribes it). Streams' health is reported through the venue's StreamHealth.
 */
import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import { type Unsubscribe, VenueRejectError } from "../../core/venue.ts";
import { type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import { CountedSubscriptions } from "../kit/counted-subscriptions.ts";
import type { StreamHealth } from "../kit/stream-health.ts";
import { instrumentOf, maintenanceFraction, perpMarkets } from "./capabilities.ts";
import { type ParadexConfig, wsUrlOf } from "./config.ts";
import { type ParadexHttp, parseAs } from "./http.ts";
import { MarketsSchema, type PdxMarketInfo, SummariesSchema } from "./parse.ts";
import { PublicFeed, wireOf } from "./public-feed.ts";
import { PdxStream } from "./stream.ts";

export class PdxMarketData {
  readonly #id: string;
  readonly #config: ParadexConfig;
  readonly #http: ParadexHttp;
  readonly #clock: Clock;
  readonly #health: StreamHealth;
  readonly #instruments = new Map<string, Instrument>();
  readonly #info = new Map<string, PdxMarketInfo>();
  readonly #books = new Map<string, L2Book>();
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  readonly #subs: CountedSubscriptions;
  readonly #listeners = new Set<(e: MarketEvent) => void>();
  readonly socket: PdxStream;

  constructor(
    config: ParadexConfig,
    deps: {
      http: ParadexHttp;
      clock: Clock;
      health: StreamHealth;
      problem: (stream: string, e: Error) => void;
    },
  ) {
    this.#id = config.id;
    this.#config = config;
    this.#http = deps.http;
    this.#clock = deps.clock;
    this.#health = deps.health;
    this.#subs = new CountedSubscriptions({
      health: deps.health,
      isOpen: () => this.socket.isOpen,
      subscribeWire: (w) => this.socket.subscribe(w),
      unsubscribeWire: (w) => this.socket.unsubscribe(w),
    });
    const feed = new PublicFeed({
      venueId: this.#id,
      instrument: (s) => this.#instruments.get(s),
      book: (s) => this.#bookOf(s),
      subscribed: (stream) => this.#subs.has(stream),
      message: (stream) => this.#health.message(stream, this.#clock.now()),
      setMark: (s, mark) => this.#marks.set(s, mark),
      setFunding: (s, perHour) => this.#funding.set(s, perHour),
      publish: (e) => {
        for (const l of this.#listeners) l(e);
      },
    });
    this.socket = new PdxStream(
      wsUrlOf(config),
      {
        onData: (channel, data) => {
          try {
            feed.onData(channel, data);
          } catch (e) {
            deps.problem(channel, e as Error);
          }
        },
        onUp: () => {
          for (const s of this.#subs.streams()) this.#health.up(s);
        },
        onDown: () => {
          for (const s of this.#subs.streams()) this.#health.down(s);
        },
        onProblem: (p) => deps.problem("public socket", new Error(p)),
      },
      { reconnectMinMs: config.reconnect_min_ms, reconnectMaxMs: config.reconnect_max_ms },
    );
  }

  /** Read the markets and their marks and rates, then open the public socket. */
  async load(): Promise<void> {
    const markets = parseAs(
      MarketsSchema,
      await this.#http.request({ method: "GET", path: "/markets" }),
      "markets",
    );
    const fees = { makerFeeBps: this.#config.maker_fee_bps, takerFeeBps: this.#config.taker_fee_bps };
    for (const m of perpMarkets(markets.results, this.#config.symbols)) {
      this.#instruments.set(m.symbol, instrumentOf(this.#id, m, fees));
      this.#info.set(m.symbol, m);
    }
    const summary = parseAs(
      SummariesSchema,
      await this.#http.request({ method: "GET", path: "/markets/summary?market=ALL" }),
      "markets summary",
    );
    for (const s of summary.results) {
      const inst = this.#instruments.get(s.symbol);
      if (inst === undefined) continue;
      if (s.mark_price) this.#marks.set(s.symbol, Number(s.mark_price));
      if (s.funding_rate)
        this.#funding.set(s.symbol, Number(s.funding_rate) / inst.spec.fundingIntervalHours);
    }
    await this.socket.connect();
  }

  known(symbol: string): Instrument | undefined {
    return this.#instruments.get(symbol);
  }

  instruments(): readonly Instrument[] {
    return [...this.#instruments.values()];
  }

  instrument(symbol: string): Instrument {
    const inst = this.#instruments.get(symbol);
    if (inst === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.#id}: unknown symbol "${symbol}" (perp markets are named like BTC-USD-PERP)`,
      );
    return inst;
  }

  mmfOf(symbol: string): number {
    const m = this.#info.get(symbol);
    return m === undefined ? 0.05 : maintenanceFraction(m);
  }

  markOf(symbol: string): number {
    return this.#marks.get(symbol) ?? Number.NaN;
  }

  ratePerHourOf(symbol: string): number {
    return this.#funding.get(symbol) ?? 0;
  }

  #bookOf(symbol: string): L2Book {
    let b = this.#books.get(symbol);
    if (b === undefined) {
      b = new L2Book(this.instrument(symbol));
      this.#books.set(symbol, b);
    }
    return b;
  }

  book(symbol: string): L2Book {
    return this.#bookOf(this.instrument(symbol).symbol);
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribe(sub: MarketSubscription): Unsubscribe {
    const inst = this.instrument(sub.symbol);
    return this.#subs.add(streamName(sub), wireOf(sub.channel, inst.symbol));
  }
}
