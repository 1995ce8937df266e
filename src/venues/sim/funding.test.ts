import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { usd } from "../../core/money.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { feedBook, feedMark, harness, order, T0 } from "../../testing/sim.ts";
import { catalogInstruments } from "./catalog.ts";
import { addRate, boundaryAtOrBefore, rateAt } from "./funding.ts";

const MIN = 60_000;
const HOUR = 3_600_000;

type Funding = Extract<VenueEvent, { type: "funding" }>;

test("rate series: the rate in force is the last one stamped at or before the time", () => {
  const series: { ts: number; ratePerHour: number }[] = [];
  addRate(series, { ts: 100, ratePerHour: 0.1 });
  addRate(series, { ts: 300, ratePerHour: 0.3 });
  addRate(series, { ts: 200, ratePerHour: 0.2 });
  assert.equal(rateAt(series, 99), 0);
  assert.equal(rateAt(series, 100), 0.1);
  assert.equal(rateAt(series, 250), 0.2);
  assert.equal(rateAt(series, 1e9), 0.3);
  assert.equal(boundaryAtOrBefore(T0 + 90 * MIN, 4 * HOUR), T0);
  assert.equal(boundaryAtOrBefore(T0 + 4 * HOUR, 4 * HOUR), T0 + 4 * HOUR);
});

test("a position held 2 h 30 min on a 1-hour instrument pays exactly two settlements at the rates in force", async () => {
  const { venue, clock, events } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(100_000));
  venue.deposit("bob", usd(100_000));
  const rate = (ratePerHour: number) =>
    venue.feed({ type: "funding", venue: "simA", symbol: "BTC", ts: clock.now(), ratePerHour });
  rate(0.0001);
  await clock.runUntil(T0 + 15 * MIN);
  feedBook(venue, btc, 59_999, 10, 3, 60_000);
  feedMark(venue, btc, 60_000);
  await venue.submit(order("BTC", "buy", 60_000, 10_000, { account: "alice" })); // long 0.1 BTC
  await venue.submit(order("BTC", "sell", 59_999, 10_000, { account: "bob" })); // short 0.1 BTC
  const cashAfterOpen = { alice: venue.cashOf("alice"), bob: venue.cashOf("bob") };
  await clock.runUntil(T0 + 90 * MIN);
  // the rate doubles and the mark moves between the two boundaries
  rate(0.0002);
  feedMark(venue, btc, 61_000);
  await clock.runUntil(T0 + 165 * MIN); // 02:45: 2 h 30 min after the open
  feedBook(venue, btc, 60_999, 10, 3, 61_000);
  await venue.submit(order("BTC", "sell", 60_999, 10_000, { account: "alice", reduceOnly: true }));
  await venue.submit(order("BTC", "buy", 61_000, 10_000, { account: "bob", reduceOnly: true }));
  await clock.runUntil(T0 + 5 * HOUR);
  const funding = events.filter((e): e is Funding => e.type === "funding");
  const alice = funding.filter((e) => e.account === "alice");
  const bob = funding.filter((e) => e.account === "bob");
  // 0.1 BTC x 60000 x 0.0001 x 1 h = 0.6 USD; then 0.1 x 61000 x 0.0002 x 1 h = 1.22 USD
  assert.deepEqual(
    alice.map((e) => [e.ts - T0, e.amount, e.ratePerHour, e.hours]),
    [
      [HOUR, -usd(0.6), 0.0001, 1],
      [2 * HOUR, -usd(1.22), 0.0002, 1],
    ],
  );
  assert.deepEqual(
    bob.map((e) => [e.ts - T0, e.amount]),
    [
      [HOUR, usd(0.6)],
      [2 * HOUR, usd(1.22)],
    ],
  );
  const payments = await venue.fundingPayments("alice");
  assert.deepEqual(
    payments.map((p) => [p.markPrice, p.sizeLots]),
    [
      [60_000, 10_000],
      [61_000, 10_000],
    ],
  );
  // the funding went into cash (fees and PnL of the close are the rest of the change)
  const closeFill = (await venue.fills("alice")).at(-1)!;
  assert.equal(
    venue.cashOf("alice") - cashAfterOpen.alice,
    closeFill.realisedPnl - closeFill.fee - usd(0.6) - usd(1.22),
  );
  assert.equal(venue.sinks().funding, 0n, "longs paid exactly what shorts received");
  assert.equal(venue.conservationResidual(), 0n);
});

test("each instrument settles at its own interval on epoch-aligned boundaries", async () => {
  const clock = new SimClock(T0 + 30 * MIN);
  const { venue, events } = harness({ id: "simB", instruments: catalogInstruments("simB") }, clock);
  venue.deposit("alice", usd(100_000));
  for (const symbol of ["BTCUSDT", "SOLUSDT"]) {
    const inst = venue.instrument(symbol);
    venue.feed({ type: "funding", venue: "simB", symbol, ts: clock.now(), ratePerHour: -0.00005 });
    const bid = inst.price(symbol === "BTCUSDT" ? "60000" : "150");
    feedBook(venue, inst, bid, 1000);
    feedMark(venue, inst, inst.priceValue(bid));
    await venue.submit(order(symbol, "buy", bid + 1, symbol === "BTCUSDT" ? 100 : 10));
  }
  await clock.runUntil(T0 + 17 * HOUR);
  const at = (symbol: string) =>
    events.flatMap((e) => (e.type === "funding" && e.symbol === symbol ? [(e.ts - T0) / HOUR] : []));
  assert.deepEqual(at("BTCUSDT"), [8, 16]);
  assert.deepEqual(at("SOLUSDT"), [4, 8, 12, 16]);
  // a negative rate: the long receives; 8 h x 0.00005 x 0.1 BTC x 60000 = 2.4 USD
  const btc = events.find((e): e is Funding => e.type === "funding" && e.symbol === "BTCUSDT")!;
  assert.equal(btc.amount, usd(2.4));
  assert.equal(btc.hours, 8);
  assert.equal(venue.conservationResidual(), 0n);
});

