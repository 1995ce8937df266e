import assert from "node:assert/strict";
import { test } from "node:test";
import type { GroupRecord } from "../engine/executor.ts";
import { FundingLedger } from "../strategies/carry/funding.ts";
import type { CarryPosition } from "../strategies/carry/position.ts";
import { carryTrade, maxDrawdown, type PositionFill } from "./carry-report.ts";

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function group(o: { realisedPnlUsd: number; feesUsd: number }): GroupRecord {
  const leg = (legIndex: number, venue: string, side: "buy" | "sell") => ({
    legIndex,
    venue,
    account: "c1",
    symbol: "X",
    side,
    targetLots: 2,
    filledLots: 2,
    avgPrice: 0,
    feesUsd: 0,
    netLots: 0,
    realisedPnlUsd: 0,
    externalLots: 0,
    externalReason: null,
  });
  return {
    groupId: "g1",
    id: "g1",
    strategy: "carry",
    status: "closed",
    entry: { kind: "ioc", maxSlippageBps: 10 },
    fillTimeoutMs: 10_000,
    meta: { base: "X", entryYieldBps: 50, netBps: 30 },
    closeReason: "take_profit",
    failureReason: null,
    detail: null,
    createdAt: T0,
    updatedAt: T0 + HOUR,
    closedAt: T0 + HOUR,
    legs: [leg(0, "simA", "buy"), leg(1, "simB", "sell")],
    ...o,
  };
}

function position(longMultiplier: number, shortMultiplier: number): CarryPosition {
  const long = new FundingLedger({
    venue: "simA",
    symbol: "X",
    intervalHours: 1,
    side: 1,
    qty: 2,
    openedAt: T0,
  });
  // half an hour accrued at 0.01 %/h on $200, then the settlement accrues the rest and replaces it
  long.accrue(T0 + HOUR / 2, 0.0001, 100);
  long.settle(T0 + HOUR, -0.021, 0.0001, 100);
  const short = new FundingLedger({
    venue: "simB",
    symbol: "X",
    intervalHours: 1,
    side: -1,
    qty: 2,
    openedAt: T0,
  });
  short.accrue(T0 + HOUR, 0.0003, 100);
  short.settle(T0 + HOUR, 0.05, 0.0003);
  return {
    groupId: "g1",
    base: "X",
    long: { multiplier: longMultiplier, entryPrice: 100.25 },
    short: { multiplier: shortMultiplier, entryPrice: 99.9 },
    sizeUsd: 200.5,
    ledgers: { long, short },
  } as unknown as CarryPosition;
}

const fill = (
  venue: string,
  side: "buy" | "sell",
  size: number,
  price: number,
  feeUsd: number,
  ts: number,
  at: { touch: number; mid: number } | undefined,
  liquidity: "maker" | "taker" = "taker",
): PositionFill => ({ venue, symbol: "X", side, size, price, feeUsd, liquidity, ts, at });

