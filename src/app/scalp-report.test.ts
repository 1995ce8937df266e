import assert from "node:assert/strict";
import { test } from "node:test";
import { gapSplit } from "./scalp-report.ts";

test("scalp gap split: slippage against the decision's and the exit orders' touches, fees beyond the prediction's, the exit basis as drift", () => {
  // the decision: buy venue 1 at its ask 100 (bid 99.99), sell venue 2 at its bid 100.1 (ask
  // 100.11), 1 bps taker on each, a 2 bps buffer: STRATEGIES.md 2.1's e1 at the touches
  const f = 1e-4;
  const mid = (99.99 + 100 + 100.1 + 100.11) / 4;
  const predicted = ((100.1 * (1 - f) - 100 * (1 + f)) / mid) * 1e4 - 2;
  // filled 0.01 worse on each entry leg; the long closed 0.01 below the bid its order saw, the
  // short at the ask 100.06 its order saw (the exit basis: 100.06 - 100.05)
  const fills = [
    { side: "buy" as const, qty: 1, price: 100.01, entry: true, at: undefined },
    { side: "sell" as const, qty: 1, price: 100.09, entry: true, at: undefined },
    { side: "sell" as const, qty: 1, price: 100.04, entry: false, at: { touch: 100.05, mid: 100.055 } },
    { side: "buy" as const, qty: 1, price: 100.06, entry: false, at: { touch: 100.06, mid: 100.055 } },
  ];
  const fees = (100.01 + 100.09 + 100.04 + 100.06) * f;
  const pnl = 100.04 - 100.01 + (100.09 - 100.06);
  const notional = 100.01;
  const captured = ((pnl - fees) / notional) * 1e4;
  const g = gapSplit({
    predictedEdgeBps: predicted,
    capturedBps: captured,
    notionalUsd: notional,
    feesUsd: fees,
    qty: 1,
    touchBuy: 100,
    touchSell: 100.1,
    takerFeeBuyBps: 1,
    takerFeeSellBps: 1,
    fills,
  });
  const bps = (usd: number) => (usd / notional) * 1e4;
  assert.ok(Math.abs(g.slippageUsd - 0.03) < 1e-9, String(g.slippageUsd));
  assert.ok(Math.abs(g.gapSlippageBps - bps(0.03)) < 1e-9);
  // the exit's fees: the entry's were in the prediction (at the touches: 100 and 100.1)
  assert.ok(Math.abs(g.gapFeesBps - bps(fees - (100 + 100.1) * f)) < 1e-9);
  assert.ok(Math.abs(g.gapBps - (predicted - captured)) < 1e-12);
  assert.ok(Math.abs(g.gapSlippageBps + g.gapFeesBps + g.gapBasisDriftBps - g.gapBps) < 1e-12);
  // drift: the exit basis paid (0.01) less the buffer the prediction took off (2 bps); the
  // prediction's mid (100.05) against the notional (100.01) moves it by 0.003 bps
  assert.ok(Math.abs(g.gapBasisDriftBps - (bps(0.01) - 2)) < 0.01, String(g.gapBasisDriftBps));
});

test("scalp gap split: nothing held, nothing to split", () => {
  const g = gapSplit({
    predictedEdgeBps: 5,
    capturedBps: Number.NaN,
    notionalUsd: 0,
    feesUsd: 0,
    qty: 1,
    touchBuy: 100,
    touchSell: 100.1,
    takerFeeBuyBps: 1,
    takerFeeSellBps: 1,
    fills: [],
  });
  assert.ok(Number.isNaN(g.gapBps) && Number.isNaN(g.gapSlippageBps) && Number.isNaN(g.gapBasisDriftBps));
});
