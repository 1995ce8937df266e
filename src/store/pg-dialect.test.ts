import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../testing/cluster/pg.ts";
import { migrationLockKey } from "./pg-dialect.ts";
import { openStore } from "./store.ts";

const down = await pgUnavailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = <T>(p: Promise<T>, ms: number, late: string) => Promise.race([p, sleep(ms).then(() => late)]);
// Kysely's own lock id for every PostgreSQL migration (kysely dist/dialect/postgres/postgres-adapter.js)
const KYSELY_LOCK_ID = "3853314791062309107";

test("a store's migration waits only for migrations of its own schema, not Kysely's one lock for the database", {
  skip: down ?? false,
}, async () => {
  const a = freshSchema("miglock_a");
  const b = freshSchema("miglock_b");
  const other = new pg.Client({ connectionString: PG_URL });
  await other.connect();
  try {
    // another program migrating (Kysely's database-wide lock held): ours is not held up
    await other.query("select pg_advisory_lock($1::bigint)", [KYSELY_LOCK_ID]);
    const sa = await within(openStore(PG_URL, { pgSchema: a, pgPoolSize: 1 }), 10_000, "blocked");
    assert.notEqual(sa, "blocked");
    if (typeof sa !== "string") await sa.close();
    await other.query("select pg_advisory_unlock($1::bigint)", [KYSELY_LOCK_ID]);
    // a migration of the same schema under way: this one waits for it, then migrates
    await other.query("select pg_advisory_lock(hashtext($1))", [migrationLockKey(b)]);
    const opening = openStore(PG_URL, { pgSchema: b, pgPoolSize: 1 });
    assert.equal(await within(opening, 1_000, "waiting"), "waiting");
    await other.query("select pg_advisory_unlock(hashtext($1))", [migrationLockKey(b)]);
    const sb = await opening;
    assert.deepEqual(await sb.integrityCheck(), []);
    await sb.close();
  } finally {
    await other.end();
    for (const s of [a, b]) await dropCluster(s).catch(() => undefined);
  }
});
