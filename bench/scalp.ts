/**
 * scalp's decision latency: one book update (applied to a real L2Book) to the group-open intent,
 * through the strategy's own onBook listener, every gate, sizing and the VWAP check; signing and
 * the engine are not in it (the intent is a stub that records the time and answers "rejected").
 * Also the cost of an update that decides not to trade (every gate run, the edge below the floor).
 *
 * Run alone: `node bench/run.ts --only scalp`.
 */
import { SimClock } from "../src/core/clock.ts";
import type { MarketEvent } from "../src/core/market.ts";
import { L2Book } from "../src/data/book.ts";
import type { OpenOutcome, StrategyContext } from "../src/strategies/contract.ts";
import { scalpDefaults } from "../src/strategies/scalp/config.ts";
import { ScalpStrategy } from "../src/strategies/scalp/scalp.ts";
import { catalogInstruments } from "../src/venues/sim/catalog.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const N = 20_000;
const WARMUP = 2_000;

const suite: BenchSuite = async () => {
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const insts = { simA: catalogInstruments("simA"), simB: catalogInstruments("simB") };
  const books = new Map<string, L2Book>();
  for (const [v, list] of Object.entries(insts))
    for (const i of list) books.set(`${v}:${i.symbol}`, new L2Book(i));
  const book = (v: string, s: string) => books.get(`${v}:${s}`)!;
  const snapshot = (venue: string, symbol: string, mid: number, tick: number): MarketEvent => ({
    type: "book",
    venue,
    symbol,
    ts: clock.now(),
    snapshot: true,
    bids: Array.from({ length: 20 }, (_, k) => ({ price: mid - tick * (k + 1), size: 5 })),
    asks: Array.from({ length: 20 }, (_, k) => ({ price: mid + tick * (k + 1), size: 5 })),
  });
  let listener: ((e: MarketEvent & { type: "book" | "bbo" }) => void) | undefined;
  let intentAt = 0n;
  let intents = 0;
  const rejected: OpenOutcome = {
    ok: false,
    groupId: "x",
    reason: "rejected",
    detail: "bench",
    status: "failed",
    sent: false,
  };
  const account = {
    equityUsd: 5000,
    availableUsd: 5000,
    initialMarginUsd: 0,
    maintenanceMarginUsd: 0,
    readAt: 0,
    stale: false,
  };
  const ctx = {
    instance: "scalp",
    clock,
    logger: { log() {} },
    alerts: { raise() {} },
    timers: { on() {}, async schedule() {}, async cancel() {} },
    state: { get: async () => undefined, put: async () => {} },
    market: {
      venues: () => ["simA", "simB"],
      instruments: (v: string) => insts[v as "simA" | "simB"],
      instrument: (v: string, s: string) => insts[v as "simA" | "simB"].find((i) => i.symbol === s)!,
      book,
      bbo: (v: string, s: string) => ({
        bidTicks: book(v, s).bestBidTicks(),
        askTicks: book(v, s).bestAskTicks(),
        ts: 0,
      }),
      mark: () => Number.NaN,
      fundingRatePerHour: () => 0,
      fundingRateTs: () => 0,
    },
    portfolio: {
      account: (venue: string, a: string) => ({ ...account, venue, account: a }),
      positions: () => [],
      position: () => undefined,
      openOrders: () => [],
    },
    events: {
      onBook: (l: typeof listener) => {
        listener = l;
        return () => {};
      },
      onTrade: () => () => {},
      onFill: () => () => {},
      onOrderUpdate: () => () => {},
      onFunding: () => () => {},
      onGroupState: () => () => {},
      onTimer: () => () => {},
    },
    intents: {
      openGroup: async () => {
        intentAt = process.hrtime.bigint();
        intents++;
        return rejected;
      },
      closeGroup: async () => ({ ok: true, groupId: "x", legs: [] }),
      flatten: async () => ({
        groupsClosed: [],
        groupsNotFlat: [],
        positionsFlattened: 0,
        positionsNotFlat: 0,
      }),
      placeOrder: async () => {
        throw new Error("unused");
      },
      cancelOrder: async () => {
        throw new Error("unused");
      },
      amendOrder: async () => {
        throw new Error("unused");
      },
    },
    groups: async () => [],
  } as unknown as StrategyContext;
  const apply = (e: MarketEvent) => {
    if (e.type === "book") book(e.venue, e.symbol).apply(e);
  };
  // simA BTC at 100,000; simB 60 bps above: an entry on every update once nothing blocks it
  apply(snapshot("simA", "BTC", 100_000, 1));
  apply(snapshot("simB", "BTCUSDT", 100_600, 0.1));
  const s = new ScalpStrategy(
    { name: "scalp", kind: "scalp", wallets: ["w"], venues: ["simA", "simB"], seed: 1 },
    scalpDefaults({ enabled: true, min_trade_gap_s: 0, symbol_cooldown_s: 0, pairs: { allowlist: ["BTC"] } }),
  );
  await s.start(ctx);
  const measure = async (dislocated: boolean): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < N + WARMUP; i++) {
      clock.runUntilSync(clock.now() + 2);
      // simA's book moves too (untimed), so neither touch is ever older than max_bbo_age_ms
      apply({
        type: "book",
        venue: "simA",
        symbol: "BTC",
        ts: clock.now(),
        snapshot: false,
        bids: [{ price: 99_999, size: 4 + (i % 5) }],
        asks: [],
      });
      // a diff on simB's touch: one level's size changes, as most real updates do
      const e: MarketEvent = {
        type: "book",
        venue: "simB",
        symbol: "BTCUSDT",
        ts: clock.now(),
        snapshot: false,
        bids: [{ price: (dislocated ? 100_600 : 100_000) - 0.1, size: 4 + (i % 7) }],
        asks: [],
      };
      const before = intents;
      const t0 = process.hrtime.bigint();
      apply(e);
      listener!(e as MarketEvent & { type: "book" });
      const t1 = process.hrtime.bigint();
      if (dislocated && intents !== before + 1)
        throw new Error(`bench scalp: update ${i} sent no intent (${JSON.stringify(s.rejections)})`);
      if (!dislocated && intents !== before) throw new Error("bench scalp: an aligned book sent an intent");
      if (i >= WARMUP) out.push(Number((dislocated ? intentAt : t1) - t0) / 1000);
      // let the stub's answer settle (the base is released) outside the timed part
      await new Promise((r) => setImmediate(r));
    }
    return out.sort((a, b) => a - b);
  };
  const toIntent = await measure(true);
  apply(snapshot("simB", "BTCUSDT", 100_000, 0.1));
  clock.runUntilSync(clock.now() + 6000); // the move leaves the 5 s window
  const noTrade = await measure(false);
  await s.stop();
  const p99 = percentile(toIntent, 99);
  const fig = (key: string, value: number, extra: Partial<BenchFigure> = {}): BenchFigure => ({
    key,
    value: Math.round(value * 100) / 100,
    unit: "us",
    ...extra,
  });
  return [
    fig("scalp_decision_p50_us", percentile(toIntent, 50)),
    fig("scalp_decision_p99_us", p99, { target: "<= 200 us", ok: p99 <= 200 }),
    fig("scalp_update_no_trade_p50_us", percentile(noTrade, 50)),
    fig("scalp_update_no_trade_p99_us", percentile(noTrade, 99)),
  ];
};

export default suite;
