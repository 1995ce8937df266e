import assert from "node:assert/strict";
import { test } from "node:test";
import type { RateLimitScope, RequestKind } from "../core/venue-capabilities.ts";
import { CountingVenue } from "../testing/counting-venue.ts";
import { ACCOUNTS, makeWorld, type World } from "../testing/engine.ts";

/**
 * One limiter per metered scope covers every venue call the engine makes: orders (submit,
 * cancel, amend, order status), reconciliation (positions, account state for the kill switch),
 * the portfolio refresh and the flatten sweep all draw on the same per-IP bucket, which the four
 * accounts of simA share (they all leave "direct"). Counted on the venue, on the SimClock.
 */

const CAPACITY = 4;
const REFILL_PER_S = 4;
const EVERY_KIND: Partial<Record<RequestKind, number>> = {
  submit: 1,
  cancel: 1,
  amend: 1,
  order_status: 1,
  open_orders: 1,
  positions: 1,
  account_state: 1,
  fills: 1,
  funding_payments: 1,
  set_leverage: 1,
};
const SCOPE: RateLimitScope = {
  scope: "ip",
  name: "rest",
  capacity: CAPACITY,
  refillPerSecond: REFILL_PER_S,
  weights: EVERY_KIND,
};

/** Orders on every account, amends, cancels and a flatten, with reconcile and refresh on their timers. */
async function workload(rateLimits: readonly RateLimitScope[] | undefined) {
  let counting: CountingVenue | undefined;
  const w: World = await makeWorld({
    wrapA: (v, clock) => {
      counting = new CountingVenue(v, clock, rateLimits);
      return counting;
    },
    settings: {
      reconcileIntervalMs: 500,
      portfolioRefreshMs: 500,
      portfolioMaxAgeMs: 500,
      killSwitch: { maxDrawdownPct: 90, consecutiveDrops: 1_000 },
    },
  });
  const venue = counting!;
  try {
    const bid = () => w.simA.book("BTC").bestBidTicks()!;
    const placed = await w.drive(
      Promise.all(
        ACCOUNTS.flatMap((account) =>
          [1, 2].map((i) =>
            w.engine.placeOrder({
              strategy: "maker",
              intentId: `${account}-${i}`,
              venue: "simA",
              account,
              symbol: "BTC",
              side: "buy",
              sizeLots: 1000,
              priceTicks: bid() - 10 - i,
              type: "limit",
              tif: "gtc",
              reduceOnly: false,
            }),
          ),
        ),
      ),
    );
    assert.ok(
      placed.every((p) => p.ok),
      JSON.stringify(placed.filter((p) => !p.ok)),
    );
    await w.drive(
      Promise.all(
        placed.slice(0, 4).map((p) => w.engine.amendOrder(p.clientOrderId, { priceTicks: bid() - 20 })),
      ),
    );
    await w.drive(Promise.all(placed.map((p) => w.engine.cancelOrder(p.clientOrderId))));
    await w.advance(10_000);
    await w.drive(w.engine.flatten({ venue: "simA" }));
    await w.advance(5_000);
    // stop on the driven clock: the refresh passes waiting for their budget wake on it
    await w.drive(w.engine.stop());
    return { calls: venue.calls, endedAt: w.clock.now() };
  } finally {
    await w.close();
  }
}

/** The most calls in any window of `ms` (windows start at a call). */
function busiestWindow(calls: readonly { ts: number }[], ms: number): number {
  let most = 0;
  let j = 0;
  for (let i = 0; i < calls.length; i++) {
    while (calls[j].ts < calls[i].ts - ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

test("orders, reconciliation, refresh and flatten together stay within one per-IP budget shared by the accounts", async () => {
  const { calls, endedAt } = await workload([SCOPE]);
  const kinds = new Set(calls.map((c) => c.kind));
  for (const k of ["submit", "amend", "cancel", "positions", "account_state"] as const)
    assert.ok(kinds.has(k), `the workload made ${k} calls (${[...kinds].join(", ")})`);
  assert.equal(
    new Set(calls.map((c) => c.account)).size,
    ACCOUNTS.length,
    "every account drew on the bucket",
  );
  // a token bucket lets through at most capacity + refill · t in any window of length t
  for (const ms of [250, 1_000, 5_000]) {
    const budget = CAPACITY + (REFILL_PER_S * ms) / 1000;
    const most = busiestWindow(calls, ms);
    assert.ok(most <= budget, `${most} calls in ${ms} ms, budget ${budget}`);
  }
  // from the first call (the engine's start-up reads come before the workload starts)
  const total = CAPACITY + (REFILL_PER_S * (endedAt - calls[0].ts)) / 1000;
  assert.ok(calls.length <= total, `${calls.length} calls over the run, budget ${total}`);
});

test("the same workload unmetered goes far beyond that budget (what the limiter holds back)", async () => {
  const { calls } = await workload(undefined);
  const budget = CAPACITY + REFILL_PER_S;
  const most = busiestWindow(calls, 1_000);
  assert.ok(most > 2 * budget, `${most} calls in the busiest second; the metered run allows ${budget}`);
});
