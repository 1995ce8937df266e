import assert from "node:assert/strict";
import { test } from "node:test";
import { makerConfig, makerInstanceSchema } from "./config.ts";
import {
  gridOk,
  keepMaker,
  movedAway,
  openPriceTicks,
  priceState,
  reconcilePlan,
  tpPriceValue,
  waitMs,
} from "./logic.ts";

const touch = { bidTicks: 35_000, askTicks: 35_001 };

test("wait by active take-profits: 2W, W, W/2, W/4 by n/M; none at M; at once after a TP fill", () => {
  assert.equal(waitMs(0, 40, 450, false), 112_500);
  assert.equal(waitMs(7, 40, 450, false), 225_000); // 7/40 >= 1/6
  assert.equal(waitMs(14, 40, 450, false), 450_000); // >= 1/3
  assert.equal(waitMs(27, 40, 450, false), 900_000); // >= 2/3
  assert.equal(waitMs(40, 40, 450, false), null);
  assert.equal(waitMs(39, 40, 450, true), 0);
  assert.equal(waitMs(40, 40, 450, true), null, "max_orders holds even after a TP fill");
});

test("open one tick inside the touch, never touching an own take-profit", () => {
  assert.equal(openPriceTicks("buy", touch, []), 35_000);
  assert.equal(openPriceTicks("buy", { bidTicks: 100, askTicks: 110 }, [105]), 104);
  assert.equal(openPriceTicks("sell", touch, []), 35_001);
  assert.equal(openPriceTicks("sell", { bidTicks: 100, askTicks: 110 }, [103]), 104);
});

test("moved away: the price we would quote now is better than the resting one", () => {
  assert.equal(movedAway("buy", 35_000, touch, []), false);
  assert.equal(movedAway("buy", 34_990, touch, []), true);
  assert.equal(movedAway("buy", 35_010, touch, []), false, "the market came to us: stay");
  assert.equal(movedAway("sell", 35_011, touch, []), true);
});

test("take-profit price and kept maker", () => {
  assert.ok(Math.abs(tpPriceValue("buy", 3500, 2) - 3500.7) < 1e-9);
  assert.ok(Math.abs(tpPriceValue("sell", 3500, 2) - 3499.3) < 1e-9);
  assert.equal(keepMaker("buy", 34_999, touch), 35_001, "a sell TP at or under the bid goes to bid + 1");
  assert.equal(keepMaker("buy", 35_010, touch), 35_010);
  assert.equal(keepMaker("sell", 35_001, touch), 35_000);
});

test("grid step: buy needs lowest_tp / new_tp > 1 + step", () => {
  // new TP = 35001 x 1.0002 = 35008.0
  assert.equal(gridOk("buy", touch, [35_030], 2, 10), false); // 35030/35008 = 1.00063 < 1.001
  assert.equal(gridOk("buy", touch, [35_050], 2, 10), true); // 1.00120
  assert.equal(gridOk("buy", touch, [35_050], 2, null), true);
  // sell: new TP = 35000 x 0.9998 = 34993; needs new / highest > 1.001
  assert.equal(gridOk("sell", touch, [34_990], 2, 10), false);
  assert.equal(gridOk("sell", touch, [34_950], 2, 10), true);
});

test("stop before pause; buy tests the ask, sell the bid", () => {
  assert.equal(priceState("buy", 99, 100, 100, 90), "stop");
  assert.equal(priceState("buy", 94, 95, 100, 90), "pause");
  assert.equal(priceState("buy", 88, 89, 100, 90), "ok");
  assert.equal(priceState("sell", 50, 51, 50, 60), "stop");
  assert.equal(priceState("sell", 59, 61, null, 60), "pause");
});

test("reconcile: post what is uncovered, drop pending then cancel the farthest, close the wrong side", () => {
  const tps = [
    { clientOrderId: "a", priceTicks: 35_010, lots: 10 },
    { clientOrderId: "b", priceTicks: 35_050, lots: 10 },
  ];
  assert.deepEqual(reconcilePlan("buy", 20, tps, 0, touch), { kind: "ok" });
  assert.deepEqual(reconcilePlan("buy", 30, tps, 5, touch), { kind: "post", lots: 5 });
  assert.deepEqual(reconcilePlan("buy", 12, tps, 3, touch), {
    kind: "cancel",
    dropPending: 3,
    cancel: ["b"],
    thenPost: 2,
  });
  assert.deepEqual(reconcilePlan("buy", -4, tps, 0, touch), {
    kind: "wrong_side",
    lots: 4,
    cancel: ["a", "b"],
  });
});

test("config: every default, and bad values named", () => {
  const c = makerConfig({ venue: "simA", markets: ["ETH"], quantity: 0.1 });
  assert.equal(c.take_profit_bps, 2);
  assert.equal(c.max_orders, 40);
  assert.equal(c.wait_time_s, 450);
  assert.equal(c.direction, "buy");
  assert.equal(c.grid_step_bps, null);
  assert.equal(c.boost, false);
  assert.equal(c.reconcile_interval_s, 60);
  const bad = makerInstanceSchema.safeParse({
    kind: "maker",
    venue: "simA",
    markets: ["ETH"],
    quantity: -1,
    take_profit_bps: 0,
    stop_price: 100,
    pause_price: 120,
  });
  assert.equal(bad.success, false);
  const paths = bad.error!.issues.map((i) => i.path.join("."));
  assert.ok(paths.includes("quantity"));
  assert.ok(paths.includes("take_profit_bps"));
  const rel = makerInstanceSchema.safeParse({
    kind: "maker",
    venue: "v",
    markets: ["ETH"],
    quantity: 1,
    stop_price: 100,
    pause_price: 120,
  });
  assert.equal(rel.success, false);
  assert.deepEqual(rel.error!.issues[0].path, ["pause_price"]);
});
