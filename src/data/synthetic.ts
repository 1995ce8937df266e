import type { Clock, TimerHandle } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { Instrument } from "../core/instrument.ts";
import type { BookLevel, MarketEvent } from "../core/market.ts";
import { Rng } from "../core/random.ts";
import { SyntheticSide } from "./synthetic-book.ts";

/**
 * A seeded synthetic market: several venues quoting the same underlyings. Model (docs/market-data.md):
 * - index price per base: geometric Brownian motion, annualised volatility `volatility[base]`;
 * - venue mid = index x (1 + basis), basis an Ornstein-Uhlenbeck process per (venue, base);
 * - funding per hour = OU around a small positive mean + basis / 8 (a premium term), clamped to 4 %/h;
 * - books: touch spread 1-3 ticks, levels every ~`levelSpacingBps` behind it, sizes growing outward;
 * - trades at the touch, aggressor biased by the last mid move; mark = venue mid, oracle = index.
 */
export interface SyntheticMarketOptions {
  readonly seed: number | string;
  readonly instruments: readonly Instrument[];
  readonly startMs: number;
  /** model step (default 1000 ms) */
  readonly stepMs?: number;
  /** start price by base; defaults BTC 100000, ETH 3500, SOL 180, DOGE 0.2, others 10 */
  readonly initialPrices?: Readonly<Record<string, number>>;
  /** annualised volatility by base; defaults BTC 0.55, ETH 0.7, SOL 0.9, DOGE 1.0, others 0.8 */
  readonly volatility?: Readonly<Record<string, number>>;
  /** stationary standard deviation of each venue's basis, in bps (default 3) */
  readonly basisStdBps?: number;
  /** half-life of the basis (default 10 minutes) */
  readonly basisHalfLifeMinutes?: number;
  /** long-run mean of the funding rate per hour (default 1.25e-5, i.e. 0.01 % per 8 h) */
  readonly fundingMeanPerHour?: number;
  /** stationary standard deviation of the OU part of funding per hour (default 2.5e-5) */
  readonly fundingStdPerHour?: number;
  /** half-life of funding (default 8 hours) */
  readonly fundingHalfLifeHours?: number;
  /** levels per book side (default 20) */
  readonly bookLevels?: number;
  /** spacing of levels behind the touch in bps of the start price (default 1) */
  readonly levelSpacingBps?: number;
  /** mean USD at the touch by base; defaults BTC 250k, ETH 150k, SOL 50k, DOGE 30k, others 10k */
  readonly touchDepthUsd?: Readonly<Record<string, number>>;
  /** a full snapshot every N steps per book, diffs between (default 300) */
  readonly snapshotEverySteps?: number;
  /** probability of a trade print per book per step (default 0.3) */
  readonly tradeProbability?: number;
  /** mark/oracle prints every (default 3000 ms) */
  readonly markEveryMs?: number;
  /** funding prints every (default 60000 ms) */
  readonly fundingEveryMs?: number;
}

const DEFAULT_PRICE: Record<string, number> = { BTC: 100_000, ETH: 3_500, SOL: 180, DOGE: 0.2 };
const DEFAULT_VOL: Record<string, number> = { BTC: 0.55, ETH: 0.7, SOL: 0.9, DOGE: 1.0 };
const DEFAULT_TOUCH_USD: Record<string, number> = { BTC: 250_000, ETH: 150_000, SOL: 50_000, DOGE: 30_000 };
const MS_PER_YEAR = 365.25 * 24 * 3600 * 1000;
const MS_PER_HOUR = 3600 * 1000;
/** Hyperliquid's funding cap (DOMAIN.md section 2) */
const FUNDING_CAP_PER_HOUR = 0.04;

interface Underlying {
  readonly base: string;
  readonly rng: Rng;
  /** volatility per sqrt(ms) */
  readonly sigma: number;
  logPrice: number;
  price: number;
}

interface SyntheticBook {
  readonly instrument: Instrument;
  readonly underlying: Underlying;
  readonly rng: Rng;
  readonly bids: SyntheticSide;
  readonly asks: SyntheticSide;
  /** its own stream, so how often funding is printed does not change the rest of the book's path */
  readonly fundingRng: Rng;
  basis: number;
  fundingOu: number;
  /** time the OU part of funding was last advanced to */
  fundingAt: number;
  spreadTicks: number;
  mid: number;
  lastMid: number;
}

