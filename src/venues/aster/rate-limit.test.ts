import assert from "node:assert/strict";
import { test } from "node:test";
import { makeAsterHarness } from "../../testing/aster-conformance.ts";
import { orderOf } from "../conformance/harness.ts";
import { weightOf } from "./emulator/limits.ts";
import {
  asterLimiter,
  BUDGET_SHARE,
  IP_WEIGHT_PER_MINUTE,
  ORDERS_PER_MINUTE,
  requestWeight,
} from "./rate-limit.ts";

/** The connector's weights and budgets, and that its requests spend them. */

test("the connector's weight per endpoint is the emulator's (two tables written from the same docs)", () => {
  const cases: [string, [string, unknown][]][] = [
    ["order", [["symbol", "BTCUSDT"]]],
    ["openOrders", []],
    ["openOrders", [["symbol", "BTCUSDT"]]],
    ["positionRisk", []],
    ["account", []],
    ["balance", []],
    ["userTrades", [["symbol", "BTCUSDT"]]],
    ["income", []],
    ["depth", [["limit", 1000]]],
    ["depth", [["limit", 100]]],
    ["depth", []],
    ["listenKey", []],
    ["leverage", []],
    ["exchangeInfo", []],
  ];
  for (const [endpoint, params] of cases) {
    const q = new URLSearchParams(params.map(([k, v]): [string, string] => [k, String(v)]));
    assert.equal(requestWeight(endpoint, params), weightOf("GET", endpoint, q), `${endpoint} ${q}`);
  }
  assert.equal(requestWeight("openOrders", []), 40);
  assert.equal(requestWeight("depth", [["limit", 1000]]), 20);
});

test("budgets are 95% of the venue's, one per egress and one per user, shared process-wide", () => {
  assert.equal(asterLimiter("ip:x").perMinute, Math.floor(IP_WEIGHT_PER_MINUTE * BUDGET_SHARE));
  assert.equal(asterLimiter("orders:0xabc").perMinute, Math.floor(ORDERS_PER_MINUTE * BUDGET_SHARE));
  assert.equal(asterLimiter("ip:x"), asterLimiter("ip:x"));
  assert.notEqual(asterLimiter("ip:x"), asterLimiter("ip:y"));
});

test("requests spend their weight from the IP's budget and orders from the user's", async () => {
  const h = await makeAsterHarness();
  try {
    const ip = asterLimiter("ip:direct");
    const orders = asterLimiter(`orders:${h.user}`);
    const before = ip.spent;
    await h.venue.accountState(h.account);
    assert.equal(ip.spent - before, 5, "an account read weighs 5");
    await h.venue.openOrders(h.account);
    assert.equal(ip.spent - before, 45, "open orders of every symbol weigh 40");
    const o = orders.spent;
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots,
    });
    await h.venue.submit(
      orderOf(h, { side: "buy", priceTicks: h.referenceTicks - 5, sizeLots: h.unitLots, tif: "gtc" }),
    );
    assert.equal(orders.spent - o, 1, "an order spends one of the user's ORDERS");
    assert.equal(ip.spent - before, 46, "and one weight of the IP's");
  } finally {
    await h.close();
  }
});
