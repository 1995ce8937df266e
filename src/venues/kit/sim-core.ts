/**
 * The simulated exchange core an emulator stands on, and the market side of its driver.
 *
 * `buildSimCore` makes the instruments' books and the `SimExchange` (matching, margin, funding,
 * liquidation) the way every emulator does; `seedMarkets` gives each market its first mark and
 * funding rate; `startFundingClock` settles funding at each instrument's boundaries;
 * `simMarketDriver` is the driver's setBook / moveMark / settleFunding over an engine.
 */
import type { Clock } from "../../core/clock.ts";
import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { L2Book } from "../../data/book.ts";
import { SimExchange } from "../sim/exchange.ts";
import { settleFunding } from "../sim/funding.ts";
import { FundingClock } from "../sim/funding-clock.ts";
import { checkLiquidations } from "../sim/liquidation.ts";
import { SimState } from "../sim/state.ts";

export interface SimCore {
  readonly instruments: Map<string, Instrument>;
  readonly books: Map<string, L2Book>;
  readonly exchange: SimExchange;
}

/**
 * Books and exchange core for `instruments` (keyed by symbol). `defaultLeverage` is the venue's
 * leverage for an account that never set one (cross margin). Change tracking is off: an
 * emulator keeps no journal.
 */
export function buildSimCore(
  venueId: string,
  instruments: readonly Instrument[],
  defaultLeverage: (inst: Instrument) => number,
): SimCore {
  const byName = new Map<string, Instrument>();
  const books = new Map<string, L2Book>();
  for (const inst of instruments) {
    byName.set(inst.symbol, inst);
    books.set(inst.symbol, new L2Book(inst));
  }
  const exchange = new SimExchange(
    {
      venueId,
      instruments: byName,
      books,
      defaultSetting: (inst) => ({ leverage: defaultLeverage(inst), mode: "cross" }),
      liquidationFeeBps: 0,
      findStoredOrder: () => undefined,
    },
    new SimState(),
  );
  exchange.state.trackChanges = false;
  return { instruments: byName, books, exchange };
}

export interface MarketSeed {
  readonly symbol: string;
  readonly markPx: number;
  readonly ratePerHour: number;
}

/** Each market's first mark (oracle = mark) and funding rate, fed through the engine's `market`. */
export function seedMarkets(
  venueId: string,
  now: number,
  seeds: readonly MarketSeed[],
  feed: (e: MarketEvent) => void,
): void {
  for (const s of seeds) {
    feed({
      type: "mark",
      venue: venueId,
      symbol: s.symbol,
      ts: now,
      markPrice: s.markPx,
      oraclePrice: s.markPx,
    });
    feed({ type: "funding", venue: venueId, symbol: s.symbol, ts: now, ratePerHour: s.ratePerHour });
  }
}

/** What the market driver needs of an emulator's engine. */
export interface SimEngine {
  readonly exchange: SimExchange;
  readonly instruments: ReadonlyMap<string, Instrument>;
  /** feed a market event to the core and queue what it changed */
  market(e: MarketEvent): void;
  /** take the core's account events (fills, funding, liquidations) into the venue's records */
  absorb(events: readonly VenueEvent[]): void;
}

/** An instrument's terms as an emulated market gives them (venue, symbol and tiers come from the engine). */
export type PerpTerms = Omit<InstrumentSpec, "venue" | "symbol" | "marginTiers">;

/** What a market needs to be seeded: its name and first mark. */
export interface SeededMarket {
  readonly symbol: string;
  readonly markPx: number;
}

/**
 * The base of an emulator's engine over the venue's market list `M`: the core
 * (`buildSimCore`) as `instruments`, `books` and `exchange`. The venue's engine keeps its own
 * records and implements `market` and `absorb`; its constructor calls `seed` once its own
 * fields exist (after `super`).
 */
export abstract class SimCoreEngine<M extends SeededMarket> implements SimEngine {
  readonly venueId: string;
  readonly clock: Clock;
  readonly markets: readonly M[];
  readonly instruments: Map<string, Instrument>;
  readonly books: Map<string, L2Book>;
  readonly exchange: SimExchange;

  /**
   * `terms` gives a market's instrument terms (the instrument is `venueId`'s, named by the
   * market's symbol, one margin tier); `defaultLeverage` as in buildSimCore.
   */
  constructor(
    venueId: string,
    clock: Clock,
    markets: readonly M[],
    terms: (m: M) => PerpTerms,
    defaultLeverage: (inst: Instrument) => number,
  ) {
    const instruments = markets.map(
      (m) => new Instrument({ venue: venueId, symbol: m.symbol, marginTiers: [], ...terms(m) }),
    );
    const core = buildSimCore(venueId, instruments, defaultLeverage);
    this.venueId = venueId;
    this.clock = clock;
    this.markets = markets;
    this.instruments = core.instruments;
    this.books = core.books;
    this.exchange = core.exchange;
  }

