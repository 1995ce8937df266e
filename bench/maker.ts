/**
 * The maker's figures.
 * - `maker_decision_us`: one book diff that moves the touch away from the resting open, applied to
 *   a real L2Book, then the lane's re-price step (STRATEGIES.md 3.2 rule 5: cancel, re-price) up to
 *   the new open's place intent. The lane is the real MakerLane; its context is a stub (no engine,
 *   no venue): the cancel answers ok at once and the place intent records the time.
 * - `maker_replay_events_per_s`: the whole maker backtest (engine, store, MakerStrategy, the
 *   simulated venue with the queue-position fill model), with the settings `perpbot backtest
 *   maker` has by default (re-price every 5 s, 20 ms placement and cancel latency), on the
 *   recorded Binance USD-M BTCUSDT feed of ../shared/data (usdm-btcusdt_20240808.gz), or on the
 *   synthetic feed when it is absent (the figure then says little: that feed fills on most
 *   events). The events counted are the recorded market-data events the timed loop replays
 *   through the venue (its book, queue model, fills, marks, liquidation check) with the engine
 *   and the strategy listening: every book diff, BBO update and trade of the recording after its
 *   first second (which is fed before the node starts and not counted): 93,646 of 93,956 (65,843
 *   BBO, 6,531 book diffs with 442,398 levels, 21,272 trades). Whatever the strategy and the
 *   engine do in between (timers, order placement, fills, journal and state writes to the
 *   in-memory SQLite store) is inside the timed loop. Decoding is not: gunzip, JSON and the
 *   conversion of book levels to ticks (L2Book.pack, kept in typed arrays) happen once before
 *   the clock starts. One warm-up run, then the median of three. Timed in CPU time of the
 *   process (user + system of every thread: V8 compiles and collects garbage on helper threads,
 *   and their time counts), since the VM is shared and wall time there measures the neighbours.
 * - `maker_queue_venue_events_per_s`: the same events into the simulated venue alone (queue model,
 *   book, ledger, liquidation checks; no engine, no strategy), with 20 post-only orders resting
 *   2-11 ticks behind each side of the touch at the start: what the fill model costs by itself
 *   (the same events counted: those after the first second).
 *
 * Run alone: `node bench/run.ts --only maker`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  loadMakerEvents,
  MAKER_BT_SPEC,
  makerBacktestVenue,
  RECORDED_MAKER_FILE,
  runMakerBacktest,
} from "../src/app/maker-backtest.ts";
import { makerBacktestPlan } from "../src/app/maker-backtest-flags.ts";
import { SimClock } from "../src/core/clock.ts";
import type { BookUpdate, MarketEvent } from "../src/core/market.ts";
import { usd } from "../src/core/money.ts";
import { L2Book } from "../src/data/book.ts";
import type { OpenOrderView, StrategyContext } from "../src/strategies/contract.ts";
import { makerConfig } from "../src/strategies/maker/config.ts";
import { MakerLane } from "../src/strategies/maker/lane.ts";
import { catalogInstruments } from "../src/venues/sim/catalog.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const N = 20_000;
const WARMUP = 2_000;

async function decision(): Promise<number[]> {
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const inst = catalogInstruments("simA").find((i) => i.symbol === "ETH")!;
  const book = new L2Book(inst);
  const px = (t: number) => inst.priceValue(t);
  let bid = inst.price(3500);
  book.apply({
    type: "book",
    venue: "simA",
    symbol: "ETH",
    ts: clock.now(),
    snapshot: true,
    bids: Array.from({ length: 20 }, (_, k) => ({ price: px(bid - k), size: 5 })),
    asks: Array.from({ length: 20 }, (_, k) => ({ price: px(bid + 2 + k), size: 5 })),
  });
  let open: OpenOrderView | undefined;
  let intentAt = 0n;
  let intents = 0;
  const ctx = {
    instance: "maker",
    clock,
    logger: { log() {} },
    alerts: { raise() {} },
    state: { get: async () => undefined, put: async () => {} },
    market: {
      bbo: () => ({ bidTicks: book.bestBidTicks(), askTicks: book.bestAskTicks(), ts: clock.now() }),
    },
    portfolio: {
      position: () => undefined,
      openOrders: () => (open === undefined ? [] : [open]),
    },
    intents: {
      cancelOrder: async (id: string) => {
        open = undefined;
        return { ok: true, clientOrderId: id, status: "canceled" };
      },
      placeOrder: async (o: { intentId: string; side: "buy"; priceTicks: number; sizeLots: number }) => {
        intentAt = process.hrtime.bigint();
        intents++;
        open = {
          venue: "simA",
          account: "w",
          symbol: "ETH",
          clientOrderId: o.intentId,
          side: o.side,
          priceTicks: o.priceTicks,
          sizeLots: o.sizeLots,
          workingLots: o.sizeLots,
          tif: "post_only",
          reduceOnly: false,
          groupId: null,
        };
        return { ok: true, clientOrderId: o.intentId, status: "open" };
      },
    },
  } as unknown as StrategyContext;
  const config = makerConfig({ venue: "simA", markets: ["ETH"], quantity: 0.1, wait_time_s: 0 });
  const lane = new MakerLane({
    ctx,
    config,
    venue: "simA",
    account: "w",
    inst,
    alert() {},
    log() {},
  });
  await lane.tick(); // the first open
  const out: number[] = [];
  for (let i = 0; i < N + WARMUP; i++) {
    clock.runUntilSync(clock.now() + 5);
    // the touch moves up one tick: the open one tick under the old ask is now behind
    bid++;
    const e: BookUpdate = {
      type: "book",
      venue: "simA",
      symbol: "ETH",
      ts: clock.now(),
      snapshot: false,
      bids: [{ price: px(bid), size: 5 }],
      asks: [
        { price: px(bid + 1), size: 0 },
        { price: px(bid + 2), size: 5 },
      ],
    };
    const before = intents;
    const t0 = process.hrtime.bigint();
    book.apply(e);
    await lane.tick();
    if (intents !== before + 1) throw new Error(`bench maker: update ${i} sent no place intent`);
    if (i >= WARMUP) out.push(Number(intentAt - t0) / 1000);
  }
  return out.sort((a, b) => a - b);
}

/** The venue and its queue model alone, CPU events/s of a run after one warm-up. */
async function venueOnly(events: readonly MarketEvent[]): Promise<number> {
  let rate = 0;
  for (let run = 0; run < 2; run++) {
    const clock = new SimClock(events[0].ts);
    const venue = makerBacktestVenue(clock, { kind: "queue", placeLatencyMs: 0, cancelLatencyMs: 0 });
    venue.deposit("bench", usd(1_000_000));
    let i = 0;
    for (; i < events.length && events[i].ts <= events[0].ts + 1000; i++) venue.feed(events[i]);
    const book = venue.book(MAKER_BT_SPEC.symbol);
    const bid = book.bestBidTicks()!;
    const ask = book.bestAskTicks()!;
    for (let k = 2; k < 12; k++) {
      for (const [side, px] of [
        ["buy", bid - k],
        ["sell", ask + k],
      ] as const) {
        const placed = venue.submit({
          clientOrderId: `b${side}${k}`,
          account: "bench",
          symbol: MAKER_BT_SPEC.symbol,
          side,
          type: "limit",
          priceTicks: px,
          sizeLots: 2,
          tif: "post_only",
          reduceOnly: false,
        });
        await clock.drive(placed);
      }
    }
    const from = i;
    const cpu0 = process.cpuUsage();
    for (; i < events.length; i++) {
      clock.runUntilSync(events[i].ts);
      venue.feed(events[i]);
    }
    const cpu = process.cpuUsage(cpu0);
    rate = (events.length - from) / ((cpu.user + cpu.system) / 1e6);
    venue.close();
  }
  return rate;
}