/** Current model state of one book, for tests and dashboards. */
export interface SyntheticBookState {
  readonly indexPrice: number;
  readonly mid: number;
  readonly basis: number;
  readonly fundingRatePerHour: number;
  readonly bestBidTicks: number | undefined;
  readonly bestAskTicks: number | undefined;
}

export class SyntheticMarket {
  readonly stepMs: number;
  private readonly books: SyntheticBook[] = [];
  private readonly byKey = new Map<string, SyntheticBook>();
  private readonly underlyings = new Map<string, Underlying>();
  private readonly o: ResolvedOptions;
  private nextAt: number;
  private steps = 0;
  private nextMarkAt: number;
  private nextFundingAt: number;

  constructor(options: SyntheticMarketOptions) {
    this.o = {
      seed: options.seed,
      instruments: options.instruments,
      startMs: options.startMs,
      stepMs: options.stepMs ?? 1000,
      basisStdBps: options.basisStdBps ?? 3,
      basisHalfLifeMinutes: options.basisHalfLifeMinutes ?? 10,
      fundingMeanPerHour: options.fundingMeanPerHour ?? 1.25e-5,
      fundingStdPerHour: options.fundingStdPerHour ?? 2.5e-5,
      fundingHalfLifeHours: options.fundingHalfLifeHours ?? 8,
      bookLevels: options.bookLevels ?? 20,
      levelSpacingBps: options.levelSpacingBps ?? 1,
      snapshotEverySteps: options.snapshotEverySteps ?? 300,
      tradeProbability: options.tradeProbability ?? 0.3,
      markEveryMs: options.markEveryMs ?? 3000,
      fundingEveryMs: options.fundingEveryMs ?? 60_000,
    };
    validate(this.o, options);
    this.stepMs = this.o.stepMs;
    this.nextAt = this.o.startMs;
    this.nextMarkAt = this.o.startMs;
    this.nextFundingAt = this.o.startMs;
    const seed = String(options.seed);
    for (const instrument of options.instruments) {
      if (this.byKey.has(instrument.key))
        throw new InvalidValueError(`SyntheticMarket: instrument ${instrument.key} given twice`);
      const base = instrument.spec.base;
      let u = this.underlyings.get(base);
      if (u === undefined) {
        const price = options.initialPrices?.[base] ?? DEFAULT_PRICE[base] ?? 10;
        const vol = options.volatility?.[base] ?? DEFAULT_VOL[base] ?? 0.8;
        if (!(price > 0))
          throw new InvalidValueError(`SyntheticMarket: initialPrices.${base} = ${price} must be > 0`);
        if (!(vol >= 0))
          throw new InvalidValueError(`SyntheticMarket: volatility.${base} = ${vol} must be >= 0`);
        // Each stream has its own generator keyed by name, so adding an instrument leaves the others unchanged.
        u = {
          base,
          rng: new Rng(`${seed}/index/${base}`),
          sigma: vol / Math.sqrt(MS_PER_YEAR),
          logPrice: Math.log(price),
          price,
        };
        this.underlyings.set(base, u);
      }
      const tick = instrument.tick.value;
      const touchUsd = options.touchDepthUsd?.[base] ?? DEFAULT_TOUCH_USD[base] ?? 10_000;
      const shape = {
        levels: this.o.bookLevels,
        levelStepTicks: Math.max(1, Math.round((u.price * this.o.levelSpacingBps * 1e-4) / tick)),
        touchSize: touchUsd / u.price,
        growthPerLevel: 0.3,
      };
      const rng = new Rng(`${seed}/book/${instrument.key}`);
      const book: SyntheticBook = {
        instrument,
        underlying: u,
        rng,
        bids: new SyntheticSide(instrument, true, shape),
        asks: new SyntheticSide(instrument, false, shape),
        basis: this.basisStd() * rng.normal(),
        fundingRng: new Rng(`${seed}/funding/${instrument.key}`),
        fundingOu: this.o.fundingMeanPerHour + this.o.fundingStdPerHour * rng.normal(),
        fundingAt: this.o.startMs,
        spreadTicks: 1 + rng.int(0, 2),
        mid: u.price,
        lastMid: u.price,
      };
      this.books.push(book);
      this.byKey.set(instrument.key, book);
    }
  }

  /** time of the next step's events */
  get nextStepAt(): number {
    return this.nextAt;
  }

