import assert from "node:assert/strict";
import { test } from "node:test";
import { openStore, storeInternals } from "../store.ts";
import { ReusedQuery } from "./reused-query.ts";

test("ReusedQuery: compiled once per handle, each call binds its own arguments in the SQL's order", async () => {
  const store = await openStore("sqlite::memory:");
  try {
    let builds = 0;
    const q = new ReusedQuery("test.kv", 2, (db, from, to) => {
      builds++;
      return db.selectFrom("kv").select("key").where("key", ">=", from).where("key", "<", to).orderBy("key");
    });
    for (const k of ["a", "b", "c", "d"]) await store.kv.put(k, k, 1);
    const rows = async (from: string, to: string) =>
      (
        await storeInternals(store).db.executeQuery(q.compiled(storeInternals(store).db, [from, to]))
      ).rows.map((r) => (r as { key: string }).key);
    assert.deepEqual(await rows("b", "d"), ["b", "c"]);
    assert.deepEqual(await rows("a", "b"), ["a"]);
    assert.deepEqual(await rows("c", "z"), ["c", "d"]);
    assert.equal(builds, 1);
    assert.throws(() => q.compiled(storeInternals(store).db, ["a"]), /test.kv: 1 arguments for a query of 2/);
  } finally {
    await store.close();
  }
});

test("ReusedQuery: a query binding a constant, or leaving an argument out, is refused naming it", async () => {
  const store = await openStore("sqlite::memory:");
  try {
    const constant = new ReusedQuery("test.constant", 1, (db, key) =>
      db.selectFrom("kv").select("key").where("key", "=", key).where("value", "=", "fixed"),
    );
    assert.throws(
      () => constant.compiled(storeInternals(store).db, ["a"]),
      /test.constant: parameter fixed is not one of/,
    );
    const unused = new ReusedQuery("test.unused", 2, (db, key) =>
      db.selectFrom("kv").select("key").where("key", "=", key),
    );
    assert.throws(
      () => unused.compiled(storeInternals(store).db, ["a", "b"]),
      /test.unused: argument 1 is not bound/,
    );
  } finally {
    await store.close();
  }
});
