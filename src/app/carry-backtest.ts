import type { ConfigValues } from "../config/registry.ts";
import { SimClock } from "../core/clock.ts";
import type { Instrument } from "../core/instrument.ts";
import { toUsd, usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import { SyntheticMarket } from "../data/synthetic.ts";
import { syntheticInstrument } from "../data/synthetic-instruments.ts";
import { engineSettings } from "../engine/config.ts";
import { openStore } from "../store/store.ts";
import type { CarryStrategy } from "../strategies/carry/carry.ts";
import { type CarryInstanceConfig, carryDefaults } from "../strategies/carry/config.ts";
import { deserialise } from "../strategies/carry/position.ts";
import { strategiesSection } from "../strategies/instances.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { TouchRecordingSimVenue } from "./backtest-fills.ts";
import { type CarryBacktestReport, carryTrade, type PositionFill, summariseCarry } from "./carry-report.ts";
import { startNode } from "./node.ts";

/**
 * carry on the simulated clock: the two simulated venues (simA funding hourly, simB every 4 or
 * 8 h), a seeded synthetic market whose funding wanders per venue, the real engine and store,
 * the same strategy code as paper and live. Deterministic per seed. Positions still open at the
 * end are closed (reason shutdown) so every figure is realised.
 */
export interface CarryBacktestOptions {
  readonly days: number;
  readonly seed: number;
  readonly carry: CarryInstanceConfig;
  /** stationary std of each venue's funding per hour (default 3e-4: about 24 bps per 8 h) */
  readonly fundingStdPerHour?: number;
  /** synthetic market step (default 5 s) */
  readonly stepMs?: number;
  /**
   * The simulated venues re-send every book this often, changed or not (SimVenueOptions
   * bookRefreshMs), so a market stepping more slowly than max_bbo_age_ms does not read as stale
   * data. Default: none, a book's time is its last change.
   */
  readonly bookRefreshMs?: number;
  /** false: every carry scan runs in full, none repeats the last (scan-repeat.ts; default true) */
  readonly repeatScans?: boolean;
  /** filled in at the end: carry scans repeated and run in full, and scale-up outcomes by reason */
  readonly scanStats?: {
    repeated: number;
    full: number;
    /** of the repeated, those that counted confirmations again (candidates kept at the cap) */
    repeatedConfirming?: number;
    scaleUps?: Record<string, number>;
  };
  /**
   * A wider market than the two catalog venues: `venues` simulated venues (simA, simB, simC...)
   * listing `bases` synthetic perpetuals each (BTC, ETH, SOL, DOGE, then S005, S006...), hourly
   * funding; the scale of `backtest_carry_30d_s`
   */
  readonly universe?: { readonly venues: number; readonly bases: number };
}

const NAMED_BASES = ["BTC", "ETH", "SOL", "DOGE"];

/** The venues and instruments of a backtest: the catalog pair, or a synthetic universe. */
function backtestInstruments(o: CarryBacktestOptions): [string, Instrument[]][] {
  if (o.universe === undefined) return (["simA", "simB"] as const).map((id) => [id, catalogInstruments(id)]);
  const { venues, bases } = o.universe;
  if (!(Number.isInteger(venues) && venues >= 2 && venues <= 26))
    throw new RangeError(`backtest: venues must be a whole number from 2 to 26, got ${venues}`);
  if (!(Number.isInteger(bases) && bases >= 1))
    throw new RangeError(`backtest: bases must be a whole number of at least 1, got ${bases}`);
  const names = Array.from(
    { length: bases },
    (_, i) => NAMED_BASES[i] ?? `S${String(i + 1).padStart(3, "0")}`,
  );
  const ids = Array.from({ length: venues }, (_, i) => `sim${String.fromCharCode(65 + i)}`);
  return ids.map((id, i) => [
    id,
    names.map((b) => syntheticInstrument(id, b, i % 2 === 0 ? "binance" : "hyperliquid")),
  ]);
}

export type { CarryBacktestReport, CarryPairSummary, CarryTrade } from "./carry-report.ts";
export { formatCarryReport } from "./carry-report.ts";

/** The carry settings of the named instance (or the first carry instance), else the defaults. */
export function carrySettingsFrom(values: ConfigValues, instance?: string): CarryInstanceConfig {
  const tables = strategiesSection.get(values);
  if (instance !== undefined) {
    const t = tables[instance];
    if (t === undefined || t.kind !== "carry")
      throw new Error(`no carry instance [strategies.${instance}] in the config`);
    return t;
  }
  for (const t of Object.values(tables)) if (t.kind === "carry") return t;
  return carryDefaults();
}

/** The market step of `backtest_carry_30d_s`: 5 minutes (docs/decisions.md, 2026-12-02). */
export const BENCH_CARRY_STEP_MS = 300_000;

/**
 * The runs of `backtest_carry_30d_s` (bench/carry.ts) at `days`: `perpbot backtest carry
 * --venues 3 --bases 50 --step-s 300 --book-refresh-s 5 --seed 1`, default carry settings;
 * `stepMs` another market step (the 1-minute runs of the pin test and the bench's per-day figure).
 */
export function backtest30dOptions(
  days: number,
  scanStats?: CarryBacktestOptions["scanStats"],
  stepMs = BENCH_CARRY_STEP_MS,
): CarryBacktestOptions {
  return {
    days,
    seed: 1,
    carry: carryDefaults(),
    universe: { venues: 3, bases: 50 },
    stepMs,
    bookRefreshMs: 5_000,
    ...(scanStats === undefined ? {} : { scanStats }),
  };
}

const START = Date.UTC(2026, 0, 1);
const WALLET = "carry-01";

export async function runCarryBacktest(o: CarryBacktestOptions): Promise<CarryBacktestReport> {
  if (!(o.days > 0)) throw new RangeError(`backtest: --days must be positive, got ${o.days}`);
  const clock = new SimClock(START);
  const stepMs = o.stepMs ?? 5_000;
  const venues = new Map<string, TouchRecordingSimVenue>(
    backtestInstruments(o).map(([id, instruments]) => [
      id,
      new TouchRecordingSimVenue({
        id,
        instruments,
        clock,
        seed: `${o.seed}:${id}`,
        defaultLeverage: o.carry.leverage,
        defaultMarginMode: "isolated",
        ...(o.bookRefreshMs === undefined ? {} : { bookRefreshMs: o.bookRefreshMs }),
      }),
    ]),
  );
  const fundingStd = o.fundingStdPerHour ?? 3e-4;
  const market = new SyntheticMarket({
    seed: o.seed,
    instruments: [...venues.values()].flatMap((v) => [...v.instruments()]),
    startMs: START,
    stepMs,
    fundingStdPerHour: fundingStd,
    fundingHalfLifeHours: 12,
  });
  const feed = (e: Parameters<TouchRecordingSimVenue["feed"]>[0]) => venues.get(e.venue)?.feed(e);
  for (const e of market.step()) feed(e);
  const stopMarket = market.attach(clock, feed);
  for (const v of venues.values()) v.deposit(WALLET, usd(o.carry.paper_equity_usd));
  // the same store code on an in-memory database: what a backtest measures is not persistence
  const store = await openStore("sqlite::memory:");
  const base = engineSettings();
  try {
    const node = await clock.drive(
      startNode({
        store,
        venues: venues as ReadonlyMap<string, Venue>,
        clock,
        wallets: [WALLET],
        instances: [
          {
            spec: {
              name: "carry",
              kind: "carry",
              wallets: [WALLET],
              venues: [...venues.keys()],
              seed: o.seed,
            },
            config: o.carry,
            maxExposureUsd: undefined,
          },
        ],
        engineSettings: {
          ...base,
          limits: { ...base.limits, maxBookAgeMs: Math.max(base.limits.maxBookAgeMs, 2 * stepMs) },
        },
      }),
    );
    const equity = async () => {
      let e = 0;
      for (const v of venues.values()) e += (await clock.drive(v.accountState(WALLET))).equityUsd;
      return e;
    };
    const equity0 = await equity();
    const strategy = node.instances.get("carry")!.strategy as CarryStrategy;
    strategy.scanRepeat.enabled = o.repeatScans ?? true;
    // the summed equity every simulated hour (the drawdown): read without moving the clock (the
    // venues answer in a microtask), so the run is the one it would be without the samples
    const equitySamples = [equity0];
    for (let h = 1; h <= Math.round(o.days * 24); h++) {
      await clock.runUntil(START + h * 3_600_000);
      let e = 0;
      for (const v of venues.values()) e += (await v.accountState(WALLET)).equityUsd;
      equitySamples.push(e);
    }
    const carry = strategy;
    if (o.scanStats) {
      o.scanStats.repeated = carry.scanRepeat.repeated;
      o.scanStats.full = carry.scanRepeat.full;
      o.scanStats.repeatedConfirming = carry.scanRepeat.repeatedConfirming;
      o.scanStats.scaleUps = { ...carry.scaleUps };
    }
    await clock.drive(carry.close("all", "shutdown"));
    await clock.advance(10_000);
    const state = node.instances.get("carry")!.context.state;
    const groups = await node.engine.groups({ strategy: "carry" });
    // each venue's payments by symbol, in the venue's order (a month holds 100,000 of them)
    const payments = new Map<string, Awaited<ReturnType<Venue["fundingPayments"]>>[number][]>();
    for (const [id, v] of venues)
      for (const p of await clock.drive(v.fundingPayments(WALLET))) {
        const key = `${id}:${p.symbol}`;
        const list = payments.get(key);
        if (list === undefined) payments.set(key, [p]);
        else list.push(p);
      }
    const venueFunding = (venue: string, symbol: string, from: number, to: number) =>
      (payments.get(`${venue}:${symbol}`) ?? [])
        .filter((p) => p.ts > from && p.ts <= to)
        .reduce((s, p) => s + toUsd(p.amount), 0);
    // every fill of a carry group, with the book its order was priced from, by group
    const fillsOf = new Map<string, PositionFill[]>();
    for (const f of await store.fills.ofGroupOrders()) {
      if (f.groupId === null) continue;
      const at = f.clientOrderId === null ? undefined : venues.get(f.venue)?.touches.get(f.clientOrderId);
      const row: PositionFill = {
        venue: f.venue,
        symbol: f.symbol,
        side: f.side,
        size: Number(f.size),
        price: Number(f.price),
        feeUsd: toUsd(f.fee),
        liquidity: f.liquidity,
        ts: f.ts,
        at,
      };
      const list = fillsOf.get(f.groupId);
      if (list === undefined) fillsOf.set(f.groupId, [row]);
      else list.push(row);
    }
    const trades: ReturnType<typeof carryTrade>[] = [];
    for (const g of groups) {
      // a scale-up slice is part of its position: its fees, basis and fills go to the entry's trade
      if (g.meta.scaleUpOf !== undefined) continue;
      const own = groups.filter((x) => x.id === g.id || x.meta.scaleUpOf === g.id);
      const saved = await state.get(`closed:${g.id}`);
      const to = g.closedAt ?? clock.now();
      const long = g.legs.find((l) => l.side === "buy");
      const short = g.legs.find((l) => l.side === "sell");
      trades.push(
        carryTrade({
          group: g,
          own,
          position: saved === undefined ? undefined : deserialise(saved),
          fills: own.flatMap((x) => fillsOf.get(x.id) ?? []),
          venueFundingLongUsd: long ? venueFunding(long.venue, long.symbol, g.createdAt, to) : 0,
          venueFundingShortUsd: short ? venueFunding(short.venue, short.symbol, g.createdAt, to) : 0,
          now: clock.now(),
        }),
      );
    }
    const rejections = { ...carry.rejections };
    const rejectionsByPair = { ...carry.rejectionsByPair };
    const equity1 = await equity();
    await clock.drive(node.stop());
    return summariseCarry({
      days: o.days,
      seed: o.seed,
      trades,
      rejections,
      rejectionsByPair,
      equityChangeUsd: equity1 - equity0,
      equitySamples: [...equitySamples, equity1],
      assumptions: [
        `synthetic market (seed ${o.seed}): per-venue basis and mean-reverting funding, std ${fundingStd}/h per venue, half-life 12 h`,
        o.universe === undefined
          ? "simA settles funding every hour, simB every 8 h (BTC, ETH) or 4 h (SOL, DOGE)"
          : `${o.universe.venues} venues x ${o.universe.bases} synthetic perpetuals, hourly funding`,
        `one wallet with $${o.carry.paper_equity_usd} on each venue; ${o.carry.leverage}x isolated (the sim's default setting)`,
        `books move every ${stepMs / 1000} s${o.bookRefreshMs === undefined ? "" : ` and are re-sent every ${o.bookRefreshMs / 1000} s, changed or not`}; fills against the simulated book, no queue position`,
        "positions open at the end are closed (reason shutdown)",
        "slippage and spread: each fill against the touch and mid of its own book when the engine sent the order (no venue latency: an entry's first orders go at the instant carry decided); drawdown: the venues' summed equity sampled every simulated hour",
      ],
    });
  } finally {
    stopMarket();
    for (const v of venues.values()) v.close();
    await store.close();
  }
}
