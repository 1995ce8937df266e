import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { Kysely, sql } from "kysely";
import { NodeSqliteDialect } from "./sqlite-dialect.ts";

interface Db {
  t: { n: number };
}

function open(): { db: Kysely<Db>; raw: DatabaseSync } {
  const raw = new DatabaseSync(":memory:");
  raw.exec("create table t (n integer not null)");
  return { db: new Kysely<Db>({ dialect: new NodeSqliteDialect({ database: raw }) }), raw };
}

test("a query issued during a transaction waits for it instead of seeing its uncommitted rows", async () => {
  const { db } = open();
  let releaseTx!: () => void;
  const txHolds = new Promise<void>((r) => {
    releaseTx = r;
  });
  let inserted!: () => void;
  const firstInsert = new Promise<void>((r) => {
    inserted = r;
  });
  const tx = db.transaction().execute(async (trx) => {
    await trx.insertInto("t").values({ n: 1 }).execute();
    inserted();
    await txHolds;
    await trx.insertInto("t").values({ n: 2 }).execute();
  });
  await firstInsert;
  // same single connection underneath: without the lock this read would run inside the open
  // transaction and count its uncommitted row
  const count = db.selectFrom("t").select(sql<number>`count(*)`.as("c")).executeTakeFirstOrThrow();
  setTimeout(releaseTx, 20);
  await tx;
  assert.equal((await count).c, 2);
  await db.destroy();
});

test("the driver hands its one connection to one caller at a time, in order", async () => {
  const driver = new NodeSqliteDialect({ database: new DatabaseSync(":memory:") }).createDriver();
  await driver.init();
  const first = await driver.acquireConnection();
  const order: string[] = [];
  const second = driver.acquireConnection().then((c) => {
    order.push("second");
    return c;
  });
  const third = driver.acquireConnection().then((c) => {
    order.push("third");
    return c;
  });
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(order.length, 0, "nobody gets the connection while it is held");
  order.push("release 1");
  await driver.releaseConnection(first);
  const c2 = await second;
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, ["release 1", "second"]);
  await driver.releaseConnection(c2);
  await driver.releaseConnection(await third);
  assert.deepEqual(order, ["release 1", "second", "third"]);
  await driver.destroy();
});

test("a rolled-back transaction releases the connection for the next caller", async () => {
  const { db } = open();
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await trx.insertInto("t").values({ n: 1 }).execute();
      throw new Error("abort");
    }),
    /abort/,
  );
  await db.insertInto("t").values({ n: 5 }).execute();
  const rows = await db.selectFrom("t").select("n").execute();
  assert.deepEqual(rows, [{ n: 5 }]);
  await db.destroy();
});

test("RETURNING rows come back, and insert results carry the affected count and rowid", async () => {
  const { db } = open();
  const r = await db.insertInto("t").values({ n: 7 }).executeTakeFirst();
  assert.equal(r.numInsertedOrUpdatedRows, 1n);
  assert.equal(r.insertId, 1n);
  const back = await db.insertInto("t").values({ n: 8 }).returning("n").executeTakeFirstOrThrow();
  assert.deepEqual(back, { n: 8 });
  const del = await db.deleteFrom("t").executeTakeFirst();
  assert.equal(del.numDeletedRows, 2n);
  await db.destroy();
});

test("savepoints roll back only their part", async () => {
  const { db } = open();
  const trx = await db.startTransaction().execute();
  await trx.insertInto("t").values({ n: 1 }).execute();
  const sp = await trx.savepoint("inner").execute();
  await sp.insertInto("t").values({ n: 2 }).execute();
  await sp.rollbackToSavepoint("inner").execute();
  await trx.commit().execute();
  assert.deepEqual(await db.selectFrom("t").select("n").execute(), [{ n: 1 }]);
  await db.destroy();
});

test("destroy waits for a running transaction and closes the database", async () => {
  const { db, raw } = open();
  const tx = db.transaction().execute(async (trx) => {
    await new Promise((r) => setTimeout(r, 10));
    await trx.insertInto("t").values({ n: 1 }).execute();
  });
  await new Promise((r) => setTimeout(r, 1));
  await Promise.all([tx, db.destroy()]);
  assert.throws(() => raw.prepare("select 1"), /not open/);
});

test("the direct access shares the lock: it waits for a Kysely transaction, and a throw rolls it back", async () => {
  const raw = new DatabaseSync(":memory:");
  raw.exec("create table t (n integer not null)");
  const dialect = new NodeSqliteDialect({ database: raw });
  const db = new Kysely<Db>({ dialect });
  let releaseTx!: () => void;
  const txHolds = new Promise<void>((r) => {
    releaseTx = r;
  });
  const tx = db.transaction().execute(async (trx) => {
    await trx.insertInto("t").values({ n: 1 }).execute();
    await txHolds;
    await trx.insertInto("t").values({ n: 2 }).execute();
  });
  await new Promise((r) => setImmediate(r));
  // would fail with "cannot start a transaction within a transaction" without the shared lock
  const direct = dialect.access.transaction((s) => s.run("insert into t (n) values (?)", [3]));
  setTimeout(releaseTx, 10);
  await tx;
  assert.equal(await direct, 1);
  await assert.rejects(
    dialect.access.transaction((s) => {
      s.run("insert into t (n) values (?)", [4]);
      throw new Error("boom");
    }),
    /boom/,
  );
  const rows = await dialect.access.read((s) => s.get("select group_concat(n) as ns from t", []));
  assert.equal(rows?.ns, "1,2,3");
  await db.destroy();
});
