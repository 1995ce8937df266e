import assert from "node:assert/strict";
import { after, test } from "node:test";
import { WallClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import type { RateLimitScope } from "../core/venue-capabilities.ts";
import { READ_CONCURRENCY, StartAbortedError, type StartProgress } from "../engine/startup.ts";
import { openStore, type Store } from "../store/store.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { SimVenue } from "../venues/sim/sim-venue.ts";
import { startNode } from "./node.ts";

// D5 (issue 10): start-up reads run concurrently within each venue's rate limit, report their
// progress and stop at the signal. Real simulated venues with their 50 ms latency, a real store;
// each venue's positions() and accountState() are instrumented to see what reaches the venue.

const LATENCY_MS = 50;
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Probe {
  /** positions requests in flight now, and the most seen while no accountState had been sent */
  inflight: number;
  maxReconcile: number;
  accountStates: number;
  positions: number;
  /** arrival time of each positions request, per venue */
  arrivals: Map<string, number[]>;
}

function world(wallets: number, rateLimits: readonly RateLimitScope[] = []) {
  const clock = new WallClock();
  const probe: Probe = { inflight: 0, maxReconcile: 0, accountStates: 0, positions: 0, arrivals: new Map() };
  const venues = new Map<string, SimVenue>();
  const ids = Array.from({ length: wallets }, (_, i) => `w${i}`);
  for (const id of ["simA", "simB"] as const) {
    const v = new SimVenue({
      id,
      instruments: catalogInstruments(id),
      clock,
      latencyMs: LATENCY_MS,
      capabilities: { rateLimits },
    });
    for (const w of ids) v.deposit(w, usd(1000));
    const positions = v.positions.bind(v);
    const accountState = v.accountState.bind(v);
    v.positions = async (account) => {
      probe.positions++;
      const at = probe.arrivals.get(id) ?? [];
      at.push(Date.now());
      probe.arrivals.set(id, at);
      probe.inflight++;
      if (probe.accountStates === 0) probe.maxReconcile = Math.max(probe.maxReconcile, probe.inflight);
      try {
        return await positions(account);
      } finally {
        probe.inflight--;
      }
    };
    v.accountState = (account) => {
      probe.accountStates++;
      return accountState(account);
    };
    venues.set(id, v);
    cleanups.push(() => v.close());
  }
  return { clock, venues, wallets: ids, probe };
}

async function store(): Promise<Store> {
  const s = await openStore("sqlite::memory:");
  cleanups.push(() => s.close());
  return s;
}

test("start-up reconciles 300 accounts at 50 ms latency concurrently: far below the sequential 15 s, with progress", async () => {
  const w = world(150);
  const progress: StartProgress[] = [];
  const t0 = Date.now();
  const node = await startNode({
    store: await store(),
    venues: w.venues,
    clock: w.clock,
    wallets: w.wallets,
    instances: [],
    start: { progress: (p) => progress.push(p) },
  });
  const took = Date.now() - t0;
  await node.stop();
  const sequentialMs = 300 * LATENCY_MS;
  assert.ok(took < sequentialMs / 5, `start-up took ${took} ms (sequential: ${sequentialMs} ms)`);
  // the reconcile's reads overlapped at the venue, never more than the bound at once
  assert.ok(w.probe.maxReconcile >= 16, `at most ${w.probe.maxReconcile} positions reads at once`);
  assert.ok(w.probe.maxReconcile <= READ_CONCURRENCY, `${w.probe.maxReconcile} reads at once`);
  const reconcile = progress.filter((p) => p.stage === "reconcile");
  assert.deepEqual(reconcile[0], { stage: "reconcile", done: 0, total: 300 });
  assert.deepEqual(reconcile.at(-1), { stage: "reconcile", done: 300, total: 300 });
  // every account read once: what the reconcile read is not read again for the portfolio
  assert.equal(w.probe.positions, 300);
  assert.equal(w.probe.accountStates, 300);
  assert.ok(progress.some((p) => (p.stage === "equity" || p.stage === "portfolio") && p.done === 300));
});

test("start-up reads keep within the venue's rate limit", async () => {
  // 10 requests at once, then 100 a second, per venue (one egress)
  const limit: RateLimitScope = {
    scope: "ip",
    name: "rest",
    capacity: 10,
    refillPerSecond: 100,
    weights: { positions: 1, account_state: 1 },
  };
  const w = world(60, [limit]);
  const node = await startNode({
    store: await store(),
    venues: w.venues,
    clock: w.clock,
    wallets: w.wallets,
    instances: [],
  });
  await node.stop();
  for (const [venue, arrivals] of w.probe.arrivals) {
    // in any 500 ms window at most the bucket plus what refills in it (one request of timer slack)
    for (const t of arrivals) {
      const n = arrivals.filter((x) => x >= t && x < t + 500).length;
      assert.ok(n <= 10 + 50 + 1, `${venue}: ${n} positions requests within 500 ms from ${t}`);
    }
  }
});

test("an aborted start-up stops at once: no further reads, StartAbortedError, nothing left running", async () => {
  const w = world(300);
  const abort = new AbortController();
  const t0 = Date.now();
  let abortedAt = 0;
  let readsAtAbort = 0;
  await assert.rejects(
    startNode({
      store: await store(),
      venues: w.venues,
      clock: w.clock,
      wallets: w.wallets,
      instances: [],
      start: {
        signal: abort.signal,
        progress: (p) => {
          if (p.stage === "reconcile" && p.done >= 64 && !abort.signal.aborted) {
            abortedAt = Date.now();
            readsAtAbort = w.probe.positions;
            abort.abort("SIGINT");
          }
        },
      },
    }),
    (e: unknown) => e instanceof StartAbortedError && e.why === "SIGINT",
  );
  const stoppedAfter = Date.now() - abortedAt;
  assert.ok(abortedAt > t0);
  assert.ok(stoppedAfter < 1000, `stopped ${stoppedAfter} ms after the abort`);
  // the reads under way finished; none started after the abort
  assert.ok(
    w.probe.positions <= readsAtAbort + 1,
    `${w.probe.positions} reads, ${readsAtAbort} at the abort`,
  );
  assert.ok(w.probe.positions < 600);
  assert.equal(w.probe.accountStates, 0, "the portfolio stage never began");
});