test("continuous funding: the listed instruments settle every step at rate x step, at the rate and mark in force; the others keep their boundaries", async () => {
  const clock = new SimClock(T0 + 5 * MIN);
  const { venue, events } = harness(
    {
      id: "simB",
      instruments: catalogInstruments("simB"),
      continuousFunding: { stepMs: 10_000, symbols: ["BTCUSDT"] },
    },
    clock,
  );
  venue.deposit("alice", usd(100_000));
  venue.deposit("bob", usd(100_000));
  const btc = venue.instrument("BTCUSDT");
  const sol = venue.instrument("SOLUSDT");
  const rate = (symbol: string, ratePerHour: number) =>
    venue.feed({ type: "funding", venue: "simB", symbol, ts: clock.now(), ratePerHour });
  rate("BTCUSDT", 0.0001);
  rate("SOLUSDT", 0.0001);
  feedBook(venue, btc, btc.price("60000"), 1000);
  feedMark(venue, btc, 60_000);
  feedBook(venue, sol, sol.price("150"), 1000);
  feedMark(venue, sol, 150);
  await venue.submit(order("BTCUSDT", "buy", btc.price("60000") + 1, 100, { account: "alice" })); // 0.1 BTC
  await venue.submit(order("BTCUSDT", "sell", btc.price("60000"), 100, { account: "bob" }));
  await venue.submit(order("SOLUSDT", "buy", sol.price("150") + 1, 10, { account: "alice" })); // 10 SOL
  await clock.runUntil(T0 + 6 * MIN);
  // the rate doubles and the mark moves at 00:06:05; both count from the next step (00:06:10)
  await clock.runUntil(T0 + 6 * MIN + 5_000);
  rate("BTCUSDT", 0.0002);
  feedMark(venue, btc, 61_000);
  await clock.runUntil(T0 + 4 * HOUR);
  const of = (account: string, symbol: string) =>
    events.filter((e): e is Funding => e.type === "funding" && e.account === account && e.symbol === symbol);
  const alice = of("alice", "BTCUSDT");
  // every 10 s from 00:05:10 to 04:00:00, epoch-aligned
  assert.equal(alice.length, (4 * HOUR - 5 * MIN) / 10_000);
  assert.deepEqual(
    alice.slice(0, 2).map((e) => e.ts - T0),
    [5 * MIN + 10_000, 5 * MIN + 20_000],
  );
  assert.ok(alice.every((e, i) => i === 0 || e.ts - alice[i - 1].ts === 10_000));
  // one step: 0.1 BTC x 60000 x 0.0001 x 10 s / 1 h; after the change 0.1 x 61000 x 0.0002 x 10 s / 1 h
  const step = 10_000 / HOUR;
  const before = alice.find((e) => e.ts === T0 + 6 * MIN)!;
  const after = alice.find((e) => e.ts === T0 + 6 * MIN + 10_000)!;
  // (to a few picodollars: the venue holds rate x hours as a fraction of 1e15, so the notional
  // times half of 1e-15, and rounds the long's payment up)
  const near = (amount: bigint, expected: number) =>
    assert.ok(
      amount - usd(expected) <= 10n && usd(expected) - amount <= 10n,
      `${amount} vs ${usd(expected)}`,
    );
  near(before.amount, -0.1 * 60_000 * 0.0001 * step);
  assert.equal(before.hours, step);
  near(after.amount, -0.1 * 61_000 * 0.0002 * step);
  assert.equal(after.ratePerHour, 0.0002);
  // the short receives what the long pays, step for step, but for the long's rounding up
  const bob = of("bob", "BTCUSDT");
  assert.equal(bob.length, alice.length);
  assert.ok(
    bob.every(
      (e, i) => e.ts === alice[i].ts && -alice[i].amount - e.amount <= 1n && e.amount <= -alice[i].amount,
    ),
  );
  // the instrument keeps its quoted 8 h; SOLUSDT stays on its 4 h boundaries
  assert.equal(btc.spec.fundingIntervalHours, 8);
  assert.deepEqual(
    of("alice", "SOLUSDT").map((e) => [(e.ts - T0) / HOUR, e.hours]),
    [[4, 4]],
  );
  const paid = await venue.fundingPayments("alice");
  assert.equal(paid.filter((p) => p.symbol === "BTCUSDT").length, alice.length, "every step stored");
  // the venue keeps alice's SOL funding (no short holds SOL: 10 x 150 x 0.0001 x 4 h) and what
  // the BTC steps' rounding left, at most a picodollar a step
  const kept = venue.sinks().funding - usd(0.6);
  assert.ok(kept >= 0n && kept <= BigInt(alice.length), String(kept));
  assert.equal(venue.conservationResidual(), 0n);
});

test("continuous funding: a step that is not a whole number of ms, or an unknown symbol, is refused with what was wrong", () => {
  const clock = new SimClock(T0);
  assert.throws(
    () => harness({ continuousFunding: { stepMs: 0.5 } }, clock),
    /continuousFunding\.stepMs 0\.5 must be a whole number of ms > 0/,
  );
  assert.throws(
    () => harness({ continuousFunding: { stepMs: 1000, symbols: ["BTC", "XYZ"] } }, clock),
    /continuousFunding\.symbols\[1\]: "XYZ" is not an instrument of the venue/,
  );
});
