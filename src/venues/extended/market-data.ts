import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView, MarketEvent } from "../../core/market.ts";
import { type Unsubscribe, VenueRejectError } from "../../core/venue.ts";
import { type MarketSubscription, streamName } from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import type { StreamHealth } from "../kit/stream-health.ts";
import { VenueListeners } from "../kit/venue-accounts.ts";
import { BookStream } from "./book-stream.ts";
import { type FeeDefaults, instrumentOf } from "./capabilities.ts";
import { streamPathOf } from "./orders.ts";
import {
  type ExMarket,
  FundingFrameSchema,
  MarkFrameSchema,
  parseAs,
  parseJson,
  TradesFrameSchema,
} from "./parse.ts";
import { ExtendedStream } from "./ws.ts";

interface Wire {
  readonly stream: ExtendedStream;
  subs: number;
  readonly book?: BookStream;
}

/**
 * Extended's market data: the markets (instruments with their settlement ids), and one socket
 * per subscribed stream path, counted by subscribers. Books, marks and funding rates are kept
 * for reads; events reach `onMarket` listeners only for subscribed (symbol, channel) pairs.
 */
export class ExtendedMarketData {
  readonly #venueId: string;
  readonly #clock: Clock;
  readonly #health: StreamHealth;
  readonly #wsBase: string;
  readonly #problem: (stream: string, e: unknown) => void;
  readonly #instruments = new Map<string, Instrument>();
  readonly #markets = new Map<string, ExMarket>();
  readonly #marks = new Map<string, number>();
  readonly #funding = new Map<string, number>();
  readonly #books = new Map<string, L2Book>();
  readonly #subs = new Map<string, number>();
  readonly #wires = new Map<string, Wire>();
  readonly #listeners = new VenueListeners<MarketEvent>();
  #closed = false;

  constructor(o: {
    venueId: string;
    clock: Clock;
    health: StreamHealth;
    wsBase: string;
    problem: (stream: string, e: unknown) => void;
  }) {
    this.#venueId = o.venueId;
    this.#clock = o.clock;
    this.#health = o.health;
    this.#wsBase = o.wsBase;
    this.#problem = o.problem;
  }

  load(markets: readonly ExMarket[], fees: FeeDefaults): void {
    for (const m of markets) {
      this.#instruments.set(m.name, instrumentOf(this.#venueId, m, fees));
      this.#markets.set(m.name, m);
      this.#marks.set(m.name, Number(m.marketStats.markPrice));
      this.#funding.set(m.name, Number(m.marketStats.fundingRate));
    }
    this.#closed = false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#wires.values()].map((w) => w.stream.close()));
  }

  known(symbol: string): Instrument | undefined {
    return this.#instruments.get(symbol);
  }

  market(symbol: string): ExMarket {
    const m = this.#markets.get(this.instrument(symbol).symbol);
    if (m === undefined)
      throw new VenueRejectError("unknown_symbol", `venue ${this.#venueId}: no market ${symbol}`);
    return m;
  }

  instruments(): readonly Instrument[] {
    return [...this.#instruments.values()];
  }

  instrument(symbol: string): Instrument {
    const inst = this.#instruments.get(symbol);
    if (inst === undefined)
      throw new VenueRejectError(
        "unknown_symbol",
        `venue ${this.#venueId}: unknown market "${symbol}" (markets are named like BTC-USD)`,
      );
    return inst;
  }

  #bookOf(inst: Instrument): L2Book {
    let b = this.#books.get(inst.symbol);
    if (b === undefined) {
      b = new L2Book(inst);
      this.#books.set(inst.symbol, b);
    }
    return b;
  }

  book(symbol: string): BookView {
    return this.#bookOf(this.instrument(symbol));
  }

  markPrice(symbol: string): number {
    return this.#marks.get(this.instrument(symbol).symbol) ?? Number.NaN;
  }

  fundingRatePerHour(symbol: string): number {
    return this.#funding.get(this.instrument(symbol).symbol) ?? 0;
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.#listeners.on(listener);
  }

  subscribe(sub: MarketSubscription): Unsubscribe {
    const inst = this.instrument(sub.symbol);
    const name = streamName(sub);
    const path = streamPathOf(sub);
    this.#subs.set(name, (this.#subs.get(name) ?? 0) + 1);
    let wire = this.#wires.get(path);
    if (wire === undefined) {
      const book =
        sub.channel === "book" ? new BookStream(this.#bookOf(inst), inst, this.#venueId) : undefined;
      const w: Wire = {
        subs: 0,
        book,
        stream: new ExtendedStream(`${this.#wsBase}/${path}`, {
          onFrame: (text) => this.#frame(sub, inst, w, text),
          onUp: () => this.#health.up(name),
          onDown: () => {
            book?.reset();
            this.#health.down(name);
          },
        }),
      };
      wire = w;
      this.#wires.set(path, w);
      w.stream.connect().catch(() => undefined);
    }
    wire.subs++;
    this.#health.add(name, wire.stream.isOpen);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#subs.get(name) ?? 1) - 1;
      if (left === 0) {
        this.#subs.delete(name);
        this.#health.remove(name);
      } else this.#subs.set(name, left);
      const w = this.#wires.get(path);
      if (w !== undefined && --w.subs === 0) {
        this.#wires.delete(path);
        void w.stream.close();
      }
    };
  }

  #frame(sub: MarketSubscription, inst: Instrument, w: Wire, text: string): void {
    const name = streamName(sub);
    const symbol = inst.symbol;
    const venue = this.#venueId;
    try {
      const now = this.#clock.now();
      if (w.book !== undefined) {
        const update = w.book.onText(text);
        if (update === "gap") {
          // a lost delta: a new connection starts again from a snapshot
          this.#health.down(name);
          void w.stream.close().then(() => {
            if (this.#wires.get(streamPathOf(sub)) === w && !this.#closed)
              w.stream.connect().catch(() => undefined);
          });
          return;
        }
        this.#health.message(name, now);
        this.#publish(name, update);
      } else if (sub.channel === "trades") {
        const f = parseAs(TradesFrameSchema, parseJson(text), `publicTrades/${symbol}`);
        this.#health.message(name, now);
        for (const t of f.data)
          this.#publish(name, {
            type: "trade",
            venue,
            symbol,
            ts: t.T,
            price: Number(t.p),
            size: Number(t.q),
            side: t.S === "BUY" ? "buy" : "sell",
          });
      } else if (sub.channel === "mark") {
        const f = parseAs(MarkFrameSchema, parseJson(text), `prices/mark/${symbol}`);
        const p = Number(f.data.p);
        this.#marks.set(symbol, p);
        this.#health.message(name, now);
        this.#publish(name, { type: "mark", venue, symbol, ts: f.ts, markPrice: p, oraclePrice: p });
      } else if (sub.channel === "funding") {
        const f = parseAs(FundingFrameSchema, parseJson(text), `funding/${symbol}`);
        // Extended's rate is the hour's (funding settles hourly)
        this.#funding.set(symbol, Number(f.data.f));
        this.#health.message(name, now);
        this.#publish(name, { type: "funding", venue, symbol, ts: f.ts, ratePerHour: Number(f.data.f) });
      }
    } catch (e) {
      this.#problem(name, e);
    }
  }

  #publish(name: string, e: MarketEvent): void {
    if (this.#subs.has(name)) this.#listeners.emitOne(e);
  }
}
