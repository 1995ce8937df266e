import assert from "node:assert/strict";
import { test } from "node:test";
import { type Candle, CandleSeries } from "./candles.ts";
import { indicators1m, realizedVol } from "./indicators.ts";
import { buildObservation, type MarketInput, type ObservationInput } from "./observation.ts";
import { regimeOf } from "./regime.ts";

const MIN = 60_000;

test("candles from prices: OHLC and volume per minute, gaps filled flat, the forming one only once ended", () => {
  const s = new CandleSeries(MIN, 5);
  s.add(0, 100);
  s.add(10_000, 102, 1);
  s.add(20_000, 99);
  s.add(70_000, 101, 2);
  s.add(200_000, 103);
  assert.deepEqual(s.candles(200_000), [
    [0, 100, 102, 99, 99, 1],
    [60_000, 101, 101, 101, 101, 2],
    [120_000, 101, 101, 101, 101, 0],
  ]);
  assert.equal(s.candles(240_000).length, 4);
  const again = new CandleSeries(MIN, 5, JSON.parse(JSON.stringify(s.state())));
  assert.deepEqual(again.candles(240_000), s.candles(240_000));
});

test("realized volatility: sample std of 15 one-minute log returns x sqrt(525600), by hand", () => {
  const closes = [100];
  for (let i = 0; i < 15; i++) closes.push(closes[i] * (i % 2 === 0 ? 1.001 : 0.999));
  const rets = closes.slice(1).map((x, i) => Math.log(x / closes[i]));
  const mean = rets.reduce((a, b) => a + b, 0) / 15;
  const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / 14);
  assert.ok(Math.abs(realizedVol(closes)! - sd * Math.sqrt(525_600)) < 1e-6);
  assert.equal(realizedVol(closes.slice(0, 10)), null);
});

test("too few candles: indicators are null, never padded", () => {
  const c: Candle[] = Array.from({ length: 5 }, (_, i) => [i * MIN, 100, 100, 100, 100, 0]);
  const ind = indicators1m(c);
  assert.ok(ind.ema20.every((x) => x === null));
  assert.ok(ind.rsi7.every((x) => x === null));
  assert.equal(ind.rv_15m, null);
});

const rising = (n: number, from: number, step: number): Candle[] =>
  Array.from({ length: n }, (_, i) => {
    const p = from + i * step;
    return [i * MIN, p, p, p, p, 1];
  });

test("regime: a steady rise in every market is trending_up and risk_on, with its inputs", () => {
  const markets = ["BTC", "ETH"].map((coin) => {
    const c = rising(60, 100, 0.5);
    const mid = c[c.length - 1][4];
    return {
      coin,
      mid,
      ind1m: indicators1m(c),
      ind6h: {
        ema20: null,
        ema50: null,
        atr3: null,
        atr14: null,
        rsi14: null,
        macd_hist_pct: null,
        volume_vs_avg: null,
      },
      candles1m: c,
    };
  });
  const r = regimeOf(markets);
  assert.equal(r.type, "trending_up");
  assert.equal(r.sentiment, "risk_on");
  assert.equal(r.up_ratio, 1);
  assert.ok(r.strength! > 50);
  assert.deepEqual(Object.keys(r.inputs), ["BTC", "ETH"]);
  const flat = regimeOf(
    ["BTC", "ETH"].map((coin) => {
      const c = rising(60, 100, 0);
      return { ...markets[0], coin, mid: 100, ind1m: indicators1m(c), candles1m: c };
    }),
  );
  assert.equal(flat.type, "ranging");
  assert.equal(flat.sentiment, "neutral");
});

test("observation: spread, funding per 8 h, positions with their exit plan, the last 10 trades, day halt", () => {
  const m: MarketInput = {
    coin: "BTC",
    symbol: "BTC",
    bid: 99_990,
    ask: 100_010,
    bidSize: 2,
    askSize: 3,
    mark: 100_000,
    fundingPerHour: 0.00001,
    fundingIntervalHours: 1,
    lotSize: 0.001,
    tickSize: 1,
    minNotionalUsd: 10,
    maxLeverage: 40,
    candles1m: rising(70, 99_000, 10),
    candles6h: [],
  };
  const input: ObservationInput = {
    ts: 10 * 3_600_000,
    cycle: 7,
    version: "v",
    markets: [m],
    account: { equity: 9_400, available: 9_000, initialMargin: 400, maintenanceMargin: 100 },
    positions: [
      {
        coin: "BTC",
        symbol: "BTC",
        qty: -0.01,
        entry: 101_000,
        mark: 100_000,
        unrealisedPnlUsd: 10,
        liquidationPrice: 140_000,
        openedAt: 9 * 3_600_000,
      },
    ],
    exits: {
      BTC: {
        coin: "BTC",
        symbol: "BTC",
        side: "short",
        stopLoss: 102_000,
        takeProfit: 95_000,
        invalidation: "price > 103000",
        trigger: { op: ">", price: 103_000 },
        cycle: 3,
        version: "v",
        openedAt: 0,
        entryReason: "r",
        attempts: 0,
      },
    },
    trades: Array.from({ length: 12 }, (_, k) => ({
      coin: "BTC",
      side: "long" as const,
      qty: 1,
      entry: 1,
      exit: 2,
      netUsd: k,
      feesUsd: 0,
      openedAt: 0,
      closedAt: MIN * 5,
      entryReason: "e",
      exitReason: "stop_loss",
      version: "v",
    })),
    performance: null,
    dayStartEquity: 10_000,
    llmCostTodayUsd: 0.01,
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
  const o = buildObservation(input);
  assert.equal(o.markets.BTC.spread_bps, 2);
  assert.equal(o.markets.BTC.funding_per_8h, 0.00008);
  assert.equal(o.markets.BTC.candles_1m.length, 60);
  assert.equal(o.account.positions[0].side, "short");
  assert.equal(o.account.positions[0].hold_minutes, 60);
  assert.deepEqual(o.account.positions[0].exit_plan, {
    stop_loss: 102_000,
    take_profit: 95_000,
    invalidation: "price > 103000",
    checked_by: "code",
  });
  assert.equal(o.recent_trades.length, 10);
  assert.equal(o.recent_trades[0].net_usd, 2);
  assert.equal(o.limits.halted_for_day, true); // 6 % below the day's start, limit 5 %
  assert.equal(JSON.stringify(buildObservation(input)), JSON.stringify(o));
});