  /** Advance one step (none for the first call) and return the events stamped at that time. */
  step(): MarketEvent[] {
    const ts = this.nextAt;
    const dt = this.steps === 0 ? 0 : this.o.stepMs;
    if (dt > 0) {
      for (const u of this.underlyings.values()) {
        const s = u.sigma * Math.sqrt(dt);
        u.logPrice += s * u.rng.normal() - 0.5 * s * s;
        u.price = Math.exp(u.logPrice);
      }
    }
    const emitMark = ts >= this.nextMarkAt;
    const emitFunding = ts >= this.nextFundingAt;
    if (emitMark)
      this.nextMarkAt += Math.ceil((ts + 1 - this.nextMarkAt) / this.o.markEveryMs) * this.o.markEveryMs;
    if (emitFunding)
      this.nextFundingAt +=
        Math.ceil((ts + 1 - this.nextFundingAt) / this.o.fundingEveryMs) * this.o.fundingEveryMs;
    const snapshot = this.steps % this.o.snapshotEverySteps === 0;
    const events: MarketEvent[] = [];
    for (const book of this.books) this.stepBook(book, ts, dt, snapshot, emitMark, emitFunding, events);
    this.steps++;
    this.nextAt += this.o.stepMs;
    return events;
  }

  /**
   * Run steps on an injected clock, each at its own time, handing every event to `sink`.
   * Returns a function that stops the schedule.
   */
  attach(clock: Clock, sink: (event: MarketEvent) => void): () => void {
    let handle: TimerHandle | undefined;
    let stopped = false;
    const run = () => {
      handle = undefined;
      // catch up if the clock jumped past several steps (a wall clock after a pause)
      while (!stopped && this.nextAt <= clock.now()) for (const e of this.step()) sink(e);
      if (!stopped) handle = clock.at(this.nextAt, run);
    };
    handle = clock.at(this.nextAt, run);
    return () => {
      stopped = true;
      if (handle !== undefined) clock.cancel(handle);
    };
  }

  indexPrice(base: string): number {
    const u = this.underlyings.get(base);
    if (u === undefined) throw new InvalidValueError(`SyntheticMarket: no instrument with base ${base}`);
    return u.price;
  }

  state(instrumentKey: string): SyntheticBookState {
    const b = this.byKey.get(instrumentKey);
    if (b === undefined) throw new InvalidValueError(`SyntheticMarket: unknown instrument ${instrumentKey}`);
    return {
      indexPrice: b.underlying.price,
      mid: b.mid,
      basis: b.basis,
      fundingRatePerHour: this.fundingRate(b),
      bestBidTicks: b.bids.best(),
      bestAskTicks: b.asks.best(),
    };
  }

  private basisStd(): number {
    return this.o.basisStdBps * 1e-4;
  }

  /**
   * The OU part of funding moves slowly, so it is advanced only when printed, by the exact
   * discretisation over the elapsed time: same law, one normal draw per print instead of per step.
   */
  private advanceFunding(b: SyntheticBook, ts: number): void {
    const dt = ts - b.fundingAt;
    if (dt <= 0) return;
    const kf = Math.exp((-Math.LN2 * dt) / (this.o.fundingHalfLifeHours * MS_PER_HOUR));
    const mean = this.o.fundingMeanPerHour;
    b.fundingOu =
      mean +
      (b.fundingOu - mean) * kf +
      this.o.fundingStdPerHour * Math.sqrt(1 - kf * kf) * b.fundingRng.normal();
    b.fundingAt = ts;
  }

  private fundingRate(b: SyntheticBook): number {
    const r = b.fundingOu + b.basis / 8;
    return Math.max(-FUNDING_CAP_PER_HOUR, Math.min(FUNDING_CAP_PER_HOUR, r));
  }

