import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assessGroup,
  collateralRatio,
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
