import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { usd } from "../../core/money.ts";
import { Rng } from "../../core/random.ts";
import { feedBook, harness, T0 } from "../../testing/sim.ts";

/**
 * A seeded flow on a simulated clock with latency and every fault on: orders of three accounts,
 * a random-walk market, trades, funding changes, hours of simulated time.
 */
async function runFlow(seed: number): Promise<{ log: string; snapshot: string; events: number }> {
  const clock = new SimClock(T0);
  const { venue } = harness(
    {
      seed,
      latencyMs: 5,
      faults: {
        rejectRate: 0.05,
        timeoutRate: 0.05,
        partialFillRate: 0.2,
        dropMarketDataRate: 0.1,
        outageRate: 0.01,
        outageDurationMs: 20_000,
      },
    },
    clock,
  );
  const rng = new Rng(seed);
  const accounts = ["a", "b", "c"];
  for (const a of accounts) venue.deposit(a, usd(50_000));
  const eth = venue.instrument("ETH");
  let mid = 3000;
  const pending: Promise<unknown>[] = [];
  for (let step = 0; step < 600; step++) {
    mid *= 1 + rng.normal() * 0.004;
    const bid = eth.roundPrice(mid, "buy", "down");
    const ts = clock.now();
    venue.feed({ type: "mark", venue: "simA", symbol: "ETH", ts, markPrice: mid, oraclePrice: mid });
    feedBook(venue, eth, bid, rng.uniform(0.5, 5), 6, bid + 1, ts);
    if (rng.chance(0.3)) {
      const side = rng.chance(0.5) ? "buy" : "sell";
      venue.feed({
        type: "trade",
        venue: "simA",
        symbol: "ETH",
        ts,
        price: eth.priceValue(bid),
        size: rng.uniform(0, 3),
        side,
      });
    }
    if (rng.chance(0.05)) {
      venue.feed({
        type: "funding",
        venue: "simA",
        symbol: "ETH",
        ts,
        ratePerHour: rng.uniform(-0.0005, 0.0005),
      });
    }
    const account = rng.pick(accounts);
    const side = rng.chance(0.5) ? "buy" : "sell";
    pending.push(
      venue
        .submit({
          clientOrderId: `o${step}`,
          account,
          symbol: "ETH",
          side,
          type: "limit",
          priceTicks: bid + rng.int(-5, 6),
          sizeLots: rng.int(1, 40_000),
          tif: rng.pick(["gtc", "ioc", "post_only"] as const),
          reduceOnly: rng.chance(0.15),
        })
        .catch(() => undefined),
    );
    await clock.advance(rng.int(1, 60_000));
  }
  await clock.advance(3_600_000);
  await Promise.all(pending);
  const result = {
    log: venue.eventLog.toJsonLines(),
    snapshot: venue.snapshot(),
    events: venue.eventLog.all().length,
  };
  venue.close();
  return result;
}

test("the same seed gives a byte-identical event log and final state", async () => {
  const a = await runFlow(11);
  const b = await runFlow(11);
  assert.ok(a.events > 500, `only ${a.events} events`);
  for (const type of ["ack", "fill", "canceled", "reject", "funding"]) {
    assert.ok(a.log.includes(`"type":"${type}"`), `no ${type} event in the flow`);
  }
  assert.equal(a.log, b.log);
  assert.equal(a.snapshot, b.snapshot);
  const c = await runFlow(12);
  assert.notEqual(c.log, a.log);
});
