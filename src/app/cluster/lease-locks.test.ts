import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LeaseStore } from "../../store/cluster/lease-store.ts";
import { openStore, storeInternals } from "../../store/store.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../../testing/cluster/pg.ts";
import { dataSchemaFor, openFencedStore } from "./fence.ts";
import type { HeldLease } from "./lease-manager.ts";

const down = await pgUnavailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** what `p` settles to, or `late` if it takes longer than `ms` */
const within = <T>(p: Promise<T>, ms: number, late: string) => Promise.race([p, sleep(ms).then(() => late)]);

describe("lease row locks: renewals never wait for a unit's open transaction, takeovers do", {
  skip: down ?? false,
}, () => {
  test("a write in flight holds up neither the renewal nor the release, but the next holder's acquire waits for it", async (t) => {
    const cluster = freshSchema("locks");
    const leases = await LeaseStore.open(PG_URL, cluster);
    t.after(async () => {
      await leases.close();
      await dropCluster(cluster);
    });
    const key = "unit_locks";
    const schema = dataSchemaFor(cluster, key);
    const row = await leases.acquire(key, "h1", 5_000);
    assert.ok(row !== undefined);
    const held: HeldLease = { key, token: row.token, validUntil: Number.POSITIVE_INFINITY, lost: false };
    const s1 = await openFencedStore(PG_URL, leases, held, schema, { pgPoolSize: 1 });
    let resume: () => void = () => {};
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    let wrote: () => void = () => {};
    const written = new Promise<void>((r) => {
      wrote = r;
    });
    // a unit's transaction: one fenced write (the trigger locks the lease row), then a stall
    const tx = storeInternals(s1)
      .db.transaction()
      .execute(async (trx) => {
        await trx.insertInto("kv").values({ key: "in_tx", value: "1", updated_at: 1 }).execute();
        wrote();
        await paused;
      });
    await written;
    let taking: ReturnType<LeaseStore["acquire"]>;
    try {
      // with the row locked FOR SHARE by the fence this renewal waited for the transaction's end
      const renewed = await within(leases.renew("h1", [row.token], 5_000), 3_000, "blocked");
      assert.ok(Array.isArray(renewed) && renewed.length === 1, `renewal: ${JSON.stringify(renewed)}`);
      assert.equal(await within(leases.release(key, row.token), 3_000, "blocked"), undefined);
      // the lease is free now, yet h2's acquire must wait: the write in flight commits first
      taking = leases.acquire(key, "h2", 5_000);
      assert.equal(await within(taking, 700, "waiting"), "waiting");
    } finally {
      // a failing check above must not leave the transaction (and the test) hanging
      resume();
      await tx.catch(() => undefined);
    }
    const taken = await taking;
    assert.ok(taken !== undefined && taken.token > row.token && taken.holder === "h2");
    // what committed before the takeover is there; the old holder's next write is refused
    await assert.rejects(s1.kv.put("after", "x", 2), /perpbot fence: write to kv refused/);
    const operator = await openStore(PG_URL, { pgSchema: schema, pgPoolSize: 1 });
    assert.equal(await operator.kv.get("in_tx"), "1");
    assert.equal(await operator.kv.get("after"), null);
    for (const s of [s1, operator]) await s.close();
  });
});