test("carry trade: fees per leg by liquidity, basis split into drift, spread and slippage, unhedged exposure, estimates and APR", () => {
  // the long leg fills in two parts 2 s apart, the short (a maker order) 2 s after that
  const fills = [
    fill("simA", "buy", 1, 100.2, 0.05, T0, { touch: 100.1, mid: 100 }),
    fill("simA", "buy", 1, 100.3, 0.05, T0 + 2000, { touch: 100.1, mid: 100 }),
    fill("simB", "sell", 2, 99.9, 0.02, T0 + 4000, { touch: 99.95, mid: 100 }, "maker"),
    fill("simA", "sell", 2, 101, 0.1, T0 + HOUR, { touch: 101, mid: 101.05 }),
    fill("simB", "buy", 2, 101.2, 0.1, T0 + HOUR, { touch: 101.1, mid: 101.05 }),
  ];
  // realised: long (101 - 100.25) x 2 = 1.5, short (99.9 - 101.2) x 2 = -2.6
  const g = group({ realisedPnlUsd: -1.1, feesUsd: 0.32 });
  const { trade: t, parts } = carryTrade({
    group: g,
    own: [g],
    position: position(1, 1),
    fills,
    venueFundingLongUsd: -0.021,
    venueFundingShortUsd: 0.05,
    now: T0 + 2 * HOUR,
  });
  assert.equal(t.feesLongTakerUsd, 0.2);
  assert.equal(t.feesLongMakerUsd, 0);
  assert.equal(t.feesShortMakerUsd, 0.02);
  assert.equal(t.feesShortTakerUsd, 0.1);
  // slippage beyond each order's touch: 0.1 + 0.2 (long entry), 0.05 x 2 (maker short below the
  // bid its order saw), 0 (long close at the bid), 0.1 x 2 (short close above the ask)
  assert.equal(t.slippageUsd, 0.6);
  // half spreads: 0.1 x 2, 0.05 x 2, 0.05 x 2, 0.05 x 2
  assert.equal(t.spreadUsd, 0.5);
  // at the mids both legs moved by the same 1.05: no drift
  assert.equal(t.basisDriftUsd, 0);
  assert.equal(t.basisPnlUsd, -1.1);
  assert.ok(Math.abs(parts.basisDriftUsd - parts.spreadUsd - parts.slippageUsd - parts.basisPnlUsd) < 1e-12);
  // 1 unit at 100.2 for 2 s, then 2 units at 100.3 for 2 s
  assert.equal(t.unhedgedMs, 4000);
  assert.equal(t.unhedgedMaxUsd, 200.6);
  assert.equal(t.unhedgedUsdSeconds, 601.6);
  // long: -0.01 accrued to half past, -0.01 more at the settlement; short: 0.06 over the hour
  assert.equal(t.fundingEstimatedLongUsd, -0.02);
  assert.equal(t.fundingEstimatedShortUsd, 0.06);
  assert.equal(t.fundingLongUsd, -0.021);
  assert.equal(t.fundingShortUsd, 0.05);
  const net = -1.1 - 0.32 - 0.021 + 0.05;
  assert.equal(t.netUsd, Math.round(net * 1e4) / 1e4);
  assert.equal(t.predictedNetBps, 30);
  assert.equal(t.capturedBps, Math.round((net / 200.5) * 1e6) / 100);
  // 50 bps per 8 h is 0.5 % x 1095 a year
  assert.equal(t.entryYieldAprPct, 547.5);
  // the long leg held 1 unit for 2 s and 2 units for the rest of the hour, at 100.25 a unit
  const notional = ((1 * 2000 + 2 * (HOUR - 2000)) / HOUR) * 100.25;
  assert.equal(t.realisedAprPct, Math.round((net / notional) * 8760 * 100 * 100) / 100);
  assert.equal(t.realisedFundingAprPct, Math.round(((0.05 - 0.021) / notional) * 8760 * 100 * 100) / 100);
});

test("carry trade: legs of different contract sizes net in base units (0.2 contracts of 10 = 2 units)", () => {
  const fills = [
    fill("simA", "buy", 2, 100, 0, T0, undefined),
    fill("simB", "sell", 0.2, 999, 0, T0, undefined),
    fill("simA", "sell", 2, 100, 0, T0 + HOUR, undefined),
    fill("simB", "buy", 0.2, 999, 0, T0 + HOUR, undefined),
  ];
  const g = group({ realisedPnlUsd: 0, feesUsd: 0 });
  const { trade: t } = carryTrade({
    group: g,
    own: [g],
    position: position(1, 10),
    fills,
    venueFundingLongUsd: 0,
    venueFundingShortUsd: 0,
    now: T0 + HOUR,
  });
  assert.equal(t.unhedgedMs, 0);
  assert.equal(t.unhedgedUsdSeconds, 0);
  // no book reading: each fill is its own mid, so nothing is spread or slippage
  assert.equal(t.spreadUsd, 0);
  assert.equal(t.slippageUsd, 0);
});

test("carry trade: an entry that failed before carry held it has no ledger, no funding, no APR", () => {
  const g = { ...group({ realisedPnlUsd: -0.01, feesUsd: 0.02 }), status: "failed" as const };
  const { trade: t } = carryTrade({
    group: g,
    own: [g],
    position: undefined,
    fills: [
      fill("simA", "buy", 1, 100, 0.01, T0, { touch: 100, mid: 99.99 }),
      fill("simA", "sell", 1, 99.99, 0.01, T0 + 1000, { touch: 99.99, mid: 99.995 }),
    ],
    venueFundingLongUsd: 0,
    venueFundingShortUsd: 0,
    now: T0 + HOUR,
  });
  assert.equal(t.fundingEstimatedLongUsd, 0);
  assert.equal(t.fundingLongUsd, 0);
  assert.equal(t.realisedAprPct, null);
  assert.equal(t.capturedBps, null);
  // the lone leg was held for the second before its unwind
  assert.equal(t.unhedgedMs, 1000);
  assert.equal(t.unhedgedUsdSeconds, 100);
});

test("max drawdown: the largest fall from a running peak, in USD and % of that peak", () => {
  assert.deepEqual(maxDrawdown([]), { usd: 0, pct: 0 });
  assert.deepEqual(maxDrawdown([100, 101, 102]), { usd: 0, pct: 0 });
  // peak 110, trough 99 (a later, smaller fall from 120 to 112 does not count)
  const d = maxDrawdown([100, 110, 104, 99, 120, 112]);
  assert.equal(d.usd, 11);
  assert.ok(Math.abs(d.pct - 10) < 1e-12);
});
