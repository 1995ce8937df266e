import assert from "node:assert/strict";
import { test } from "node:test";
import { usd } from "../../core/money.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { feedBook, feedMark, fillsOf, flush, harness, order } from "../../testing/sim.ts";

const isKind = (kind: string) => (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === kind;

test("a timed-out order that nevertheless filled is visible through orderStatus", async () => {
  const { venue, events } = harness({ faults: { timeoutRate: 1 } });
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, btc, 60_000, 1);
  feedMark(venue, btc, 60_000);
  await assert.rejects(
    venue.submit(order("BTC", "buy", 60_001, 500, { clientOrderId: "lost" })),
    isKind("timeout"),
  );
  const status = await venue.orderStatus("alice", "lost");
  assert.equal(status?.status, "filled");
  assert.equal(status?.filledLots, 500);
  assert.equal((await venue.positions("alice"))[0].sizeLots, 500);
  await flush();
  // the user stream still carried the fill: the venue never hides a fill it made
  assert.deepEqual(
    fillsOf(events).map((f) => f.clientOrderId),
    ["lost"],
  );
});

test("a down venue executes nothing and answers 'unavailable' until it is back", async () => {
  const { venue, clock, events } = harness();
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(100_000));
  feedBook(venue, btc, 60_000, 1);
  feedMark(venue, btc, 60_000);
  venue.goDown(clock.now() + 60_000);
  await assert.rejects(
    venue.submit(order("BTC", "buy", 60_001, 500, { clientOrderId: "down" })),
    isKind("unavailable"),
  );
  await assert.rejects(venue.positions("alice"), isKind("unavailable"));
  await assert.rejects(venue.setLeverage("alice", "BTC", 3, "isolated"), isKind("unavailable"));
  await clock.runUntil(clock.now() + 60_000);
  assert.equal(await venue.orderStatus("alice", "down"), undefined);
  assert.deepEqual(await venue.positions("alice"), []);
  assert.deepEqual(await venue.fills("alice"), []);
  assert.equal(venue.cashOf("alice"), usd(100_000));
  await flush();
  assert.deepEqual(events, []);
  // back up: the same client order id is free, since nothing was executed
  await venue.submit(order("BTC", "buy", 60_001, 500, { clientOrderId: "down" }));
  assert.equal((await venue.orderStatus("alice", "down"))?.status, "filled");
});

test("seeded outages, rejects, partial fills and dropped market data happen at their rates", async () => {
  const { venue, clock } = harness({
    faults: {
      rejectRate: 0.2,
      partialFillRate: 0.3,
      dropMarketDataRate: 0.25,
      outageRate: 0.02,
      outageDurationMs: 5_000,
    },
    seed: 7,
  });
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(10_000_000));
  const outcome = { ok: 0, rejected: 0, unavailable: 0, partial: 0 };
  let delivered = 0;
  for (let i = 0; i < 400; i++) {
    if (feedBookCounting(venue, btc)) delivered++;
    feedMark(venue, btc, 60_000);
    const req = order("BTC", i % 2 === 0 ? "buy" : "sell", i % 2 === 0 ? 60_005 : 59_995, 1000);
    try {
      await venue.submit(req);
      const s = await venue.orderStatus("alice", req.clientOrderId).catch(() => undefined);
      if (s !== undefined && s.filledLots < 1000) outcome.partial++;
      outcome.ok++;
    } catch (e) {
      if (e instanceof VenueRejectError && e.reason === "injected_reject") outcome.rejected++;
      else if (isKind("unavailable")(e)) outcome.unavailable++;
      else throw e;
    }
    await clock.runUntil(clock.now() + 1000);
  }
  assert.ok(outcome.rejected > 40 && outcome.rejected < 110, `rejects ${outcome.rejected}`);
  assert.ok(outcome.partial > 30, `partial ${outcome.partial}`);
  assert.ok(outcome.unavailable > 0, "some outages");
  assert.ok(
    venue.droppedMarketData > 100 && venue.droppedMarketData < 300,
    `dropped ${venue.droppedMarketData}`,
  );
  assert.ok(delivered > 0);
  assert.equal(venue.conservationResidual(), 0n);
});

/** a deep book around 60000: 5 BTC per level, so unfaulted orders always fill in full */
function feedBookCounting(
  venue: ReturnType<typeof harness>["venue"],
  btc: ReturnType<typeof venue.instrument>,
) {
  const before = venue.droppedMarketData;
  feedBook(venue, btc, 60_000, 5);
  return venue.droppedMarketData === before;
}
