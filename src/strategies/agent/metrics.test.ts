import assert from "node:assert/strict";
import { test } from "node:test";
import { hourly, maxDrawdown, profitFactor, sharpe, versionMetrics, winRate } from "./metrics.ts";
import type { ClosedTrade } from "./types.ts";

const H = 3_600_000;
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

test("hourly keeps the last value of each hour", () => {
  assert.deepEqual(
    hourly([
      [0, 1],
      [10, 2],
      [H, 3],
      [H + 5, 4],
      [3 * H, 5],
    ]),
    [
      [10, 2],
      [H + 5, 4],
      [3 * H, 5],
    ],
  );
});

test("Sharpe on a fixed series, by hand: returns alternate +1 % and -0.5 %", () => {
  const values = [100];
  for (let i = 0; i < 49; i++) values.push(values[i] * (i % 2 === 0 ? 1.01 : 0.995));
  // 49 returns: 25 of +0.01, 24 of -0.005
  const mean = (25 * 0.01 + 24 * -0.005) / 49;
  const variance = (25 * (0.01 - mean) ** 2 + 24 * (-0.005 - mean) ** 2) / 48;
  const expected = (mean / Math.sqrt(variance)) * Math.sqrt(8760);
  assert.ok(close(sharpe(values)!, expected), `${sharpe(values)} vs ${expected}`);
  assert.equal(sharpe(values.slice(0, 47)), null, "null below 48 points");
  assert.equal(sharpe(Array(60).fill(100)), null, "no variance: null, not 0");
});

test("max drawdown and its duration, by hand", () => {
  const dd = maxDrawdown([
    [0, 100],
    [H, 120],
    [2 * H, 90],
    [3 * H, 110],
    [4 * H, 130],
    [5 * H, 117],
  ])!;
  assert.ok(close(dd.pct, 0.25)); // 120 → 90
  assert.equal(dd.durationMs, 2 * H); // below the 120 peak from 1 h to 3 h
});

const trade = (netUsd: number): ClosedTrade => ({
  coin: "BTC",
  side: "long",
  qty: 1,
  entry: 1,
  exit: 1,
  netUsd,
  feesUsd: 0,
  openedAt: 0,
  closedAt: 1,
  entryReason: "",
  exitReason: "",
  version: "v",
});

test("win rate and profit factor of net trade PnL; no losses: profit factor null", () => {
  const ts = [30, -10, 20, -20, 0].map(trade);
  assert.equal(winRate(ts), 0.4);
  assert.equal(profitFactor(ts), 50 / 30);
  assert.equal(profitFactor([trade(5)]), null);
  assert.equal(winRate([]), null);
});

test("version metrics: return net of the LLM cost beside the gross return", () => {
  const eq: [number, number, number][] = [
    [0, 1000, 0],
    [H, 1010, 1],
    [2 * H, 1030, 5],
  ];
  const m = versionMetrics(eq, [trade(30), trade(-10)]);
  assert.ok(close(m.returnGross!, 0.03));
  assert.ok(close(m.returnNet!, (1025 - 1000) / 1000));
  assert.equal(m.hours, 2);
  assert.equal(m.llmCostUsd, 5);
  assert.equal(m.profitFactor, 3);
  assert.equal(m.sharpe, null);
});
