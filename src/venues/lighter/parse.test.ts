import assert from "node:assert/strict";
import { test } from "node:test";
import type { BookUpdate } from "../../core/market.ts";
import { BookSync } from "./book-sync.ts";
import { instrumentOf } from "./capabilities.ts";
import { ACCOUNT, FUNDING_RATES, FUNDINGS, ORDER_BOOK_DETAILS } from "./fixtures/payloads.ts";
import { NonceKeeper } from "./nonce.ts";
import {
  AccountsSchema,
  FundingRatesSchema,
  FundingsSchema,
  hourlyFromEightHour,
  hourlyFromPercent,
  MarketDetailsSchema,
  parseAs,
} from "./parse.ts";

test("funding units: funding-rates is an 8 h fraction, fundings a percent per hour; both give the same hourly rate", () => {
  const eight = parseAs(FundingRatesSchema, FUNDING_RATES, "funding-rates").funding_rates[0].rate;
  const pct = parseAs(FundingsSchema, FUNDINGS, "fundings").fundings[0].rate;
  const a = hourlyFromEightHour(eight);
  const b = hourlyFromPercent(pct);
  assert.ok(Math.abs(a - 0.000012) < 1e-12, `8 h fraction 0.000096 is 0.0012 % an hour: ${a}`);
  assert.ok(Math.abs(b - 0.000012) < 1e-12, `0.0012 % an hour: ${b}`);
  // reading either in the other's unit is off by 12.5x or 800x: what this test exists to catch
  assert.ok(Math.abs(hourlyFromPercent(eight) - a) / a > 0.8);
});

test("markets and accounts parse from the venue's recorded answers; an instrument's tick and lot are its decimals", () => {
  const [eth] = parseAs(MarketDetailsSchema, ORDER_BOOK_DETAILS, "orderBookDetails").order_book_details;
  const inst = instrumentOf("lighter", eth);
  assert.equal(inst.spec.tickSize, "0.01");
  assert.equal(inst.spec.lotSize, "0.0001");
  assert.equal(inst.spec.maxLeverage, 20, "default_initial_margin_fraction 500 = 5 %");
  assert.equal(inst.price("3550.69"), 355_069, "a signed Price is the price in ticks");
  const [acct] = parseAs(AccountsSchema, ACCOUNT, "account").accounts;
  assert.equal(acct.positions[0].position, "18.0193");
});

test("bad payloads name the field and the payload", () => {
  const broken = {
    ...ORDER_BOOK_DETAILS,
    order_book_details: [{ ...ORDER_BOOK_DETAILS.order_book_details[0], price_decimals: "2" }],
  };
  assert.throws(
    () => parseAs(MarketDetailsSchema, broken, "orderBookDetails answer"),
    /lighter orderBookDetails answer: the payload does not parse: order_book_details\.0\.price_decimals: /,
  );
});

test("book: updates apply in offset order; a repeat is dropped; a jump asks for a resync and drops updates until the snapshot", () => {
  const [eth] = parseAs(MarketDetailsSchema, ORDER_BOOK_DETAILS, "x").order_book_details;
  const inst = instrumentOf("lighter", eth);
  const emitted: BookUpdate[] = [];
  let resyncs = 0;
  const b = new BookSync(
    inst,
    "lighter",
    (u) => emitted.push(u),
    () => resyncs++,
  );
  const msg = (type: string, offset: number, bids: [string, string][], asks: [string, string][] = []) => ({
    type,
    channel: "order_book:0",
    offset,
    order_book: {
      asks: asks.map(([price, size]) => ({ price, size })),
      bids: bids.map(([price, size]) => ({ price, size })),
    },
  });
  b.onMessage(msg("update/order_book", 5, [["3000.00", "1"]]), 0);
  assert.equal(emitted.length, 0, "no update before a snapshot");
  assert.equal(resyncs, 1, "an update without a snapshot asks for one");
  b.onMessage(msg("subscribed/order_book", 10, [["3000.00", "1.5"]], [["3001.00", "2"]]), 0);
  b.onMessage(
    msg("update/order_book", 11, [
      ["3000.00", "0"],
      ["2999.00", "3"],
    ]),
    0,
  );
  b.onMessage(msg("update/order_book", 11, [["2998.00", "9"]]), 0);
  assert.equal(emitted.length, 2, "snapshot and one update; the repeated offset 11 was dropped");
  assert.equal(inst.priceValue(b.book.bestBidTicks() ?? 0), 2999);
  b.onMessage(msg("update/order_book", 13, [["2997.00", "1"]]), 0);
  assert.deepEqual([b.gaps, resyncs, b.inSync], [1, 2, false], "offset 12 missing: a gap, one resync asked");
  b.onMessage(msg("update/order_book", 14, [["2996.00", "1"]]), 0);
  assert.equal(resyncs, 2, "asked once per gap");
  assert.equal(emitted.length, 2, "nothing applied while out of sync");
  b.onMessage(msg("subscribed/order_book", 20, [["2990.00", "1"]]), 0);
  assert.equal(b.inSync, true);
  assert.equal(inst.priceValue(b.book.bestBidTicks() ?? 0), 2990, "the new snapshot replaced the book");
});