  private stepBook(
    b: SyntheticBook,
    ts: number,
    dt: number,
    snapshot: boolean,
    emitMark: boolean,
    emitFunding: boolean,
    events: MarketEvent[],
  ): void {
    const rng = b.rng;
    const { venue, symbol } = b.instrument.spec;
    if (dt > 0) {
      // Exact OU discretisation: x' = x e^{-k dt} + sd sqrt(1 - e^{-2 k dt}) N
      const kb = Math.exp((-Math.LN2 * dt) / (this.o.basisHalfLifeMinutes * 60_000));
      b.basis = b.basis * kb + this.basisStd() * Math.sqrt(1 - kb * kb) * rng.normal();
      if (rng.chance(0.05)) b.spreadTicks = 1 + rng.int(0, 2);
    }
    b.lastMid = b.mid;
    b.mid = b.underlying.price * (1 + b.basis);
    const midTicks = b.mid / b.instrument.tick.value;
    const bestBid = Math.max(1, Math.floor(midTicks - b.spreadTicks / 2));
    const bestAsk = bestBid + b.spreadTicks;
    const bidChanges: BookLevel[] = [];
    const askChanges: BookLevel[] = [];
    if (bestBid !== b.bids.best()) b.bids.relay(bestBid, rng, bidChanges);
    if (bestAsk !== b.asks.best()) b.asks.relay(bestAsk, rng, askChanges);
    // queue churn: the touch refills often, one deeper level now and then
    if (rng.chance(0.5)) b.bids.churn(0, rng, bidChanges);
    if (rng.chance(0.5)) b.asks.churn(0, rng, askChanges);
    if (rng.chance(0.3)) {
      const k = rng.int(1, this.o.bookLevels - 1);
      if (rng.chance(0.5)) b.bids.churn(k, rng, bidChanges);
      else b.asks.churn(k, rng, askChanges);
    }
    if (snapshot) {
      events.push({
        type: "book",
        venue,
        symbol,
        ts,
        snapshot: true,
        bids: b.bids.levels(),
        asks: b.asks.levels(),
      });
    } else if (bidChanges.length > 0 || askChanges.length > 0) {
      events.push({ type: "book", venue, symbol, ts, snapshot: false, bids: bidChanges, asks: askChanges });
    }
    if (rng.chance(this.o.tradeProbability)) {
      const up = b.mid - b.lastMid;
      const buy = rng.chance(up > 0 ? 0.8 : up < 0 ? 0.2 : 0.5);
      const size = b.bids.drawSize(rng, 0) * rng.uniform(0.02, 0.5);
      const lots = Math.max(1, Math.round(size / b.instrument.lot.value));
      const ticks = buy ? bestAsk : bestBid;
      events.push({
        type: "trade",
        venue,
        symbol,
        ts,
        price: b.instrument.priceValue(ticks),
        size: b.instrument.sizeValue(lots),
        side: buy ? "buy" : "sell",
      });
    }
    if (emitMark)
      events.push({ type: "mark", venue, symbol, ts, markPrice: b.mid, oraclePrice: b.underlying.price });
    if (emitFunding) {
      this.advanceFunding(b, ts);
      events.push({ type: "funding", venue, symbol, ts, ratePerHour: this.fundingRate(b) });
    }
  }
}

type ResolvedOptions = Required<
  Omit<SyntheticMarketOptions, "initialPrices" | "volatility" | "touchDepthUsd">
>;

/** Report every bad option at once, each with its name. */
function validate(o: ResolvedOptions, raw: SyntheticMarketOptions): void {
  const errors: string[] = [];
  const positive = (name: keyof ResolvedOptions, v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) errors.push(`${name} = ${v} must be a positive number`);
  };
  positive("stepMs", o.stepMs);
  positive("basisHalfLifeMinutes", o.basisHalfLifeMinutes);
  positive("fundingHalfLifeHours", o.fundingHalfLifeHours);
  positive("levelSpacingBps", o.levelSpacingBps);
  positive("markEveryMs", o.markEveryMs);
  positive("fundingEveryMs", o.fundingEveryMs);
  if (!(o.basisStdBps >= 0)) errors.push(`basisStdBps = ${o.basisStdBps} must be >= 0`);
  if (!(o.fundingStdPerHour >= 0)) errors.push(`fundingStdPerHour = ${o.fundingStdPerHour} must be >= 0`);
  if (!Number.isFinite(o.fundingMeanPerHour))
    errors.push(`fundingMeanPerHour = ${o.fundingMeanPerHour} must be finite`);
  if (!Number.isInteger(o.bookLevels) || o.bookLevels < 2)
    errors.push(`bookLevels = ${o.bookLevels} must be an integer >= 2`);
  if (!Number.isInteger(o.snapshotEverySteps) || o.snapshotEverySteps < 1)
    errors.push(`snapshotEverySteps = ${o.snapshotEverySteps} must be an integer >= 1`);
  if (!(o.tradeProbability >= 0 && o.tradeProbability <= 1))
    errors.push(`tradeProbability = ${o.tradeProbability} must be in [0, 1]`);
  if (!Number.isFinite(o.startMs)) errors.push(`startMs = ${o.startMs} must be a finite time in ms`);
  if (raw.instruments.length === 0) errors.push("instruments must not be empty");
  if (errors.length > 0) throw new InvalidValueError(`SyntheticMarket options: ${errors.join("; ")}`);
}
