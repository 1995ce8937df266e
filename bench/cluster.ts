/**
 * The pool's costs on PostgreSQL (issue 19):
 *
 * - `lease_renew_ms`: one renewal round of a worker holding 1,000 leases (one UPDATE of all of
 *   them plus its `workers` row), the median of 20 rounds. It must stay well under the renewal
 *   interval (a third of the TTL, 3.3 s by default).
 * - `takeover_ms`: what a worker spends taking over a unit whose holder died, once the lease has
 *   expired: acquiring the lease, opening the unit's fenced store (fence trigger installed) and
 *   the engine's start-up (journal recovery and one reconcile with the venues) on 20 wallets
 *   with open groups; the median of 5 takeovers. The whole takeover time after a death is the
 *   TTL plus this (plus up to one balancing tick).
 *
 * - `journal_commit_pg_us`: the CPU of one journal batch committed on PostgreSQL as the store
 *   commits it (one statement, store/journal/postgres.ts `commitJournalBatchPg`), against
 *   `journal_commit_pg_tx_us`, the same batches as a transaction of one statement per table (what
 *   it replaced, and still its fallback), alternated in the same run: an open's write-ahead batch
 *   (group, two legs, two orders, two events) and the status change after it, 2 x 1,500 of each.
 *
 * Needs the PostgreSQL of PERPBOT_TEST_PG_URL (default the local one); without it the suite
 * says so on stderr and reports nothing. Run alone: `node bench/run.ts --only cluster`.
 */
import { dataSchemaFor, openFencedStore } from "../src/app/cluster/fence.ts";
import { type HeldLease, LeaseManager } from "../src/app/cluster/lease-manager.ts";
import { WallClock } from "../src/core/clock.ts";
import { usd } from "../src/core/money.ts";
import type { Venue } from "../src/core/venue.ts";
import { AlertBus } from "../src/engine/alerts.ts";
import { Engine } from "../src/engine/executor.ts";
import { LeaseStore } from "../src/store/cluster/lease-store.ts";
import { commitJournalBatchKysely, commitJournalBatchPg } from "../src/store/journal/postgres.ts";
import type { JournalBatch } from "../src/store/journal/rows.ts";
import { openStore, storeInternals } from "../src/store/store.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../src/testing/cluster/pg.ts";
import { feedBtc } from "../src/testing/engine.ts";
import { engineOrderRow, groupRow, legRow } from "../src/testing/journal-rows.ts";
import { catalogInstruments } from "../src/venues/sim/catalog.ts";
import { SimVenue } from "../src/venues/sim/sim-venue.ts";
import type { BenchFigure, BenchSuite } from "./harness.ts";

const LEASES = 1_000;
const WALLETS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function renewBench(leases: LeaseStore): Promise<number> {
  const m = new LeaseManager({ leases, workerId: "bench-renew", ttlMs: 60_000 });
  await m.start();
  for (let i = 0; i < LEASES; i++) await m.acquire(`l${i}`);
  const runs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    await m.renewNow();
    runs.push(ms(t0));
  }
  if (m.keys().length !== LEASES) throw new Error(`bench: ${m.keys().length} of ${LEASES} leases still held`);
  await m.stop(false);
  return median(runs);
}

/** A unit's engine on its fenced store and one venue; `groups` groups opened first. */
async function engineOn(
  leases: LeaseStore,
  lease: HeldLease,
  schema: string,
  sim: SimVenue,
  clock: WallClock,
) {
  const store = await openFencedStore(PG_URL, leases, lease, schema, { pgPoolSize: 4 });
  const venues = new Map<string, Venue>([["simA", sim]]);
  const accounts = Array.from({ length: WALLETS }, (_, i) => ({ venue: "simA", account: `w${i}` }));
  const engine = new Engine({
    store,
    venues,
    clock,
    alerts: new AlertBus(),
    accounts,
    settings: { killSwitch: undefined },
  });
  return { store, engine };
}

