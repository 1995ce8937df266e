/**
 * One worker of the multi-worker chaos test (pool-run.ts): joins the pool on PostgreSQL and,
 * for every unit (a wallet group) it leases, opens the unit's durable simulated venues
 * (`<dir>/<unit>/sim.db`), starts an engine on the unit's fenced store (recovery and reconcile
 * first) and drives a workload of group opens and closes on the unit's wallets. Every send that
 * reaches a venue is appended to `<dir>/sends-<worker>.log` as `unit token t(µs) op`, which is
 * how the parent tells whether two workers ever drove one unit at once. Takeovers are printed as
 * `TAKEOVER {json}` lines, start-ups that did not end trading as `FAILEDSTART {json}`. SIGTERM stops cleanly (units stopped, leases released).
 *
 *   node src/testing/chaos/pool-worker.ts --url <pg> --cluster <schema> --dir <dir> --worker <id>
 *        --units u0,u1,... --wallets <per unit> [--ttl <ms>] [--pace <ms>] [--reconcile <ms>]
 *        [--renew-on-loop]
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { WorkerPool } from "../../app/cluster/pool.ts";
import { WallClock } from "../../core/clock.ts";
import { usd } from "../../core/money.ts";
import { Rng } from "../../core/random.ts";
import type { Venue } from "../../core/venue.ts";
import { AlertBus } from "../../engine/alerts.ts";
import { Engine, type LegSpec } from "../../engine/executor.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { SimStateTakenError, simStateWritable } from "../../venues/sim/sqlite-store.ts";
import { feedBtc } from "../engine.ts";

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : dflt;
  if (v === undefined) throw new Error(`pool-worker: ${name} is required`);
  return v;
};
const dir = arg("--dir");
const workerId = arg("--worker");
const perUnit = Number(arg("--wallets"));
const ttlMs = Number(arg("--ttl", "1500"));
// (the defaults are pool-run.ts's, which always passes both)
const paceMs = Number(arg("--pace"));
const reconcileMs = Number(arg("--reconcile"));
const sendsLog = join(dir, `sends-${workerId}.log`);
const say = (line: string) => process.stdout.write(`${line}\n`);
// µs on the system's monotonic clock: one clock for every worker process (the wall clock, which
// performance.timeOrigin is read from, can be stepped between two workers' starts)
const now = () => Number(process.hrtime.bigint() / 1000n);

/**
 * per unit start (`key:token`): ms opening the fenced store, the venues, the engine's start, and
 * the engine start's stages as its progress reports name them (the recovery, the unfinished
 * orders and groups, the reconcile of positions, the portfolio read)
 */
const phases = new Map<
  string,
  { storeMs: number; venuesMs: number; engineMs: number; stages: Record<string, number> }
>();

export const walletsOf = (unit: string, n: number) => Array.from({ length: n }, (_, i) => `${unit}w${i}`);

