/**
 * The LLM agent's own costs, the model left out (issue 17):
 * - `agent_observation_ms`: building one observation of 5 markets, each with 60 one-minute and
 *   60 six-hour candles (indicators, regime, account, positions with their exits, 10 trades), and
 *   serialising it as the prompt's user message;
 * - `agent_cycle_overhead_ms`: one whole cycle of the real strategy on the real engine, store
 *   (SQLite file) and simulated venue, 5 markets, the model answering instantly from memory:
 *   records written before each step, observation, parse, validation, the orders sent and
 *   acknowledged; cycles alternate opening two markets (exits armed first) and closing them.
 *
 * Run alone: `node bench/run.ts --only agent`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNode } from "../src/app/node.ts";
import { SimClock } from "../src/core/clock.ts";
import { Instrument } from "../src/core/instrument.ts";
import { usd } from "../src/core/money.ts";
import { engineSettings } from "../src/engine/config.ts";
import { openStore } from "../src/store/store.ts";
import type { AgentStrategy } from "../src/strategies/agent/agent.ts";
import type { Candle } from "../src/strategies/agent/candles.ts";
import { agentConfig } from "../src/strategies/agent/config.ts";
import { runCycle } from "../src/strategies/agent/cycle.ts";
import { buildObservation, type MarketInput } from "../src/strategies/agent/observation.ts";
import type { ClosedTrade, HeldExit } from "../src/strategies/agent/types.ts";
import type { ChatModel } from "../src/strategies/contract.ts";
import { SIM_A_SPECS } from "../src/venues/sim/catalog.ts";
import { SimVenue } from "../src/venues/sim/sim-venue.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const T0 = Date.UTC(2026, 0, 1);
const PRICES: Record<string, number> = { BTC: 100_000, ETH: 3_500, SOL: 180, DOGE: 0.2, XRP: 0.6 };
const COINS = Object.keys(PRICES);

function candles(n: number, stepMs: number, p0: number, seed: number): Candle[] {
  let p = p0;
  let x = seed;
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    const o = p;
    p *= 1 + (x / 2 ** 31 - 0.5) * 0.004;
    return [T0 + i * stepMs, o, Math.max(o, p) * 1.001, Math.min(o, p) * 0.999, p, 10 + (x % 100)];
  });
}

const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;

function observationFigures(): BenchFigure[] {
  const markets: MarketInput[] = COINS.map((coin, k) => ({
    coin,
    symbol: coin,
    bid: PRICES[coin] * 0.9999,
    ask: PRICES[coin] * 1.0001,
    bidSize: 5,
    askSize: 5,
    mark: PRICES[coin],
    fundingPerHour: 1e-5,
    fundingIntervalHours: 1,
    lotSize: 0.001,
    tickSize: 0.01,
    minNotionalUsd: 10,
    maxLeverage: 20,
    candles1m: candles(60, 60_000, PRICES[coin], k + 1),
    candles6h: candles(60, 6 * 3_600_000, PRICES[coin], k + 7),
  }));
  const exit = (coin: string): HeldExit => ({
    coin,
    symbol: coin,
    side: "long",
    stopLoss: PRICES[coin] * 0.98,
    takeProfit: PRICES[coin] * 1.03,
    invalidation: `price < ${PRICES[coin] * 0.97}`,
    trigger: { op: "<", price: PRICES[coin] * 0.97 },
    cycle: 1,
    version: "v",
    openedAt: T0,
    entryReason: "entry: bench",
    attempts: 0,
  });
  const trades: ClosedTrade[] = Array.from({ length: 10 }, (_, i) => ({
    coin: COINS[i % 5],
    side: "long",
    qty: 1,
    entry: 100,
    exit: 101,
    netUsd: 1,
    feesUsd: 0.1,
    openedAt: T0,
    closedAt: T0 + 60_000,
    entryReason: "entry: bench",
    exitReason: "take_profit",
    version: "v",
  }));
  const input = {
    ts: T0 + 61 * 60_000,
    cycle: 9,
    version: "v",
    markets,
    account: { equity: 10_000, available: 8_000, initialMargin: 2_000, maintenanceMargin: 1_000 },
    positions: ["BTC", "ETH"].map((coin) => ({
      coin,
      symbol: coin,
      qty: 0.1,
      entry: PRICES[coin],
      mark: PRICES[coin],
      unrealisedPnlUsd: 0,
      liquidationPrice: PRICES[coin] * 0.7,
      openedAt: T0,
    })),
    exits: { BTC: exit("BTC"), ETH: exit("ETH") },
    trades,
    performance: { return_net: 0.01 },
    dayStartEquity: 10_000,
    llmCostTodayUsd: 0.1,
    lastError: null,
    limits: {
      max_leverage: 5,
      max_risk_per_trade_pct: 0.02,
      max_gross_leverage: 3,
      min_notional_usd: 5,
      daily_loss_halt_pct: 0.05,
      require_stop_loss: true,
      max_slippage_bps: 10,
    },
    candles1m: 60,
    candles6h: 60,
  };
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 2_200; i++) {
    const a = process.hrtime.bigint();
    bytes = JSON.stringify(buildObservation(input)).length;
    const b = process.hrtime.bigint();
    if (i >= 200) times.push(ms(a, b));
  }
  times.sort((x, y) => x - y);
  const p50 = percentile(times, 50);
  return [
    { key: "agent_observation_ms", value: p50, unit: "ms p50" },
    { key: "agent_observation_p99_ms", value: percentile(times, 99), unit: "ms p99" },
    { key: "agent_observation_bytes", value: bytes, unit: "bytes" },
  ];
}

async function cycleFigures(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-bench-agent-"));
  const clock = new SimClock(T0);
  const doge = SIM_A_SPECS.find((s) => s.base === "DOGE")!;
  const specs = [...SIM_A_SPECS, { ...doge, symbol: "XRP", base: "XRP" }];
  const venue = new SimVenue({
    id: "simA",
    instruments: specs.map((s) => new Instrument(s)),
    clock,
    latencyMs: 0,
  });
  venue.deposit("w1", usd(1_000_000));
  const feed = () => {
    for (const coin of COINS) {
      const inst = venue.instrument(coin);
      const bid = inst.roundPrice(
        PRICES[coin] * (1 + 0.001 * Math.sin(clock.now() / 600_000)),
        "buy",
        "down",
      );
      const px = (t: number) => inst.priceValue(t);
      venue.feed({
        type: "book",
        venue: "simA",
        symbol: coin,
        ts: clock.now(),
        snapshot: true,
        bids: [0, 1, 2].map((i) => ({ price: px(bid - i), size: 1e6 / PRICES[coin] })),
        asks: [1, 2, 3].map((i) => ({ price: px(bid + i), size: 1e6 / PRICES[coin] })),
      });
      venue.feed({
        type: "mark",
        venue: "simA",
        symbol: coin,
        ts: clock.now(),
        markPrice: px(bid),
        oraclePrice: px(bid),
      });
    }
  };
  let n = 0;
  const model: ChatModel = {
    async complete() {
      n++;
      const positions: Record<string, unknown> = {};
      for (const coin of ["BTC", "ETH"])
        positions[coin] =
          n % 2 === 1
            ? {
                coin,
                signal: "buy",
                quantity: 2_000 / PRICES[coin],
                leverage: 2,
                exit_plan: {
                  stop_loss: PRICES[coin] * 0.97,
                  take_profit: PRICES[coin] * 1.05,
                  invalidation: "",
                },
                justification: "bench",
              }
            : { coin, signal: "close", justification: "bench" };
      const content = JSON.stringify({ positions });
      const usage = { promptTokens: 9_000, completionTokens: 200, cachedTokens: 0, providerCostUsd: 0.001 };
      return { ok: true, content, model: "bench", usage, attempts: 1 };
    },
  };
  feed();
  const store = await openStore(`sqlite:${join(dir, "perpbot.db")}`);
  const config = agentConfig({ venue: "simA", markets: COINS, cycle_interval_s: 1e9, model: "bench" });
  const node = await clock.drive(
    startNode({
      store,
      venues: new Map([["simA", venue]]),
      clock,
      wallets: ["w1"],
      instances: [
        {
          spec: { name: "ag", kind: "agent", wallets: ["w1"], venues: ["simA"], seed: 1 },
          config,
          maxExposureUsd: undefined,
        },
      ],
      engineSettings: { ...engineSettings(), orphanFlatten: false },
      services: { chatModel: () => model },
    }),
  );
  const agent = node.instances.get("ag")!.strategy as AgentStrategy;
  // an hour of books first: the observation has its 60 one-minute candles
  for (let i = 0; i < 360; i++) {
    await clock.advance(10_000);
    feed();
  }
  const times: number[] = [];
  for (let i = 0; i < 260; i++) {
    await clock.advance(1_000);
    feed();
    const a = process.hrtime.bigint();
    await clock.drive(runCycle(agent), 1);
    const b = process.hrtime.bigint();
    if (i >= 20) times.push(ms(a, b));
  }
  await clock.drive(node.stop());
  const fills = (await store.fills.list({ account: "w1", limit: 100_000 })).length;
  venue.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  // every cycle opened or closed BTC and ETH: two fills a cycle, or the figure measured nothing
  if (n < 260 || fills < 2 * 250)
    throw new Error(`bench agent: ${n} model calls and ${fills} fills in 260 cycles`);
  times.sort((x, y) => x - y);
  const p50 = percentile(times, 50);
  return [
    { key: "agent_cycle_overhead_ms", value: p50, unit: "ms p50", target: "<= 20", ok: p50 <= 20 },
    { key: "agent_cycle_overhead_p99_ms", value: percentile(times, 99), unit: "ms p99" },
    { key: "agent_cycle_fills", value: fills, unit: "fills in 260 cycles" },
  ];
}

const suite: BenchSuite = async () => [...observationFigures(), ...(await cycleFigures())];
export default suite;

if (import.meta.main) console.log(await suite());
