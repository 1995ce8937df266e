import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LeaseStore } from "../../store/cluster/lease-store.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../../testing/cluster/pg.ts";
import { WorkerPool, type WorkerPoolOptions } from "./pool.ts";

const down = await pgUnavailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 50 ms; fails naming `what` after `limitMs` (a hang guard, not a speed check). */
async function until(what: string, cond: () => boolean, limitMs = 30_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 50) {
    if (waited >= limitMs) assert.fail(`still waiting for ${what}`);
    await sleep(50);
  }
}

describe("pool balancing on PostgreSQL", { skip: down ?? false }, () => {
  const cluster = freshSchema("pool");
  let leases: LeaseStore;
  before(async () => {
    leases = await LeaseStore.open(PG_URL, cluster);
  });
  after(async () => {
    await leases?.close();
    await dropCluster(cluster);
  });
  /** registers (or re-registers, a new process under the id) a worker without a pool */
  const register = (workerId: string, pid: number, ttlMs: number) =>
    leases.registerWorker({ workerId, host: "h", pid, ttlMs, egress: "default", workersPerIp: 3 });
  /** a pool worker over `units` whose units start and stop at once (or as `more` says) */
  const poolOf =
    (units: readonly string[], ttlMs: number, more: Partial<WorkerPoolOptions> = {}) =>
    (id: string) =>
      WorkerPool.start({
        url: PG_URL,
        clusterSchema: cluster,
        workerId: id,
        units,
        ttlMs,
        renewEveryMs: 250,
        balanceEveryMs: 50,
        startUnit: async () => ({ stop: async () => {} }),
        ...more,
      });

  test("a dead worker's expired units are taken at once by the live workers, above their share, while its restart is slow", async () => {
    const units = ["u0", "u1", "u2", "u3", "u4", "u5"];
    const ttlMs = 1_000;
    // worker d holds u0..u2, then dies; a new process under its id registers but takes nothing
    // yet (a slow restart): it counts as live, so the share stays at 2 per worker
    await register("d", 1, ttlMs);
    for (const k of ["u0", "u1", "u2"]) assert.ok(await leases.acquire(k, "d", ttlMs));
    const pool = poolOf(units, ttlMs);
    const a = await pool("a");
    const b = await pool("b");
    let d: WorkerPool | undefined;
    const keepAlive = setInterval(() => void leases.renew("d", [], ttlMs), 200);
    try {
      await register("d", 2, ttlMs);
      // d's units, taken over by a or b (a unit they hand each other is a takeover too)
      const mine = ["u0", "u1", "u2"];
      const takenOver = () =>
        new Set([...a.takeovers, ...b.takeovers].filter((t) => mine.includes(t.key)).map((t) => t.key));
      await until("d's three units to be taken over", () => takenOver().size === 3);
      // the share is ceil(6 / 3 live workers) = 2, so the old rule (take only below the share)
      // left at least one of d's units waiting for d; the orphans were taken above the share
      for (const t of [...a.takeovers, ...b.takeovers].filter((t) => mine.includes(t.key)))
        assert.ok(t.acquireMs >= 0 && t.startMs >= 0 && (t.sinceExpiryMs ?? -1) >= 0, JSON.stringify(t));
      // d's process gets going at last: the units it lacks are handed back to it cleanly
      clearInterval(keepAlive);
      d = await pool("d");
      const dd = d;
      await until("two units per worker", () => [a, b, dd].every((w) => w.units().length === 2));
      assert.deepEqual([...a.units(), ...b.units(), ...dd.units()].sort(), units);
    } finally {
      clearInterval(keepAlive);
      await Promise.all([a.stop(), b.stop(), d?.stop()]);
    }
  });

  test("a worker started moments ago (cold) leaves a dead worker's units to the warm ones, and gets its share handed back once warm", async () => {
    const units = ["c0", "c1", "c2", "c3"];
    const ttlMs = 1_000;
    await register("dead", 1, ttlMs);
    const deadTokens: number[] = [];
    for (const k of ["c0", "c1"]) {
      const row = await leases.acquire(k, "dead", ttlMs);
      assert.ok(row);
      deadTokens.push(row.token);
    }
    // "dead" stays alive (leases and worker row renewed) until the warm worker is warm
    const keepAlive = setInterval(() => void leases.renew("dead", deadTokens, ttlMs), 200);
    const pool = poolOf(units, ttlMs);
    const warm = await pool("warm");
    let cold: WorkerPool | undefined;
    try {
      await sleep(2 * ttlMs + 300);
      // "dead" dies; "cold" starts just before its leases run out
      clearInterval(keepAlive);
      cold = await pool("cold");
      const c = cold;
      await until("the dead worker's units to be taken over", () =>
        ["c0", "c1"].every((k) => warm.units().includes(k) || c.units().includes(k)),
      );
      assert.deepEqual(
        c.takeovers.filter((t) => t.key === "c0" || t.key === "c1"),
        [],
        "the cold worker took none of them",
      );
      // once warm (two TTLs after its start) it is handed its share
      await until("two units each", () => warm.units().length === 2 && c.units().length === 2);
    } finally {
      clearInterval(keepAlive);
      await Promise.all([warm.stop(), cold?.stop()]);
    }
  });

  test("a dying holder's units are dealt out to the warm workers holding fewest, each opening its part's store connection before the expiry", async () => {
    const units = ["s0", "s1", "s2", "s3", "s4", "s5"];
    const ttlMs = 1_000;
    await register("gone", 1, ttlMs);
    const tokens: number[] = [];
    // every other unit of the list, as one worker holds after taking its part from another: the
    // place in the list modulo two would give all three to one worker
    for (const k of ["s1", "s3", "s5"]) {
      const row = await leases.acquire(k, "gone", ttlMs);
      assert.ok(row);
      tokens.push(row.token);
    }
    const keepAlive = setInterval(() => void leases.renew("gone", tokens, ttlMs), 200);
    // units that open their (fenced) store, as a real unit does at its start
    const start = poolOf(units, ttlMs, {
      unitPgPoolSize: 1,
      startUnit: async (ctx) => {
        const store = await ctx.openStore();
        return { stop: () => store.close() };
      },
    });
    const a = await start("a");
    const b = await start("b");
    try {
      // a took the three free units alone; once b is warm, a hands it the last (share 2 of 6)
      await until("s0, s2 on a and s4 on b", () => a.units().join() === "s0,s2" && b.units().join() === "s4");
      clearInterval(keepAlive);
      const ofGone = () =>
        [...a.takeovers, ...b.takeovers].filter(
          (t) => t.previousToken !== undefined && tokens.includes(t.previousToken),
        );
      await until("gone's three units to be taken over", () => ofGone().length === 3);
      // dealt in the list's order to the worker holding fewest (ties by id): s1 to b (1 against
      // 2), s3 to a (a tie), s5 to b; each at its first try, on the connection its assignee
      // opened while the lease ran out
      const keysOf = (p: WorkerPool) =>
        p.takeovers
          .filter((t) => tokens.includes(t.previousToken ?? -1))
          .map((t) => t.key)
          .sort();
      assert.deepEqual(keysOf(a), ["s3"]);
      assert.deepEqual(keysOf(b), ["s1", "s5"]);
      assert.deepEqual(
        ofGone().map((t) => t.standby),
        [true, true, true],
      );
      // balanced at once: two TTLs later nothing was handed back
      await sleep(2 * ttlMs);
      assert.deepEqual(
        [a.units(), b.units()],
        [
          ["s0", "s2", "s3"],
          ["s1", "s4", "s5"],
        ],
      );
      assert.deepEqual([...a.failedStarts, ...b.failedStarts], []);
    } finally {
      clearInterval(keepAlive);
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