/** A venue that logs every call that reached it (inside the fence: what actually left). */
function logged(v: Venue, unit: string, token: number): Venue {
  const sends = new Set(["submit", "cancel", "amend"]);
  // each method wrapped once (a fresh bound function per read was a worker's CPU for nothing)
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(v, {
    get(target, prop) {
      const f = Reflect.get(target, prop, target);
      if (typeof f !== "function") return f;
      let w = wrapped.get(prop);
      if (w === undefined) {
        w =
          typeof prop === "string" && sends.has(prop)
            ? (...a: unknown[]) => {
                appendFileSync(sendsLog, `${unit} ${token} ${now()} ${prop}\n`);
                return f.apply(target, a);
              }
            : f.bind(target);
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}

const pool = await WorkerPool.start({
  url: arg("--url"),
  clusterSchema: arg("--cluster"),
  workerId,
  units: arg("--units").split(","),
  ttlMs,
  renewEveryMs: Math.floor(ttlMs / 4),
  balanceEveryMs: 100,
  // --renew-on-loop: renewals on the event loop, as before the renewal thread (for comparison)
  renewOnLoop: process.argv.includes("--renew-on-loop"),
  // 50 units on three workers, and a stopped worker's sessions still open: one connection per
  // unit keeps the run inside the test server's max_connections (100), which others share
  unitPgPoolSize: 1,
  log: (level, msg) => {
    if (level !== "info") process.stderr.write(`${workerId} ${level}: ${msg}\n`);
    if (msg.includes("failed to start")) say(`STARTFAIL ${msg}`);
  },
  startUnit: async (ctx) => {
    const p0 = performance.now();
    const clock = new WallClock();
    const wallets = walletsOf(ctx.key, perUnit);
    const simDb = join(dir, `${ctx.key}.sim.db`);
    // the store connects while the venues load (their opening is synchronous SQLite work)
    const opening = ctx.openStore();
    // (a failure is seen where it is awaited; until then it must not count as unhandled)
    opening.catch(() => undefined);
    let sims: SimVenue[];
    try {
      const writable = await simStateWritable(simDb);
      try {
        sims = (["simA", "simB"] as const).map(
          (id) =>
            new SimVenue({
              id,
              instruments: catalogInstruments(id),
              clock,
              dbPath: simDb,
              latencyMs: 1,
              faults: { timeoutRate: 0.03, rejectRate: 0.02, partialFillRate: 0.1 },
              seed: `${id}-${ctx.key}-${ctx.lease.token}`,
              // a stale copy (this worker was paused and the unit taken over) may not save
              onStoreFailure: (e) =>
                say(`SIMFAIL ${e instanceof SimStateTakenError ? "stale" : "other"} ${e.message}`),
            }),
        );
      } finally {
        writable();
      }
    } catch (e) {
      await opening.then((s) => s.close()).catch(() => undefined);
      throw e;
    }
    for (const v of sims) {
      const known = new Set(v.accountNames());
      for (const a of wallets) if (!known.has(a)) v.deposit(a, usd(10_000_000));
    }
    const [simA, simB] = sims;
    // the market moves only while the lease holds: a resumed worker feeds nothing
    const feed = () => {
      if (ctx.lease.lost || performance.now() >= ctx.lease.validUntil) return;
      feedBtc(simA, simA.instrument("BTC"), 60_000, clock.now());
      feedBtc(simB, simB.instrument("BTCUSDT"), 60_000, clock.now());
    };
    feed();
    // 17 units per worker on a shared 2-core machine: the feed and the periodic reconcile of every
    // unit are most of a worker's load, and a starved event loop delays renewals and takeovers
    const feeder = setInterval(feed, 250);
    const venues = new Map<string, Venue>(
      sims.map((v) => [v.id, ctx.wrapVenue(logged(v, ctx.key, ctx.lease.token))] as const),
    );
    const closeAll = () => {
      clearInterval(feeder);
      for (const v of sims) v.close();
    };
    let store: Awaited<ReturnType<typeof ctx.openStore>>;
    let engine: Engine;
    const p1 = performance.now();
    try {
      store = await opening;
      const p2 = performance.now();
      engine = new Engine({
        store,
        venues,
        clock,
        alerts: new AlertBus(),
        accounts: wallets.flatMap((account) => [
          { venue: "simA", account },
          { venue: "simB", account },
        ]),
        settings: {
          reconcileIntervalMs: reconcileMs,
          orphanGraceMs: 500,
          // the run lasts seconds, not minutes: orphan retries, the entry lock and the post-close quiet
          // scaled with the grace, so orphans are still handled within a run
          orphanRetryCooldownMs: 1_000,
          orphanEntryLockMs: 500,
          orphanCloseQuietMs: 500,
          sendExpiryMs: 300,
          unknownRetryMs: 25,
          closeRetryInitialMs: 25,
          closeRetryMaxMs: 200,
          closeMaxAttempts: 6,
          killSwitch: undefined,
        },
      });
      // ms in each stage, from one stage's first progress report to the next one's
      const stages: Record<string, number> = {};
      let stage = "recovery";
      let at = performance.now();
      await engine.start({
        progress: (p) => {
          if (p.stage === stage) return;
          stages[stage] = (stages[stage] ?? 0) + performance.now() - at;
          stage = p.stage;
          at = performance.now();
        },
      });
      stages[stage] = (stages[stage] ?? 0) + performance.now() - at;
      phases.set(`${ctx.key}:${ctx.lease.token}`, {
        venuesMs: p1 - p0,
        storeMs: p2 - p1,
        engineMs: performance.now() - p2,
        stages,
      });
    } catch (e) {
      closeAll();
      throw e;
    }
    let failed: (e: Error) => void = () => {};
    const failure = new Promise<Error>((r) => {
      failed = r;
    });
    engine.onJournalFailed((e) => failed(e));
    let running = true;
    const loop = workload(engine, clock, wallets, ctx.key, ctx.lease.token, () => running);
    return {
      failure,
      async stop() {
        running = false;
        await loop.catch(() => undefined);
        await engine.stop().catch(() => undefined);
        await store.close().catch(() => undefined);
        closeAll();
      },
    };
  },
});

/**
 * Keep a few groups open on the unit's wallets; open new ones and close old ones. What is open
 * and which wallets are busy is kept from the outcomes, and read again from the store (the
 * groups still active) at the start, after an outcome that leaves a group neither open nor gone,
 * and every second: reading every group from the store twice per action, as before, was most of
 * the run's PostgreSQL queries, which no strategy does.
 */
async function workload(
  engine: Engine,
  clock: WallClock,
  wallets: readonly string[],
  unit: string,
  token: number,
  running: () => boolean,
): Promise<void> {
  const rng = new Rng(`pool-chaos-${unit}-${token}`);
  let n = 0;
  // groupId -> its wallets and whether it is open (else busy: opening, closing, unwinding)
  const groups = new Map<string, { accounts: string[]; open: boolean }>();
  let readAt = Number.NEGATIVE_INFINITY;
  let stale = true;
  const reread = async () => {
    const active = await engine.groups({ activeOnly: true });
    groups.clear();
    for (const g of active)
      groups.set(g.groupId, { accounts: g.legs.map((l) => l.account), open: g.status === "open" });
    readAt = clock.now();
    stale = false;
  };
  while (running()) {
    if (stale || clock.now() - readAt >= 1_000) await reread();
    const open = [...groups].filter(([, g]) => g.open).map(([id]) => id);
    if (open.length >= 2 || (open.length > 0 && rng.chance(0.3))) {
      const id = open[Math.floor(rng.next() * open.length)];
      const g = groups.get(id);
      if (g !== undefined) g.open = false;
      void engine
        .closeGroup(id, "time_limit")
        .then((r) => {
          if (r.ok) groups.delete(id);
          else stale = true;
        })
        .catch(() => {
          stale = true;
        });
    } else {
      const busy = new Set([...groups.values()].flatMap((g) => g.accounts));
      const free = wallets.filter((a) => !busy.has(a));
      if (free.length >= 2) {
        const [a, b] = [free[0], free[1]];
        const legs: LegSpec[] = [
          { venue: "simA", account: a, symbol: "BTC", side: "buy", sizeLots: 10_000 },
          { venue: "simB", account: b, symbol: "BTCUSDT", side: "sell", sizeLots: 100 },
        ];
        const id = `${unit}-${token}-${n++}`;
        groups.set(id, { accounts: [a, b], open: false });
        const opening = engine
          .openGroup(legs, {
            groupId: id,
            strategy: "chaos",
            entry: { kind: "ioc", maxSlippageBps: 30 },
            fillTimeoutMs: 400,
          })
          .then((r) => {
            const g = groups.get(id);
            if (r.ok && g !== undefined) g.open = true;
            else if (!r.ok && (r.status === "failed" || r.status === "closed")) groups.delete(id);
            else if (!r.ok) stale = true;
          })
          .catch(() => {
            stale = true;
          });
        if (rng.chance(0.5)) await opening;
      }
    }
    await clock.sleep(Math.floor(paceMs / 4 + rng.next() * ((3 * paceMs) / 4)));
  }
}

// takeovers as the parent reads them, with the phases of their start; the event loop's delay
let reported = 0;
const takeoverLine = (i: number) => {
  const t = pool.takeovers[i];
  return `TAKEOVER ${JSON.stringify({ ...t, ...phases.get(`${t.key}:${t.token}`) })}`;
};
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
let failedReported = 0;
const reportAll = () => {
  for (; reported < pool.takeovers.length; reported++) say(takeoverLine(reported));
  for (; failedReported < pool.failedStarts.length; failedReported++)
    say(`FAILEDSTART ${JSON.stringify(pool.failedStarts[failedReported])}`);
};
const report = setInterval(reportAll, 100);
const lagReport = setInterval(() => {
  say(`LAG ${(lag.percentile(99) / 1e6).toFixed(1)} ${(lag.max / 1e6).toFixed(1)}`);
  lag.reset();
}, 1000);
say("READY");
process.once("SIGTERM", () => {
  void (async () => {
    await pool.stop();
    clearInterval(report);
    clearInterval(lagReport);
    reportAll();
    say("STOPPED");
    process.exit(0);
  })();
});
