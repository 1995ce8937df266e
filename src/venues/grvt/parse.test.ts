import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { GRVT_DEFAULT_FEES, instrumentOf, perpetuals, ratePerHourOf, scaleOf } from "./capabilities.ts";
import {
  AccountSummaryAnswer,
  BookAnswer,
  BookSchema,
  ErrorSchema,
  FeedFrameSchema,
  FillsAnswer,
  FundingPaymentsAnswer,
  GrvtPayloadError,
  InstrumentsAnswer,
  msOfNanos,
  OrdersAnswer,
  PositionsAnswer,
  parseAs,
  TickerAnswer,
} from "./parse.ts";

// fixtures/payloads.json: the answer shapes ccxt records beside its GRVT parsers (see the file's _source)
const P = JSON.parse(readFileSync(new URL("./fixtures/payloads.json", import.meta.url), "utf8"));

test("instruments: both spellings of the decimals (number and digits), tick, lot, funding interval, asset id", () => {
  const list = parseAs(InstrumentsAnswer, P.all_instruments, "all_instruments").result;
  assert.equal(list.length, 2);
  const [btc, aave] = perpetuals(list, []);
  assert.deepEqual(scaleOf(btc), {
    instrument: "BTC_USDT_Perp",
    instrumentHash: "0x030501",
    baseDecimals: 9,
  });
  assert.equal(aave.base_decimals, 9);
  assert.equal(aave.funding_interval_hours, 8);
  const inst = instrumentOf("grvt", btc, GRVT_DEFAULT_FEES);
  assert.equal(inst.spec.tickSize, "0.1");
  assert.equal(inst.spec.lotSize, "0.001");
  assert.equal(inst.spec.minNotionalUsd, 100);
  assert.equal(inst.spec.fundingIntervalHours, 8);
  assert.equal(inst.spec.makerFeeBps, -1);
  assert.equal(instrumentOf("grvt", aave, GRVT_DEFAULT_FEES).spec.minNotionalUsd, 0);
  assert.deepEqual(
    perpetuals(list, ["AAVE_USDT_Perp"]).map((m) => m.instrument),
    ["AAVE_USDT_Perp"],
  );
});

test("book, ticker: levels, nanosecond times to ms, funding in percentage points per interval", () => {
  const book = parseAs(BookAnswer, P.book, "book").result;
  assert.equal(book.bids[1].price, "92335.5");
  assert.equal(Number(book.asks[0].num_orders), 37);
  assert.equal(msOfNanos(book.event_time), 1764777396650);
  const t = parseAs(TickerAnswer, P.ticker, "ticker").result;
  assert.equal(t.mark_price, "92697.300078773");
  assert.equal(msOfNanos(t.next_funding_time ?? 0n), 1764777600000);
  // 0.0037 % per 8 h = 0.000037 / 8 per hour
  assert.ok(Math.abs(ratePerHourOf(t.funding_rate ?? "0", 8) - 0.000037 / 8) < 1e-15);
});

test("orders, positions, fills, account summary, funding payments", () => {
  const [o] = parseAs(OrdersAnswer, P.open_orders, "open_orders").result;
  assert.equal(o.metadata.client_order_id, "588129369");
  assert.equal(o.state.status, "OPEN");
  assert.deepEqual(o.state.book_size, ["0.002"]);
  assert.equal(o.legs[0].is_buying_asset, true);
  const [pos] = parseAs(PositionsAnswer, P.positions, "positions").result;
  assert.equal(pos.size, "0.001");
  assert.equal(pos.cumulative_realized_funding_payment, "0.033862");
  const [f] = parseAs(FillsAnswer, P.fill_history, "fill_history").result;
  assert.equal(f.is_taker, false);
  assert.equal(f.fee, "-0.00009");
  assert.equal(f.client_order_id, "1375879248");
  assert.equal(
    parseAs(AccountSummaryAnswer, P.account_summary, "account_summary").result.total_equity,
    "15.0",
  );
  assert.equal(
    parseAs(FundingPaymentsAnswer, P.funding_payment_history, "funding").result[0].amount,
    "-0.004522",
  );
});

test("an error payload and the WS snapshot frame", () => {
  assert.deepEqual(parseAs(ErrorSchema, P.error, "error"), P.error);
  const frame = parseAs(FeedFrameSchema, P.ws_book_s, "ws frame");
  assert.equal(frame.stream, "v1.book.s");
  assert.equal(frame.sequence_number, 0n);
  const book = parseAs(BookSchema, frame.feed, "v1.book.s feed");
  assert.equal(book.bids[0].size, "5.322");
  // a subscribe acknowledgement is not a feed frame
  assert.equal(FeedFrameSchema.safeParse(P.ws_subscribe_ack).success, false);
});

test("bad answers name venue, payload and field", () => {
  const broken = structuredClone(P.open_orders);
  broken.result[0].state.status = "WHATEVER";
  assert.throws(
    () => parseAs(OrdersAnswer, broken, "open_orders"),
    (e: unknown) => {
      assert.ok(e instanceof GrvtPayloadError);
      assert.match(e.message, /^grvt: open_orders did not parse at result\.0\.state\.status/);
      return true;
    },
  );
  const badPrice = structuredClone(P.book);
  badPrice.result.bids[0].price = "1,5";
  assert.throws(
    () => parseAs(BookAnswer, badPrice, "book"),
    /grvt: book did not parse at result\.bids\.0\.price: a decimal string/,
  );
  const badSize = structuredClone(P.book);
  badSize.result.asks[0].size = 5;
  assert.throws(
    () => parseAs(BookAnswer, badSize, "book"),
    /grvt: book did not parse at result\.asks\.0\.size: a decimal string/,
  );
  const notLevel = structuredClone(P.book);
  notLevel.result.bids[1] = null;
  assert.throws(() => parseAs(BookAnswer, notLevel, "book"), /result\.bids\.1: a level object/);
  const badHash = structuredClone(P.all_instruments);
  badHash.result[0].instrument_hash = "030501";
  assert.throws(
    () => parseAs(InstrumentsAnswer, badHash, "all_instruments"),
    /result\.0\.instrument_hash: 0x hex/,
  );
});