test("nonces: read once, counted, kept on a refusal that used none, read again after an unknown outcome", async () => {
  let venueNext = 7;
  const k = new NonceKeeper(async () => ({ code: 200, nonce: venueNext }));
  const used: number[] = [];
  const take = (outcome: "ok" | "refused" | "lost") =>
    k.use(
      async (n) => {
        used.push(n);
        if (outcome === "refused") throw new RangeError("refused");
        if (outcome === "lost") {
          venueNext = n + 1;
          throw new Error("lost");
        }
        return { result: n, used: true };
      },
      (e) => e instanceof RangeError,
    );
  assert.equal(await take("ok"), 7);
  assert.equal(await take("ok"), 8);
  await assert.rejects(take("refused"));
  assert.equal(await take("ok"), 9, "the refused tx did not use nonce 9");
  await assert.rejects(take("lost"));
  assert.equal(await take("ok"), 11, "after a lost answer the venue's next nonce is read");
  assert.deepEqual(used, [7, 8, 9, 9, 10, 11]);
  assert.equal(k.reads, 2);
  // concurrent transactions of one key never share a nonce
  const all = await Promise.all([take("ok"), take("ok"), take("ok")]);
  assert.deepEqual(all, [12, 13, 14]);
});

test("book: with nonce / begin_nonce the chain decides, not the offset's step", () => {
  const [eth] = parseAs(MarketDetailsSchema, ORDER_BOOK_DETAILS, "x").order_book_details;
  const inst = instrumentOf("lighter", eth);
  let resyncs = 0;
  const b = new BookSync(
    inst,
    "lighter",
    () => undefined,
    () => resyncs++,
  );
  const msg = (type: string, offset: number, nonce: number, begin: number, bid: string) => ({
    type,
    channel: "order_book:0",
    offset,
    order_book: { asks: [], bids: [{ price: bid, size: "1" }], nonce, begin_nonce: begin },
  });
  b.onMessage(msg("subscribed/order_book", 100, 5000, 4990, "3000.00"), 0);
  b.onMessage(msg("update/order_book", 107, 5012, 5000, "3001.00"), 0);
  assert.deepEqual(
    [b.gaps, resyncs, inst.priceValue(b.book.bestBidTicks() ?? 0)],
    [0, 0, 3001],
    "offset +7, chain intact: applied",
  );
  b.onMessage(msg("update/order_book", 108, 5020, 5013, "3002.00"), 0);
  assert.deepEqual(
    [b.gaps, resyncs, b.inSync],
    [1, 1, false],
    "begin_nonce 5013 after nonce 5012: a lost update",
  );
});

test("book: a malformed message is refused by the schema, naming the field, and changes nothing", () => {
  const [eth] = parseAs(MarketDetailsSchema, ORDER_BOOK_DETAILS, "x").order_book_details;
  const inst = instrumentOf("lighter", eth);
  const b = new BookSync(
    inst,
    "lighter",
    () => undefined,
    () => undefined,
  );
  const snap = {
    type: "subscribed/order_book",
    channel: "order_book:0",
    offset: 1,
    order_book: { asks: [], bids: [{ price: "3000.00", size: "1" }] },
  };
  b.onMessage(snap, 0);
  const bad = {
    ...snap,
    type: "update/order_book",
    offset: 2,
    order_book: { asks: [], bids: [{ price: "3001.00", size: 2 }] },
  };
  assert.throws(
    () => b.onMessage(bad, 0),
    /lighter order book of ETH: the payload does not parse: order_book\.bids\.0\.size: /,
  );
  assert.equal(inst.priceValue(b.book.bestBidTicks() ?? 0), 3000, "the book is as it was");
});
