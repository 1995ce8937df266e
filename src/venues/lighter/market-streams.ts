import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView, MarketEvent } from "../../core/market.ts";
import { VenueRejectError } from "../../core/venue.ts";
import { type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import type { StreamHealth } from "../kit/stream-health.ts";
import { BookSync } from "./book-sync.ts";
import { instrumentOf } from "./capabilities.ts";
import {
  hourlyFromEightHour,
  hourlyFromPercent,
  type LtMarket,
  MarketStatsSchema,
  parseAs,
  TradeMessageSchema,
} from "./parse.ts";
import type { LighterSocket } from "./ws.ts";

/**
 * The Lighter connector's markets and market channels: instruments from orderBookDetails, counted
 * subscriptions (`book` → `order_book/<id>`, `trades` → `trade/<id>`, `mark` and `funding` →
 * `market_stats/<id>`), the local books (book-sync.ts), marks and hourly funding rates.
 */
export class LighterMarkets {
  readonly venueId: string;
  readonly #clock: Clock;
  readonly #health: StreamHealth;
  readonly #socket: () => LighterSocket;
  readonly #instruments = new Map<string, Instrument>();
  readonly #byMarket = new Map<number, Instrument>();
  readonly #marketIds = new Map<string, number>();
  readonly #fractions = new Map<number, { imf: number; mmf: number }>();
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  readonly #books = new Map<string, BookSync>();
  readonly #subs = new Map<string, number>();
  readonly #wires = new Map<string, number>();
  readonly #listeners = new Set<(e: MarketEvent) => void>();

  constructor(venueId: string, clock: Clock, health: StreamHealth, socket: () => LighterSocket) {
    this.venueId = venueId;
    this.#clock = clock;
    this.#health = health;
    this.#socket = socket;
  }

  /** The active markets (only `symbols` when given), and funding-rates' 8 h fractions per hour. */
  load(
    markets: readonly LtMarket[],
    symbols: readonly string[],
    rates: readonly { market_id: number; exchange: string; rate: number }[],
  ): void {
    const want = new Set(symbols);
    for (const m of markets) {
      if (m.status !== "active" || (want.size > 0 && !want.has(m.symbol))) continue;
      const inst = instrumentOf(this.venueId, m);
      this.#instruments.set(m.symbol, inst);
      this.#byMarket.set(m.market_id, inst);
      this.#marketIds.set(m.symbol, m.market_id);
      this.#fractions.set(m.market_id, {
        imf: m.default_initial_margin_fraction,
        mmf: m.maintenance_margin_fraction,
      });
    }
    for (const r of rates) {
      const inst = this.#byMarket.get(r.market_id);
      if (inst !== undefined && r.exchange === "lighter")
        this.#funding.set(inst.symbol, hourlyFromEightHour(r.rate));
    }
  }

  instruments(): readonly Instrument[] {
    return [...this.#instruments.values()];
  }

  instrument(symbol: string): Instrument {
    const inst = this.#instruments.get(symbol);
    if (inst === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.venueId}: unknown symbol "${symbol}" (markets are named by their base: ${[...this.#instruments.keys()].slice(0, 8).join(", ")})`,
      );
    return inst;
  }

  byMarket(id: number): Instrument | undefined {
    return this.#byMarket.get(id);
  }

  marketIdOf(symbol: string): number {
    return this.#marketIds.get(this.instrument(symbol).symbol)!;
  }

  fractions(id: number): { imf: number; mmf: number } {
    return this.#fractions.get(id) ?? { imf: 500, mmf: 120 };
  }

  book(symbol: string): BookView {
    return this.#bookOf(this.instrument(symbol)).book;
  }

  markPrice(symbol: string): number {
    return this.#marks.get(this.instrument(symbol).symbol) ?? Number.NaN;
  }

  fundingRatePerHour(symbol: string): number {
    return this.#funding.get(this.instrument(symbol).symbol) ?? 0;
  }

  onMarket(listener: (e: MarketEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribe(sub: MarketSubscription): () => void {
    const inst = this.instrument(sub.symbol);
    if (sub.channel === "bbo")
      throw new VenueRejectError(
        "unsupported_channel",
        `venue ${this.venueId}: no "bbo" channel for ${inst.symbol} (subscribe its book)`,
      );
    const id = this.#marketIds.get(inst.symbol)!;
    const name = streamName(sub);
    const wire =
      sub.channel === "book"
        ? `order_book/${id}`
        : sub.channel === "trades"
          ? `trade/${id}`
          : `market_stats/${id}`;
    this.#subs.set(name, (this.#subs.get(name) ?? 0) + 1);
    this.#health.add(name, this.#socket().isOpen);
    const n = (this.#wires.get(wire) ?? 0) + 1;
    this.#wires.set(wire, n);
    if (n === 1) this.#socket().subscribe(wire);
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
        this.#socket().unsubscribe(wire);
        if (sub.channel === "book") this.#books.get(inst.symbol)?.reset();
      } else this.#wires.set(wire, w);
    };
  }

  /** The socket came up: streams ready again; every book waits for its new snapshot. */
  up(): void {
    for (const s of this.#subs.keys()) this.#health.up(s);
    for (const b of this.#books.values()) b.reset();
  }

  down(): void {
    for (const s of this.#subs.keys()) this.#health.down(s);
  }

  #bookOf(inst: Instrument): BookSync {
    let b = this.#books.get(inst.symbol);
    if (b === undefined) {
      const wire = `order_book/${this.#marketIds.get(inst.symbol)}`;
      b = new BookSync(
        inst,
        this.venueId,
        (u) => {
          if (this.#subs.has(`book:${inst.symbol}`)) this.#publish(u);
        },
        () => this.#socket().resubscribe(wire),
      );
      this.#books.set(inst.symbol, b);
    }
    return b;
  }

  /** One market channel message (`kind:id` channel); false when it is not a market channel's. */
  route(kind: string, id: string, type: string, m: Record<string, unknown>, channel: string): boolean {
    const now = this.#clock.now();
    if (kind === "order_book") {
      if (type !== "subscribed/order_book" && type !== "update/order_book") return true;
      const inst = this.#byMarket.get(Number(id));
      if (inst === undefined) return true;
      this.#health.message(`book:${inst.symbol}`, now);
      this.#bookOf(inst).onMessage(m, now);
      return true;
    }
    if (kind === "market_stats") {
      if (m.market_stats === undefined) return true;
      const s = parseAs(MarketStatsSchema, m.market_stats, `${channel} message`);
      const inst = this.#byMarket.get(s.market_id);
      if (inst === undefined) return true;
      const mark = Number(s.mark_price);
      const perHour = hourlyFromPercent(s.current_funding_rate);
      this.#marks.set(inst.symbol, mark);
      this.#funding.set(inst.symbol, perHour);
      for (const ch of ["mark", "funding"] as const) this.#health.message(`${ch}:${inst.symbol}`, now);
      if (this.#subs.has(`mark:${inst.symbol}`))
        this.#publish({
          type: "mark",
          venue: this.venueId,
          symbol: inst.symbol,
          ts: now,
          markPrice: mark,
          oraclePrice: Number(s.index_price),
        });
      if (this.#subs.has(`funding:${inst.symbol}`))
        this.#publish({
          type: "funding",
          venue: this.venueId,
          symbol: inst.symbol,
          ts: now,
          ratePerHour: perHour,
        });
      return true;
    }
    if (kind === "trade") {
      if (type !== "update/trade") return true;
      const inst = this.#byMarket.get(Number(id));
      if (inst === undefined) return true;
      this.#health.message(`trades:${inst.symbol}`, now);
      // is_maker_ask: the resting side sold, so the aggressor bought
      for (const t of parseAs(TradeMessageSchema, m, `${channel} message`).trades)
        this.#publish({
          type: "trade",
          venue: this.venueId,
          symbol: inst.symbol,
          ts: t.timestamp,
          price: Number(t.price),
          size: Number(t.size),
          side: t.is_maker_ask ? "buy" : "sell",
        });
      return true;
    }
    return false;
  }

  #publish(e: MarketEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
