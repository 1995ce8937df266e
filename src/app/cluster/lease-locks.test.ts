import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { LeaseStore } from "../../store/cluster/lease-store.ts";
import { openStore, type Store, storeInternals } from "../../store/store.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../../testing/cluster/pg.ts";
import { dataSchemaFor, openFencedStore } from "./fence.ts";
import type { HeldLease } from "./lease-manager.ts";

const down = await pgUnavailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** what `p` settles to, or `late` if it takes longer than `ms` */
const within = <T>(p: Promise<T>, ms: number, late: string) => Promise.race([p, sleep(ms).then(() => late)]);

/** A lease store on a fresh cluster schema, closed and dropped after the test. */
async function clusterFor(t: TestContext, name: string): Promise<{ cluster: string; leases: LeaseStore }> {
  const cluster = freshSchema(name);
  const leases = await LeaseStore.open(PG_URL, cluster);
  t.after(async () => {
    await leases.close();
    await dropCluster(cluster);
  });
  return { cluster, leases };
}

/** `key` acquired for `holder`, and its unit's fenced store on one connection. */
async function fencedUnit(leases: LeaseStore, cluster: string, key: string, holder: string, ttlMs: number) {
  const row = await leases.acquire(key, holder, ttlMs);
  assert.ok(row !== undefined);
  const held: HeldLease = {
    key,
    token: row.token,
    validUntil: Number.POSITIVE_INFINITY,
    wallValidUntil: Number.POSITIVE_INFINITY,
    lost: false,
  };
  const store = await openFencedStore(PG_URL, leases, held, dataSchemaFor(cluster, key), { pgPoolSize: 1 });
  return { row, store };
}

/**
 * A unit's transaction on `store`: one fenced write of kv `in_tx` (the trigger locks the lease
 * row), then a stall until `resume()`. Resolves once the write is in.
 */
async function stalledWrite(store: Store): Promise<{ tx: Promise<void>; resume: () => void }> {
  let resume: () => void = () => {};
  const paused = new Promise<void>((r) => {
    resume = r;
  });
  let wrote: () => void = () => {};
  const written = new Promise<void>((r) => {
    wrote = r;
  });
  const tx = storeInternals(store)
    .db.transaction()
    .execute(async (trx) => {
      await trx.insertInto("kv").values({ key: "in_tx", value: "1", updated_at: 1 }).execute();
      wrote();
      await paused;
    });
  await written;
  return { tx, resume };
}

describe("lease row locks: renewals never wait for a unit's open transaction; a takeover ends it", {
  skip: down ?? false,
}, () => {
  test("a write in flight holds up neither the renewal nor the release; the next holder's acquire ends the stale session, rolling the write back", async (t) => {
    const { cluster, leases } = await clusterFor(t, "locks");
    const key = "unit_locks";
    const schema = dataSchemaFor(cluster, key);
    const { row, store: s1 } = await fencedUnit(leases, cluster, key, "h1", 5_000);
    const { tx, resume } = await stalledWrite(s1);
    let taking: ReturnType<LeaseStore["acquire"]>;
    try {
      // with the row locked FOR SHARE by the fence this renewal waited for the transaction's end
      const renewed = await within(leases.renew("h1", [row.token], 5_000), 3_000, "blocked");
      assert.ok(Array.isArray(renewed) && renewed.length === 1, `renewal: ${JSON.stringify(renewed)}`);
      assert.equal(await within(leases.release(key, row.token), 3_000, "blocked"), undefined);
      // the lease is free now: h2's acquire ends h1's sessions (found by their application_name)
      // instead of waiting for the stalled transaction, which the server rolls back
      taking = leases.acquire(key, "h2", 5_000);
      const taken = await within(taking, 3_000, "waiting");
      assert.ok(typeof taken === "object" && taken !== undefined, `acquire: ${JSON.stringify(taken)}`);
      assert.ok(taken.token > row.token && taken.holder === "h2");
    } finally {
      // a failing check above must not leave the transaction (and the test) hanging
      resume();
    }
    // the stalled transaction never commits: its connection was ended under it
    await assert.rejects(tx);
    // nothing of it landed; the old holder's next write is refused (a new connection, the old token)
    await assert.rejects(s1.kv.put("after", "x", 2), /perpbot fence: write to kv refused/);
    const operator = await openStore(PG_URL, { pgSchema: schema, pgPoolSize: 1 });
    assert.equal(await operator.kv.get("in_tx"), null);
    assert.equal(await operator.kv.get("after"), null);
    for (const s of [s1, operator]) await s.close();
  });

  test("an acquire does not wait on a live lease of another holder, and ends no session of it", async (t) => {
    const { cluster, leases } = await clusterFor(t, "locks2");
    const key = "unit_live";
    const { store: s1 } = await fencedUnit(leases, cluster, key, "h1", 5_000);
    const { tx, resume } = await stalledWrite(s1);
    try {
      assert.equal(await within(leases.acquire(key, "h2", 5_000), 2_000, "waiting"), undefined);
    } finally {
      resume();
    }
    await tx;
    assert.equal(await s1.kv.get("in_tx"), "1");
    await s1.close();
  });

  test("acquireMany takes the free and expired keys in one statement and skips a live one", async (t) => {
    const { leases } = await clusterFor(t, "locks3");
    const live = await leases.acquire("k_live", "other", 10_000);
    const old = await leases.acquire("k_old", "other", 10_000);
    assert.ok(live !== undefined && old !== undefined);
    await leases.release("k_old", old.token);
    const got = await leases.acquireMany(["k_new", "k_live", "k_old"], "me", 5_000);
    assert.deepEqual([...got.keys()].sort(), ["k_new", "k_old"]);
    for (const r of got.values()) assert.ok(r.holder === "me" && r.token > old.token);
    assert.equal((await leases.leases()).find((r) => r.key === "k_live")?.holder, "other");
    assert.deepEqual(await leases.acquireMany([], "me", 5_000), new Map());
  });

  test("currentSchemas lists the data schemas migrated and fenced on every table, and only those", async (t) => {
    const { cluster, leases } = await clusterFor(t, "locks4");
    const fenced = dataSchemaFor(cluster, "fenced");
    const plain = dataSchemaFor(cluster, "plain");
    const { store: s1 } = await fencedUnit(leases, cluster, "fenced", "me", 10_000);
    // migrated but never fenced (an operator's store in the same layout)
    const s2 = await openStore(PG_URL, { pgSchema: plain, pgPoolSize: 1 });
    await Promise.all([s1.close(), s2.close()]);
    const missing = dataSchemaFor(cluster, "missing");
    assert.deepEqual(await leases.currentSchemas([fenced, plain, missing]), [fenced]);
    await assert.rejects(leases.currentSchemas(["Bad-Name"]), /data schema "Bad-Name"/);
  });
});
