import assert from "node:assert/strict";
import { test } from "node:test";
import { fillEvent } from "./account-stream.ts";
import { instrumentOf, maintenanceFraction } from "./capabilities.ts";
import * as fx from "./fixtures/payloads.ts";
import { parseAs } from "./http.ts";
import {
  AccountSchema,
  BalanceSchema,
  BookSnapshotSchema,
  FillsSchema,
  FundingDataSchema,
  FundingPaymentsSchema,
  MarketsSchema,
  OrderSchema,
  PositionsSchema,
  SummariesSchema,
  TradeSchema,
} from "./parse.ts";
import { orderReport, orderStatusOf } from "./reads.ts";

// Payloads: ccxt@4.5.84 paradex.js / pro/paradex.js samples and docs.paradex.trade (fixtures/payloads.ts).

test("paradex parse: a published market becomes an instrument (tick, lot, min notional, 1/imf_base leverage, 8 h funding)", () => {
  const [m] = parseAs(MarketsSchema, fx.MARKETS, "markets").results;
  const inst = instrumentOf("paradex", m!, { makerFeeBps: 0, takerFeeBps: 2 });
  assert.deepEqual(
    [
      inst.spec.tickSize,
      inst.spec.lotSize,
      inst.spec.minNotionalUsd,
      inst.spec.maxLeverage,
      inst.spec.fundingIntervalHours,
    ],
    ["0.00001", "1", 200, 5, 8],
  );
  assert.equal(maintenanceFraction(m!), 0.1, "imf_base 0.2 × mmf_factor 0.5");
});

test("paradex parse: summary, order book snapshot, trade and funding_data samples parse with their values", () => {
  const [s] = parseAs(SummariesSchema, fx.SUMMARY, "summary").results;
  assert.deepEqual([s!.mark_price, s!.funding_rate], ["68465.17449906", "0.01629574927887"]);
  const b = parseAs(BookSnapshotSchema, fx.WS_ORDER_BOOK, "order_book");
  assert.deepEqual(
    b.inserts.map((l) => [l.side, l.price]),
    [
      ["BUY", "67629.7"],
      ["SELL", "69378.6"],
    ],
  );
  assert.equal(parseAs(TradeSchema, fx.WS_TRADE, "trade").size, "34028");
  const f = parseAs(FundingDataSchema, fx.WS_FUNDING_DATA, "funding_data");
  assert.deepEqual([f.funding_rate, f.funding_period_hours], ["-0.00014969570582", 8]);
});

test("paradex parse: the published order sample and its variants map to the contract's statuses", () => {
  const o = parseAs(OrderSchema, fx.ORDER, "order");
  // the sample is CLOSED-looking but says NEW with remaining 0: a live order that filled in full
  assert.equal(orderStatusOf(o), "partially_filled");
  assert.equal(orderStatusOf({ ...o, status: "CLOSED" }), "filled");
  assert.equal(orderStatusOf({ ...o, status: "CLOSED", remaining_size: "0.05" }), "rejected");
  assert.equal(
    orderStatusOf({ ...o, status: "CLOSED", remaining_size: "0.02", cancel_reason: "USER_CANCELED" }),
    "canceled",
  );
  assert.equal(orderStatusOf({ ...o, status: "OPEN", remaining_size: "0.05" }), "open");
  const [m] = parseAs(MarketsSchema, fx.MARKETS, "markets").results;
  const inst = instrumentOf(
    "paradex",
    { ...m!, symbol: "BTC-USD-PERP", price_tick_size: "0.1", order_size_increment: "0.001" },
    { makerFeeBps: 0, takerFeeBps: 2 },
  );
  const r = orderReport("w1", o, inst);
  assert.deepEqual([r.side, r.sizeLots, r.filledLots, r.reduceOnly, r.tif], ["buy", 50, 50, true, "gtc"]);
});

test("paradex parse: fills, positions, balance, account and funding payments samples parse exactly", () => {
  const [f] = parseAs(FillsSchema, fx.FILLS, "fills").results;
  const [m] = parseAs(MarketsSchema, fx.MARKETS, "markets").results;
  const inst = instrumentOf(
    "paradex",
    { ...m!, symbol: "BTC-USD-PERP", price_tick_size: "0.1", order_size_increment: "0.001" },
    { makerFeeBps: 0, takerFeeBps: 2 },
  );
  const e = fillEvent("w1", f!, inst);
  assert.ok(e.type === "fill");
  assert.deepEqual(
    [e.fill.priceTicks, e.fill.sizeLots, e.fill.fee, e.fill.liquidity, e.remainingLots],
    [648529, 10, 194558700000n, "taker", 0],
  );
  const [p] = parseAs(PositionsSchema, fx.POSITIONS, "positions").results;
  assert.deepEqual([p!.side, p!.size, p!.liquidation_price], ["LONG", "0.01", ""]);
  assert.equal(parseAs(BalanceSchema, fx.BALANCE, "balance").results[0]!.size, "99980.2382266290601");
  assert.equal(parseAs(AccountSchema, fx.ACCOUNT, "account").free_collateral, "73276.47229774");
  assert.equal(
    parseAs(FundingPaymentsSchema, fx.FUNDING_PAYMENTS, "funding").results[0]!.payment,
    "34.4490622",
  );
});

test("paradex parse: a bad answer is refused naming venue, what and the field", () => {
  assert.throws(
    () =>
      parseAs(FillsSchema, { results: [{ ...fx.FILLS.results[0], price: 64852.9 }] }, "fills of account w1"),
    /^Error: paradex: fills of account w1 did not parse at results\.0\.price: /,
  );
  assert.throws(
    () =>
      parseAs(
        PositionsSchema,
        { results: [{ ...fx.POSITIONS.results[0], side: "FLAT" }] },
        "positions of account w2",
      ),
    /paradex: positions of account w2 did not parse at results\.0\.side/,
  );
  assert.throws(
    () => parseAs(AccountSchema, { ...fx.ACCOUNT, account_value: "n/a" }, "account w3"),
    /at account_value: expected a decimal/,
  );
});