  abstract market(e: MarketEvent): void;
  abstract absorb(events: readonly VenueEvent[]): void;

  /** Each market's first mark (its `markPx`) and funding rate, at the clock's now. */
  protected seed(ratePerHour: (m: M) => number): void {
    const seeds = this.markets.map((m) => ({
      symbol: m.symbol,
      markPx: m.markPx,
      ratePerHour: ratePerHour(m),
    }));
    seedMarkets(this.venueId, this.clock.now(), seeds, (e) => this.market(e));
  }
}

/** Funding settled on `clock` at every instrument's interval, or undefined when not `enabled`. */
export function startFundingClock(
  enabled: boolean,
  clock: Clock,
  engine: SimEngine,
  flush: () => void,
): FundingClock | undefined {
  if (!enabled) return undefined;
  const funding = new FundingClock(clock, engine.exchange, (events) => {
    engine.absorb(events);
    flush();
  });
  for (const inst of engine.instruments.values()) funding.start(inst);
  return funding;
}

export interface BookSpec {
  readonly symbol: string;
  readonly bidPx: number;
  readonly askPx: number;
  /** size of every level */
  readonly qty: number;
  /** levels a side (default 5) */
  readonly levels?: number;
  /** price step between levels (default one tick) */
  readonly stepPx?: number;
}

export interface SimMarketDriver {
  /** Replace a market's book: `levels` levels of `qty`, `stepPx` apart, outward from bidPx / askPx. */
  setBook(b: BookSpec): void;
  moveMark(m: { symbol: string; markPx: number }): void;
  /** Set the funding rate in force (per hour) and settle one interval now. */
  settleFunding(f: { symbol: string; ratePerHour: number }): void;
}

/**
 * setBook / moveMark / settleFunding over `engine`; `lookup` turns the venue's market name into
 * the core's instrument (throwing the venue's own error for an unknown one); `flush` publishes
 * what each call changed at once.
 */
export function simMarketDriver(o: {
  readonly venueId: string;
  readonly engine: SimEngine;
  readonly now: () => number;
  readonly lookup: (symbol: string) => Instrument;
  readonly flush: () => void;
}): SimMarketDriver {
  const { venueId, engine, now } = o;
  const changed = (fn: () => void) => {
    fn();
    o.flush();
  };
  return {
    setBook(b) {
      const inst = o.lookup(b.symbol);
      const n = b.levels ?? 5;
      const d = b.stepPx ?? inst.priceValue(1);
      const lv = (from: number, dir: number) =>
        Array.from({ length: n }, (_, i) => ({ price: from + dir * i * d, size: b.qty }));
      changed(() =>
        engine.market({
          type: "book",
          venue: venueId,
          symbol: inst.symbol,
          ts: now(),
          snapshot: true,
          bids: lv(b.bidPx, -1),
          asks: lv(b.askPx, 1),
        }),
      );
    },
    moveMark(m) {
      const inst = o.lookup(m.symbol);
      changed(() =>
        engine.market({
          type: "mark",
          venue: venueId,
          symbol: inst.symbol,
          ts: now(),
          markPrice: m.markPx,
          oraclePrice: m.markPx,
        }),
      );
    },
    settleFunding(f) {
      const inst = o.lookup(f.symbol);
      const ex = engine.exchange;
      changed(() => {
        engine.market({
          type: "funding",
          venue: venueId,
          symbol: inst.symbol,
          ts: now() - 1,
          ratePerHour: f.ratePerHour,
        });
        const mark = ex.markOf(inst.symbol);
        const events = settleFunding(ex.state, inst, now(), mark > 0 ? mark : undefined);
        events.push(...checkLiquidations(ex, inst.symbol, now()));
        engine.absorb(events);
      });
    },
  };
}

/**
 * A lookup of the venue's markets by name that throws `<venue> emulator: unknown <what> "X" (A,
 * B, C)` for a name it does not list.
 */
export function marketLookup<T>(
  venue: string,
  what: string,
  names: readonly string[],
  find: (name: string) => T | undefined,
): (name: string) => T {
  return (name) => {
    const found = find(name);
    if (found === undefined)
      throw new RangeError(`${venue} emulator: unknown ${what} "${name}" (${names.join(", ")})`);
    return found;
  };
}
