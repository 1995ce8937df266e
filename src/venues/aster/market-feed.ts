import type { Clock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import { VenueRejectError } from "../../core/venue.ts";
import { type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import type { StreamHealth } from "../kit/stream-health.ts";
import { instrumentOf, perpSymbols } from "./capabilities.ts";
import type { AsterConfig } from "./config.ts";
import { DepthSync } from "./depth-sync.ts";
import type { AsterHttp } from "./http.ts";
import { markEvents, streamKind, tradeEvent, wireStream } from "./market.ts";
import {
  ExchangeInfoSchema,
  FrameSchema,
  FundingInfoSchema,
  PremiumIndexListSchema,
  parseAs,
} from "./parse.ts";
import { AsterSocket } from "./ws.ts";

/**
 * The connector's market side: the instruments (exchangeInfo, each symbol's funding interval
 * from fundingInfo), marks and funding rates (premiumIndex, then `<s>@markPrice@1s`), books
 * (DepthSync per symbol) and trades, over one combined-stream socket. Subscriptions are counted
 * per stream name and per wire stream; `guard` reports a message that does not parse.
 */
export class MarketFeed {
  readonly id: string;
  readonly instruments = new Map<string, Instrument>();
  readonly #config: AsterConfig;
  readonly #clock: Clock;
  readonly #http: AsterHttp;
  readonly #health: StreamHealth;
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  readonly #books = new Map<string, DepthSync>();
  readonly #subs = new Map<string, number>();
  readonly #wires = new Map<string, number>();
  readonly #listeners = new Set<(e: MarketEvent) => void>();
  readonly #socket: AsterSocket;

  constructor(
    config: AsterConfig,
    clock: Clock,
    http: AsterHttp,
    health: StreamHealth,
    guard: (key: string, fn: () => void) => void,
  ) {
    this.id = config.id;
    this.#config = config;
    this.#clock = clock;
    this.#http = http;
    this.#health = health;
    const base = config.ws_url.replace(/\/+$/, "");
    this.#socket = new AsterSocket(async () => `${base}/stream`, {
      onMessage: (json) => guard(`market:${String(json.stream)}`, () => this.#frame(json)),
      onUp: () => this.#up(),
      onDown: () => {
        for (const s of this.#subs.keys()) this.#health.down(s);
      },
    });
  }

  /** Read the instruments and marks, then open the socket. */
  async connect(): Promise<void> {
    const get = (endpoint: string) => this.#http.request({ method: "GET", endpoint });
    const info = parseAs(ExchangeInfoSchema, await get("exchangeInfo"), "exchangeInfo");
    const intervals = new Map(
      parseAs(FundingInfoSchema, await get("fundingInfo"), "fundingInfo").map((f) => [
        f.symbol,
        f.fundingIntervalHours,
      ]),
    );
    const fees = { makerFeeBps: this.#config.maker_fee_bps, takerFeeBps: this.#config.taker_fee_bps };
    for (const s of perpSymbols(info.symbols, this.#config.symbols))
      this.instruments.set(s.symbol, instrumentOf(this.id, s, intervals.get(s.symbol) ?? 8, fees));
    for (const m of parseAs(PremiumIndexListSchema, await get("premiumIndex"), "premiumIndex")) {
      const inst = this.instruments.get(m.symbol);
      if (inst === undefined) continue;
      this.#marks.set(m.symbol, Number(m.markPrice));
      // the venue's rate is per funding interval; the contract's is per hour
      this.#funding.set(m.symbol, Number(m.lastFundingRate) / inst.spec.fundingIntervalHours);
    }
    await this.#socket.connect();
  }

  close(): Promise<void> {
    return this.#socket.close();
  }

  instrument(symbol: string): Instrument {
    const inst = this.instruments.get(symbol);
    if (inst === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.id}: unknown symbol "${symbol}" (perpetuals are named like BTCUSDT; known: ${[...this.instruments.keys()].slice(0, 8).join(", ")})`,
      );
    return inst;
  }

  mark(symbol: string): number {
    return this.#marks.get(symbol) ?? Number.NaN;
  }

  ratePerHour(symbol: string): number {
    return this.#funding.get(symbol) ?? 0;
  }

  onMarket(listener: (e: MarketEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribe(sub: MarketSubscription): () => void {
    const inst = this.instrument(sub.symbol);
    if (sub.channel === "bbo")
      throw new InvalidValueError(
        `venue ${this.id}: no "bbo" channel for ${sub.symbol} (subscribe its book)`,
      );
    const name = streamName(sub);
    const wire = wireStream(inst.symbol, sub.channel);
    this.#subs.set(name, (this.#subs.get(name) ?? 0) + 1);
    this.#health.add(name, this.#socket.isOpen);
    const n = (this.#wires.get(wire) ?? 0) + 1;
    this.#wires.set(wire, n);
    if (n === 1) {
      this.#socket.subscribe(wire);
      if (sub.channel === "book")
        this.bookOf(inst)
          .resync()
          .catch(() => undefined);
    }
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

  bookOf(inst: Instrument): DepthSync {
    let b = this.#books.get(inst.symbol);
    if (b === undefined) {
      b = new DepthSync(
        inst,
        this.id,
        () =>
          this.#http.request({
            method: "GET",
            endpoint: "depth",
            params: [
              ["symbol", inst.symbol],
              ["limit", 1000],
            ],
          }),
        (u) => {
          if (this.#subs.has(`book:${inst.symbol}`)) this.#publish(u);
        },
      );
      this.#books.set(inst.symbol, b);
    }
    return b;
  }

  #up(): void {
    for (const s of this.#subs.keys()) this.#health.up(s);
    // updates missed while down cannot be replayed: every book starts again from a snapshot
    for (const [symbol, b] of this.#books)
      if (this.#subs.has(`book:${symbol}`)) b.resync().catch(() => undefined);
  }

  #frame(json: Record<string, unknown>): void {
    const f = FrameSchema.safeParse(json);
    if (!f.success) return; // subscription answers {"result":null,"id":n}
    const { symbol, kind } = streamKind(f.data.stream);
    const inst = this.instruments.get(symbol);
    if (inst === undefined) return;
    const now = this.#clock.now();
    if (kind === "depth") {
      this.#health.message(`book:${symbol}`, now);
      this.bookOf(inst).onDepth(f.data.data);
    } else if (kind === "trade") {
      this.#health.message(`trades:${symbol}`, now);
      if (this.#subs.has(`trades:${symbol}`)) this.#publish(tradeEvent(this.id, symbol, f.data.data));
    } else if (kind === "markPrice") {
      const { mark, funding } = markEvents(this.id, symbol, f.data.data, inst.spec.fundingIntervalHours);
      this.#marks.set(symbol, mark.markPrice);
      this.#funding.set(symbol, funding.ratePerHour);
      for (const ch of ["mark", "funding"] as const) this.#health.message(`${ch}:${symbol}`, now);
      if (this.#subs.has(`mark:${symbol}`)) this.#publish(mark);
      if (this.#subs.has(`funding:${symbol}`)) this.#publish(funding);
    }
  }

  #publish(e: MarketEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
