import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { LeaseStore } from "../../store/cluster/lease-store.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../../testing/cluster/pg.ts";
import { type HeldLease, LeaseManager } from "./lease-manager.ts";

const down = await pgUnavailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Blocks this thread's event loop for `ms` (a long synchronous start-up, a stalled worker). */
const stall = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe("lease renewal on a thread of its own", { skip: down ?? false }, () => {
  const cluster = freshSchema("renew");
  let leases: LeaseStore;
  before(async () => {
    leases = await LeaseStore.open(PG_URL, cluster);
  });
  after(async () => {
    await leases?.close();
    await dropCluster(cluster);
  });

  const manager = (workerId: string, renewIn: boolean, lost: string[] = []) =>
    new LeaseManager({
      leases,
      workerId,
      ttlMs: 1_000,
      renewEveryMs: 150,
      marginMs: 150,
      renewIn: renewIn ? { url: PG_URL, schema: cluster } : undefined,
      onLost: (l, why) => lost.push(`${l.key}: ${why}`),
    });

  test("a main event loop blocked past the TTL keeps its leases (and on the event loop it loses them)", async () => {
    const threaded = manager("threaded", true);
    const lostLoop: string[] = [];
    const onLoop = manager("loop", false, lostLoop);
    await threaded.start();
    await onLoop.start();
    try {
      const lt = (await threaded.acquire("t1")) as HeldLease;
      const ll = (await onLoop.acquire("l1")) as HeldLease;
      stall(1_600);
      // the thread renewed while this loop was blocked: the local deadline moved on by itself
      assert.ok(lt.validUntil > performance.now(), `deadline ${lt.validUntil} > now ${performance.now()}`);
      assert.doesNotThrow(() => threaded.assertHeld(lt));
      // the loop's lease ran out while its renewal timer waited behind the blocked loop
      assert.throws(() => onLoop.assertHeld(ll), /lease "l1" \(token \d+\) is no longer held/);
      await onLoop.renewNow();
      const other = manager("other", false);
      assert.equal(await other.acquire("t1"), undefined, "the thread's lease is still held in the database");
      assert.ok((await other.acquire("l1")) !== undefined, "the loop's lease expired in the database");
      assert.equal(lostLoop.length, 1, lostLoop.join("; "));
    } finally {
      await threaded.stop(true);
      await onLoop.stop(true);
    }
  });

  test("a renewal thread that dies hands renewal back to the event loop, saying so", async () => {
    const errors: string[] = [];
    const m = new LeaseManager({
      leases,
      workerId: "orphaned",
      ttlMs: 1_000,
      renewEveryMs: 150,
      marginMs: 150,
      renewIn: { url: PG_URL, schema: cluster },
      onRenewError: (e) => errors.push(e.message),
    });
    await m.start();
    try {
      const l = (await m.acquire("d1")) as HeldLease;
      // (the thread is private: a test reaches in to kill it as a crash would)
      await (m as unknown as { thread: { terminate(): Promise<number> } }).thread.terminate();
      await sleep(1_300); // past the TTL: only the event loop's renewals can have kept it
      assert.match(errors.join("; "), /lease renewal thread exited .*renewing on the event loop/);
      assert.doesNotThrow(() => m.assertHeld(l));
      assert.equal(await manager("other2", false).acquire("d1"), undefined, "still held in the database");
    } finally {
      await m.stop(true);
    }
  });

  test("a lease the database did not renew is lost: its deadline is zeroed and onLost names why", async () => {
    const lost: string[] = [];
    const m = manager("loser", true, lost);
    await m.start();
    try {
      const l = (await m.acquire("x1")) as HeldLease;
      const keep = (await m.acquire("x2")) as HeldLease;
      await m.renewNow();
      assert.deepEqual(lost, []);
      // another session ends x1's lease behind the worker's back (as an expiry seen late would)
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`update "${cluster}".leases set expires_at = clock_timestamp() where token = $1`, [
        l.token,
      ]);
      await c.end();
      await m.renewNow();
      assert.deepEqual(lost, [
        "x1: the database did not renew it (it expired or another worker took it over)",
      ]);
      assert.equal(l.validUntil, 0);
      assert.throws(() => m.assertHeld(l), /no longer held/);
      assert.doesNotThrow(() => m.assertHeld(keep));
      assert.deepEqual(m.keys(), ["x2"]);
      // slots come back: many acquisitions and releases do not run out of them
      for (let i = 0; i < 20; i++) await m.release((await m.acquire(`r${i}`)) as HeldLease);
      await sleep(50);
      assert.ok(keep.validUntil > performance.now());
    } finally {
      await m.stop(true);
    }
  });
});
