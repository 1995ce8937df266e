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
