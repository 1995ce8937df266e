import { existsSync } from "node:fs";
import { join } from "node:path";
import { SimClock } from "../core/clock.ts";
import { Instrument, type InstrumentSpec } from "../core/instrument.ts";
import type { MarketEvent } from "../core/market.ts";
import { usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import { L2Book } from "../data/book.ts";
import { replayRecording } from "../data/replay/replay.ts";
import { SyntheticMarket } from "../data/synthetic.ts";
import { engineSettings } from "../engine/config.ts";
import { openStore } from "../store/store.ts";
import type { MakerConfig } from "../strategies/maker/config.ts";
import type { MakerStrategy } from "../strategies/maker/maker.ts";
import type { FillModel } from "../venues/sim/queue.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";
import { type MakerBacktestReport, makerReport } from "./maker-backtest-report.ts";
import { checkLinesAgainstMarket } from "./maker-run.ts";
import { startNode } from "./node.ts";
import { RECORDED_SPECS } from "./scalp-recorded.ts";

export type { MakerBacktestReport } from "./maker-backtest-report.ts";
export { formatMakerReport } from "./maker-backtest-report.ts";

/**
 * The maker on the simulated clock, on recorded Binance USD-M L2 and trades or on a seeded
 * synthetic market, through the real engine, store and MakerStrategy (startNode, the same code as
 * paper and live). The simulated venue fills its resting orders by the fill model given (the
 * queue-position model by default, src/venues/sim/queue.ts). The clock only moves with the data,
 * so the same input gives the same report.
 */
export const MAKER_BT_VENUE = "usdm";
export const MAKER_BT_WALLET = "maker-01";
export const RECORDED_MAKER_FILE = "usdm-btcusdt_20240808.gz";

/** BTCUSDT on Binance USD-M (tick 0.1, lot 0.001, min notional 100; VIP 0 fees 2 / 5 bps). */
export const MAKER_BT_SPEC: InstrumentSpec = RECORDED_SPECS.usdm.find((s) => s.symbol === "BTCUSDT")!;

export type MakerBacktestSource =
  | { readonly kind: "recorded"; readonly dataDir: string; readonly file?: string }
  | { readonly kind: "synthetic"; readonly seed: number; readonly minutes: number; readonly stepMs?: number };

export interface MakerBacktestOptions {
  /** the market events, decoded (loadMakerEvents), in time order */
  readonly events: readonly MarketEvent[];
  /** what the events are, for the report */
  readonly sourceLabel: string;
  readonly maker: MakerConfig;
  readonly fillModel: FillModel;
  /** USD deposited in the wallet (default 100,000) */
  readonly equityUsd?: number;
  /**
   * filled with the wall and CPU time of the replay loop and the number of events it replayed
   * (every event after the first second, which is fed before the node starts): benches only,
   * never part of the report
   */
  readonly timing?: { replayMs: number; replayCpuMs: number; replayEvents: number };
}

/** Every book and trade event of the source, decoded once, in time order. */
export async function loadMakerEvents(
  source: MakerBacktestSource,
): Promise<{ events: MarketEvent[]; label: string }> {
  if (source.kind === "synthetic") {
    const stepMs = source.stepMs ?? 250;
    const market = new SyntheticMarket({
      seed: source.seed,
      instruments: [new Instrument(MAKER_BT_SPEC)],
      startMs: Date.UTC(2026, 0, 1),
      stepMs,
      initialPrices: { BTC: 60_000 },
      fundingEveryMs: 3_600_000,
    });
    const events: MarketEvent[] = [];
    const steps = Math.ceil((source.minutes * 60_000) / stepMs);
    for (let i = 0; i <= steps; i++) for (const e of market.step()) if (e.type !== "funding") events.push(e);
    return {
      events: packLevels(events),
      label: `synthetic BTCUSDT, seed ${source.seed}, ${source.minutes} min at ${stepMs} ms steps`,
    };
  }
  const file = source.file ?? RECORDED_MAKER_FILE;
  const path = join(source.dataDir, file);
  if (!existsSync(path))
    throw new Error(`backtest maker: the recording ${file} is not in ${source.dataDir} (../shared/data)`);
  const events: MarketEvent[] = [];
  await replayRecording(
    { path, format: "binance", venue: MAKER_BT_VENUE, symbols: { BTCUSDT: "BTCUSDT" } },
    (batch) => {
      for (const e of batch) if (e.type === "book" || e.type === "trade" || e.type === "bbo") events.push(e);
    },
  );
  if (events.length === 0) throw new Error(`backtest maker: ${path} holds no BTCUSDT book or trade events`);
  return { events: packLevels(events), label: `recorded Binance USD-M BTCUSDT L2 and trades, ${file}` };
}

/**
 * Part of decoding: the book levels converted to BTCUSDT ticks once (L2Book.pack), so a replay
 * (run once per backtest, several times per bench) does not convert each price again. The
 * venue's book applies the same levels in the same order; a price off the grid throws here.
 */
function packLevels(events: MarketEvent[]): MarketEvent[] {
  return new L2Book(new Instrument(MAKER_BT_SPEC)).pack(events);
}

/** The backtest's own venue: BTCUSDT only, the chosen fill model, in memory. */
export function makerBacktestVenue(clock: SimClock, fillModel: FillModel): SimVenue {
  return new SimVenue({
    id: MAKER_BT_VENUE,
    instruments: [MAKER_BT_SPEC],
    clock,
    seed: "maker-backtest",
    fillModel,
    defaultLeverage: 10,
  });
}

/**
 * Feed events[from..] in time order. The clock's timers due before an event fire first (with
 * their promise callbacks settled); an event that caused account events (a fill) is settled at
 * once, so the strategy hears it at the fill's time. Other events are fed without a promise
 * turn: nothing can react to them before the next timer or fill.
 */
export async function replayInto(
  clock: SimClock,
  venue: SimVenue,
  events: readonly MarketEvent[],
  from = 0,
): Promise<void> {
  for (let i = from; i < events.length; i++) {
    const e = events[i];
    const next = clock.nextAt();
    if (next !== undefined && next <= e.ts) await clock.runUntil(e.ts);
    else clock.runUntilSync(e.ts);
    const out = venue.marketEventsOut;
    venue.feed(e);
    if (venue.marketEventsOut !== out) await clock.runUntil(e.ts);
  }
}

export async function runMakerBacktest(o: MakerBacktestOptions): Promise<MakerBacktestReport> {
  const events = o.events;
  if (events.length === 0) throw new Error("backtest maker: no market events");
  const start = events[0].ts;
  const end = events[events.length - 1].ts;
  const clock = new SimClock(start);
  const venue = makerBacktestVenue(clock, o.fillModel);
  // the first second (the recording's snapshot) before the node, so the maker starts on a book
  let i = 0;
  for (; i < events.length && events[i].ts <= start + 1000; i++) venue.feed(events[i]);
  await clock.runUntil(events[i - 1].ts);
  const book = venue.book(MAKER_BT_SPEC.symbol);
  const [bid, ask] = [book.bestBidTicks(), book.bestAskTicks()];
  if (bid === undefined || ask === undefined) {
    venue.close();
    throw new Error("backtest maker: the first second of the data leaves no two-sided book");
  }
  const inst0 = venue.instrument(MAKER_BT_SPEC.symbol);
  try {
    // a stop or pause line already reached at the start names its flag, as `perpbot maker` does
    checkLinesAgainstMarket(o.maker, inst0.priceValue(bid), inst0.priceValue(ask));
  } catch (e) {
    venue.close();
    throw e;
  }
  venue.deposit(MAKER_BT_WALLET, usd(o.equityUsd ?? 100_000));
  // the real store, in memory: a backtest keeps nothing after its report
  const store = await openStore("sqlite::memory:");
  const base = engineSettings();
  try {
    const node = await clock.drive(
      startNode({
        store,
        venues: new Map<string, Venue>([[MAKER_BT_VENUE, venue]]),
        clock,
        wallets: [MAKER_BT_WALLET],
        instances: [
          {
            spec: {
              name: "maker",
              kind: "maker",
              wallets: [MAKER_BT_WALLET],
              venues: [MAKER_BT_VENUE],
              seed: 1,
            },
            config: o.maker,
            maxExposureUsd: undefined,
          },
        ],
        engineSettings: { ...base, orphanFlatten: false, limits: { ...base.limits, maxBookAgeMs: 10_000 } },
      }),
    );
    const equity0 = (await clock.drive(venue.accountState(MAKER_BT_WALLET))).equityUsd;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await replayInto(clock, venue, events, i);
    if (o.timing !== undefined) {
      o.timing.replayMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      o.timing.replayCpuMs = (cpu.user + cpu.system) / 1000;
      o.timing.replayEvents = events.length - i;
    }
    await clock.advance(1000);
    const maker = node.instances.get("maker")!.strategy as MakerStrategy;
    const [lane] = maker.reports();
    const acct = await clock.drive(venue.accountState(MAKER_BT_WALLET));
    const fills = await clock.drive(venue.fills(MAKER_BT_WALLET, 0));
    const positions = await clock.drive(venue.positions(MAKER_BT_WALLET));
    const inst = venue.instrument(MAKER_BT_SPEC.symbol);
    await clock.drive(node.stop());
    return makerReport({
      source: o.sourceLabel,
      startTs: start,
      endTs: end,
      events: events.length,
      fillModel: o.fillModel,
      maker: o.maker,
      lane,
      fills,
      inst,
      endPositionLots: positions.find((p) => p.symbol === inst.symbol)?.sizeLots ?? 0,
      equityChangeUsd: acct.equityUsd - equity0,
      queue: venue.queueStats(),
    });
  } finally {
    venue.close();
    await store.close();
  }
}