async function replay(): Promise<{ eps: number; venueEps: number; events: number; source: string }> {
  let replayed = 0;
  const repo = join(fileURLToPath(import.meta.url), "..", "..");
  const dataDir = process.env.PERPBOT_SHARED_DATA ?? join(repo, "..", "shared", "data");
  const recorded = existsSync(join(dataDir, RECORDED_MAKER_FILE));
  const { events, label } = await loadMakerEvents(
    recorded ? { kind: "recorded", dataDir } : { kind: "synthetic", seed: 1, minutes: 60 },
  );
  // the settings `perpbot backtest maker` runs with by default (re-price every 5 s, 20 ms latencies)
  const plan = makerBacktestPlan({}, dataDir);
  const rates: number[] = [];
  for (let run = 0; run < 4; run++) {
    const timing = { replayMs: 0, replayCpuMs: 0, replayEvents: 0 };
    await runMakerBacktest({
      events,
      sourceLabel: label,
      maker: plan.maker,
      fillModel: plan.fillModel,
      timing,
    });
    if (run > 0) rates.push(timing.replayEvents / (timing.replayCpuMs / 1000));
    replayed = timing.replayEvents;
  }
  rates.sort((a, b) => a - b);
  const venueEps = await venueOnly(events);
  return { eps: rates[1], venueEps, events: replayed, source: recorded ? "recorded" : "synthetic" };
}

const suite: BenchSuite = async () => {
  const d = await decision();
  const r = await replay();
  process.stderr.write(`bench maker: replay of ${r.events} ${r.source} events (timed)\n`);
  const us = (key: string, value: number, extra: Partial<BenchFigure> = {}): BenchFigure => ({
    key,
    value: Math.round(value * 100) / 100,
    unit: "us",
    ...extra,
  });
  return [
    us("maker_decision_p50_us", percentile(d, 50)),
    us("maker_decision_p99_us", percentile(d, 99)),
    {
      key: "maker_replay_events_per_s",
      value: Math.round(r.eps),
      unit: "events/s",
      target: ">= 1M/s",
      ok: r.eps >= 1e6,
    },
    { key: "maker_queue_venue_events_per_s", value: Math.round(r.venueEps), unit: "events/s" },
  ];
};

export default suite;
