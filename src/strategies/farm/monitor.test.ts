import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assessGroup,
  collateralRatio,
  groupNetDeltaUsd,
  type LegSnapshot,
  liquidationDistance,
  pnlDivergence,
} from "./monitor.ts";

const leg = (over: Partial<LegSnapshot>): LegSnapshot => ({
  walletId: "w1",
  venue: "simA",
  symbol: "BTC",
  side: "long",
  markPrice: 100,
  liquidationPrice: 50,
  notionalUsd: 1000,
  unrealisedPnlUsd: 0,
  accountEquityUsd: 500,
  maintenanceMarginUsd: 10,
  ...over,
});

test("liquidation distance by side", () => {
  assert.equal(liquidationDistance(leg({ side: "long", markPrice: 100, liquidationPrice: 80 })), 0.2);
  assert.equal(liquidationDistance(leg({ side: "short", markPrice: 100, liquidationPrice: 120 })), 0.2);
  assert.equal(liquidationDistance(leg({ liquidationPrice: null })), Number.POSITIVE_INFINITY);
  assert.ok(liquidationDistance(leg({ side: "short", markPrice: 130, liquidationPrice: 120 })) < 0);
});

test("thresholds: hold, warn below 16 %, close the group below 13 %, emergency at or past 0", () => {
  const far = leg({ walletId: "far", liquidationPrice: 50 });
  assert.equal(assessGroup([far]).action, "hold");
  assert.deepEqual(assessGroup([far]).findings, []);

  const warn = assessGroup([far, leg({ walletId: "near", liquidationPrice: 85 })]);
  assert.equal(warn.action, "hold");
  assert.deepEqual(
    warn.findings.map((f) => f.kind),
    ["liquidation_warning"],
  );

  const guard = assessGroup([
    far,
    leg({ walletId: "near", side: "short", markPrice: 100, liquidationPrice: 112 }),
  ]);
  assert.equal(guard.action, "close_liquidation_guard");
  assert.equal(guard.findings[0].walletId, "near");
  assert.ok(Math.abs(guard.minLiquidationDistance - 0.12) < 1e-12);

  const crossed = assessGroup([far, leg({ walletId: "gone", markPrice: 100, liquidationPrice: 100 })]);
  assert.equal(crossed.action, "close_emergency");
  assert.equal(crossed.findings[0].kind, "liquidation_crossed");

  const noMark = assessGroup([leg({ markPrice: 0 })]);
  assert.equal(noMark.action, "close_emergency");
});

test("collateral ratio and PnL divergence alerts", () => {
  assert.equal(collateralRatio(leg({ accountEquityUsd: 30, maintenanceMarginUsd: 20 })), 1.5);
  const low = assessGroup([leg({ accountEquityUsd: 25, maintenanceMarginUsd: 20 })]);
  assert.deepEqual(
    low.findings.map((f) => f.kind),
    ["low_collateral"],
  );

  const legs = [
    leg({ side: "long", notionalUsd: 1000, unrealisedPnlUsd: 80 }),
    leg({ walletId: "w2", side: "short", liquidationPrice: 150, notionalUsd: 1000, unrealisedPnlUsd: -20 }),
  ];
  assert.equal(pnlDivergence(legs), 0.06);
  assert.deepEqual(
    assessGroup(legs).findings.map((f) => f.kind),
    ["pnl_divergence"],
  );
  legs[0] = leg({ side: "long", notionalUsd: 1000, unrealisedPnlUsd: 60 });
  assert.deepEqual(assessGroup(legs).findings, []);
});

test("net delta is the size difference at one price: a cross-venue basis is not delta", () => {
  // 58 SOL long on simB at 180.30, 58 SOL short on simA at 180.00: no delta, though the
  // notionals differ by $17.40
  const long = leg({ side: "long", venue: "simB", markPrice: 180.3, notionalUsd: 58 * 180.3 });
  const short = leg({ side: "short", venue: "simA", markPrice: 180, notionalUsd: 58 * 180 });
  assert.ok(Math.abs(groupNetDeltaUsd([long, short])) < 1e-9);
  // 58 long vs 58.11 short: 0.11 SOL short, about $19.8
  const short2 = leg({ side: "short", venue: "simA", markPrice: 180, notionalUsd: 58.11 * 180 });
  assert.ok(Math.abs(groupNetDeltaUsd([long, short2]) - -0.11 * 180.15) < 1e-6);
  // a leg without a usable mark holds nothing measurable
  assert.equal(groupNetDeltaUsd([leg({ markPrice: Number.NaN, notionalUsd: 0 })]), 0);
});
