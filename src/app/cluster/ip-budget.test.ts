import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import type { RateLimitScope } from "../../core/venue-capabilities.ts";
import { RateLimiter } from "../../engine/risk/rate-limiter.ts";
import { LeaseStore } from "../../store/cluster/lease-store.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../../testing/cluster/pg.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { splitIpScopes, WorkerLimiter } from "./ip-budget.ts";
import { LeaseManager } from "./lease-manager.ts";

const SCOPES: RateLimitScope[] = [
  { scope: "ip", name: "rest", capacity: 12, refillPerSecond: 6, weights: { submit: 1 } },
  { scope: "account", name: "orders", capacity: 100, refillPerSecond: 100, weights: { submit: 1 } },
];

/** How many submits of `account` go at once before the limiter makes one wait. */
function burst(limiter: RateLimiter, account: string): number {
  let n = 0;
  while (limiter.reserve("v", account, "submit") === 0) n++;
  return n;
}

test("each of n workers on one egress meters 1/n of a per-IP scope; account scopes are not split", () => {
  assert.deepEqual(splitIpScopes(SCOPES, 3), [{ ...SCOPES[0], capacity: 4, refillPerSecond: 2 }, SCOPES[1]]);
  const clock = new SimClock(0);
  const whole = new RateLimiter({ clock, venues: [["v", SCOPES]] });
  assert.equal(burst(whole, "a1"), 12);
  // three workers' shares together are the venue's whole per-IP burst, however the accounts move
  const shares = [1, 2, 3].map(() => new RateLimiter({ clock, venues: [["v", splitIpScopes(SCOPES, 3)]] }));
  assert.deepEqual(
    shares.map((l, i) => burst(l, `a${i}`)),
    [4, 4, 4],
  );
  assert.throws(() => splitIpScopes(SCOPES, 0), /workers per IP: expected an integer >= 1, got 0/);
});

test("a worker's units share one limiter: one unit's sends use up the worker's per-IP share for the others", () => {
  const clock = new SimClock(0);
  const venue = new SimVenue({
    id: "simA",
    instruments: catalogInstruments("simA"),
    clock,
    seed: 1,
    capabilities: { rateLimits: SCOPES },
  });
  try {
    const w = new WorkerLimiter(2);
    const unitA = w.for(new Map([["simA", venue]]), clock);
    const unitB = w.for(new Map([["simA", venue]]), clock);
    assert.equal(unitA, unitB, "one limiter per worker");
    // the worker's share of the 12-request burst is 6: unit A takes it all, unit B must wait
    let n = 0;
    while (unitA.reserve("simA", "acct-a", "submit") === 0) n++;
    assert.equal(n, 6);
    assert.ok(unitB.reserve("simA", "acct-b", "submit") > 0, "unit B waits for the worker's share to refill");
  } finally {
    venue.close();
  }
});

const down = await pgUnavailable();
describe("workers per egress on PostgreSQL", { skip: down ?? false }, () => {
  const cluster = freshSchema("ip");
  let leases: LeaseStore;
  before(async () => {
    leases = await LeaseStore.open(PG_URL, cluster);
  });
  after(async () => {
    await leases?.close();
    await dropCluster(cluster);
  });

  test("one worker more than an egress is split for is refused with a clear error; another egress or a stop makes room", async () => {
    const m = (id: string, egress: string) =>
      new LeaseManager({ leases, workerId: id, egress, workersPerIp: 2, ttlMs: 30_000 });
    const a = m("a", "nat-1");
    const b = m("b", "nat-1");
    await a.start();
    await b.start();
    await assert.rejects(
      m("c", "nat-1").start(),
      /worker c: egress "nat-1" already has 2 live worker\(s\) \(a, b\) and each takes 1\/2 of the venues' per-IP rate limits; one more would exceed them\. Raise --workers-per-ip on every worker of this egress, or give this one its own --egress\./,
    );
    const d = m("d", "nat-2");
    await d.start();
    await b.stop(true);
    const c = m("c", "nat-1");
    await c.start();
    const rows = await leases.workers();
    assert.deepEqual(
      rows.map((r) => [r.workerId, r.egress, r.workersPerIp, r.stoppedAt === null]),
      [
        ["a", "nat-1", 2, true],
        ["b", "nat-1", 2, false],
        ["c", "nat-1", 2, true],
        ["d", "nat-2", 2, true],
      ],
    );
    for (const x of [a, c, d]) await x.stop(true);
  });
});