async function takeoverBench(leases: LeaseStore): Promise<number> {
  const clock = new WallClock();
  const sim = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock, seed: 1 });
  for (let i = 0; i < WALLETS; i++) sim.deposit(`w${i}`, usd(1_000_000));
  const feed = setInterval(() => feedBtc(sim, sim.instrument("BTC"), 60_000, clock.now()), 50);
  feedBtc(sim, sim.instrument("BTC"), 60_000, clock.now());
  const schema = dataSchemaFor(leases.schema, "bench_unit");
  try {
    // the first holder opens a few groups, then dies (is abandoned without a stop)
    const first = new LeaseManager({ leases, workerId: "bench-a", ttlMs: 60_000 });
    const l0 = (await first.acquire("bench_unit")) as HeldLease;
    const a = await engineOn(leases, l0, schema, sim, clock);
    await a.engine.start();
    for (let g = 0; g < WALLETS / 2; g++) {
      await a.engine.openGroup(
        [
          { venue: "simA", account: `w${2 * g}`, symbol: "BTC", side: "buy", sizeLots: 1_000 },
          { venue: "simA", account: `w${2 * g + 1}`, symbol: "BTC", side: "sell", sizeLots: 1_000 },
        ],
        {
          groupId: `g${g}`,
          strategy: "bench",
          entry: { kind: "ioc", maxSlippageBps: 50 },
          fillTimeoutMs: 1_000,
        },
      );
    }
    await a.engine.stop();
    await a.store.close();
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      await leases.release(
        "bench_unit",
        (await leases.leases()).find((r) => r.key === "bench_unit")?.token ?? 0,
      );
      const m = new LeaseManager({ leases, workerId: `bench-b${i}`, ttlMs: 60_000 });
      const t0 = process.hrtime.bigint();
      const lease = await m.acquire("bench_unit");
      if (lease === undefined) throw new Error("bench: the expired lease could not be taken");
      const b = await engineOn(leases, lease, schema, sim, clock);
      await b.engine.start();
      runs.push(ms(t0));
      if ((await b.engine.groups({ status: ["open"] })).length === 0)
        throw new Error("bench: no group resumed");
      await b.engine.stop();
      await b.store.close();
    }
    return median(runs);
  } finally {
    clearInterval(feed);
    sim.close();
  }
}

/** An open's write-ahead batch of group `g` and the status change that follows it. */
function openBatches(g: string, t: number): [JournalBatch, JournalBatch] {
  const ids = [`${g}-0`, `${g}-1`];
  const legs = [legRow(g, 0), legRow(g, 1)];
  return [
    {
      groups: [
        {
          kind: "insert",
          group: groupRow(g, {
            strategy: "bench",
            entry: '{"kind":"ioc","maxSlippageBps":30}',
            createdAt: t,
            updatedAt: t,
          }),
          legs,
        },
      ],
      orders: legs.map((l, i) => ({
        fresh: true,
        row: engineOrderRow(ids[i], g, {
          account: l.account,
          side: l.side,
          legIndex: i,
          createdAt: t,
          updatedAt: t,
        }),
      })),
      events: ids.map((id) => ({ clientOrderId: id, kind: "submit_sent", payload: "{}", ts: t })),
      fills: [],
    },
    {
      groups: [{ kind: "update", groupId: g, patch: { status: "open", detail: "", updatedAt: t + 1 } }],
      orders: [],
      events: ids.map((id) => ({ clientOrderId: id, kind: "ack", payload: "{}", ts: t + 1 })),
      fills: [],
    },
  ];
}

/** CPU µs per batch of the store's one-statement commit and of the transaction it replaced. */
async function journalBench(cluster: string): Promise<{ one: number; tx: number }> {
  const store = await openStore(PG_URL, { pgSchema: `${cluster}_journal`, pgPoolSize: 2 });
  try {
    const { db } = storeInternals(store);
    const paths = { one: commitJournalBatchPg, tx: commitJournalBatchKysely } as const;
    const cpu = { one: 0, tx: 0 };
    const N = 1_500;
    let n = 0;
    for (const round of [0, 1, 2]) {
      for (const name of ["one", "tx"] as const) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < N; i++) {
          for (const b of openBatches(`g${n++}`, 1_760_000_000_000 + n)) await paths[name](db, b);
        }
        const c = process.cpuUsage(c0);
        // the first round warms both paths up
        if (round > 0) cpu[name] += c.user + c.system;
      }
    }
    return { one: cpu.one / (2 * 2 * N), tx: cpu.tx / (2 * 2 * N) };
  } finally {
    await store.close();
  }
}

const suite: BenchSuite = async () => {
  const down = await pgUnavailable();
  if (down !== undefined) {
    process.stderr.write(`bench cluster: skipped, ${down}\n`);
    return [];
  }
  const cluster = freshSchema("bench");
  const leases = await LeaseStore.open(PG_URL, cluster);
  try {
    const renew = await renewBench(leases);
    const takeover = await takeoverBench(leases);
    const journal = await journalBench(cluster);
    const figures: BenchFigure[] = [
      {
        key: "lease_renew_ms",
        value: renew,
        unit: "ms",
        target: "<= 100 ms (1,000 leases)",
        ok: renew <= 100,
      },
      {
        key: "takeover_ms",
        value: takeover,
        unit: "ms",
        target: "<= 1000 ms after expiry",
        ok: takeover <= 1000,
      },
      {
        key: "journal_commit_pg_us",
        value: journal.one,
        unit: "µs CPU",
        target: "< journal_commit_pg_tx_us (same run)",
        ok: journal.one < journal.tx,
      },
      { key: "journal_commit_pg_tx_us", value: journal.tx, unit: "µs CPU" },
    ];
    return figures;
  } finally {
    await leases.close();
    await dropCluster(cluster);
  }
};

export default suite;
