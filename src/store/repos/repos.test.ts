import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { GroupRow } from "../journal/rows.ts";
import { openStore, type Store, storeInternals } from "../store.ts";

/**
 * The repositories that replaced the queries outside src/store: the control queue's guarded
 * status changes and the group-id prefix lookup, on both backends.
 */

const PG_URL = process.env.PERPBOT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PG_SKIP = process.env.PERPBOT_TEST_PG === "skip";
const T0 = 1_760_000_000_000;

const group = (id: string, strategy = "farm"): GroupRow => ({
  groupId: id,
  strategy,
  status: "open",
  entry: '{"kind":"ioc"}',
  fillTimeoutMs: 5_000,
  hedged: true,
  meta: null,
  closeReason: null,
  failureReason: null,
  detail: null,
  createdAt: T0,
  updatedAt: T0,
  closedAt: null,
});

function suite(open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ store, cleanup } = await open());
  });
  after(async () => {
    await store?.close();
    await cleanup?.();
  });

  test("control requests: claimed once, expired only while pending, requeued after a crash", async () => {
    const q = store.controlRequests;
    const a = await q.enqueue("close", { group: "g-1" }, T0);
    const b = await q.enqueue("flatten", { wallet: "w1", expiresAt: T0 + 5 }, T0 + 1);
    assert.equal(await q.countOpen(), 2);
    assert.deepEqual(
      (await q.list({ status: "pending" })).map((r) => [r.id, r.action, r.args]),
      [
        [a, "close", { group: "g-1" }],
        [b, "flatten", { wallet: "w1", expiresAt: T0 + 5 }],
      ],
    );
    assert.equal(await q.claim(a, T0 + 2), true);
    assert.equal(await q.claim(a, T0 + 2), false, "a second runner cannot claim it too");
    assert.equal(await q.expire(a, { error: "expired" }, T0 + 3), false, "a claimed request does not expire");
    assert.equal(await q.expire(b, { error: "expired" }, T0 + 3), true);
    assert.equal(await q.claim(b, T0 + 4), false, "an expired request is not acted on");
    assert.deepEqual((await q.get(b))?.result, { error: "expired" });
    // the runner died holding `a`: the next one puts it back in the queue
    assert.equal(await q.requeueRunning(T0 + 5), 1);
    assert.equal((await q.get(a))?.status, "pending");
    assert.equal(await q.claim(a, T0 + 6), true);
    await q.finish(a, "done", { closed: ["g-1"] }, T0 + 7);
    const done = await q.get(a);
    assert.deepEqual([done?.status, done?.result, done?.updatedAt], ["done", { closed: ["g-1"] }, T0 + 7]);
    assert.equal(await q.countOpen(), 0);
    assert.equal(await q.get(9_999), undefined);
  });

  test("counts for /metrics: engine orders by venue and status, fills by venue", async () => {
    const order = (id: string, venue: string, status: string) => ({
      clientOrderId: id,
      venue,
      account: "w1",
      symbol: "BTC",
      side: "buy" as const,
      type: "limit" as const,
      tif: "ioc" as const,
      priceTicks: 600_000,
      sizeLots: 100,
      reduceOnly: false,
      priceText: "60000",
      sizeText: "0.01",
      filledText: "0",
      filledLots: 0,
      status,
      venueOrderId: null,
      groupId: null,
      intentId: `i-${id}`,
      legIndex: 0,
      purpose: "entry",
      attempt: 0,
      reason: null,
      createdAt: T0,
      updatedAt: T0,
    });
    for (const [id, venue, status] of [
      ["c1", "simA", "filled"],
      ["c2", "simA", "filled"],
      ["c3", "simA", "rejected"],
      ["c4", "simB", "unknown"],
    ])
      await store.orders.upsertEngine(order(id, venue, status));
    assert.deepEqual(await store.orders.countEngineByVenueStatus(), [
      { venue: "simA", status: "filled", n: 2 },
      { venue: "simA", status: "rejected", n: 1 },
      { venue: "simB", status: "unknown", n: 1 },
    ]);
    for (const [fid, venue] of [
      ["f1", "simA"],
      ["f2", "simA"],
      ["f3", "simB"],
    ]) {
      await store.fills.insert({
        venue,
        account: "w1",
        symbol: "BTC",
        fillId: fid,
        clientOrderId: null,
        venueOrderId: null,
        side: "buy",
        price: "60000",
        size: "0.01",
        fee: 1n,
        realisedPnl: 0n,
        liquidity: "taker",
        ts: T0,
      });
    }
    assert.deepEqual(await store.fills.countByVenue(), [
      { venue: "simA", n: 2 },
      { venue: "simB", n: 1 },
    ]);
  });

  test("group ids by prefix: case-sensitive, and _ and % are plain characters", async () => {
    for (const id of ["farm-ab1", "farm-ab2", "farm-AB3", "x_1", "xy1", "50%off"])
      await store.groups.insert(group(id, id.startsWith("farm") ? "farm-a" : "other"), []);
    assert.deepEqual(await store.groups.idsStartingWith("farm-ab"), ["farm-ab1", "farm-ab2"]);
    assert.deepEqual(await store.groups.idsStartingWith("x_"), ["x_1"]);
    assert.deepEqual(await store.groups.idsStartingWith("50%"), ["50%off"]);
    assert.deepEqual(await store.groups.idsStartingWith("nothing"), []);
    // (the order of ids that differ in case is the database's collation: compare as sets)
    assert.equal((await store.groups.idsStartingWith("farm-", 2)).length, 2, "the limit holds");
    assert.deepEqual((await store.groups.list({ strategy: "farm-a" })).map((g) => g.groupId).sort(), [
      "farm-AB3",
      "farm-ab1",
      "farm-ab2",
    ]);
    assert.equal(await store.groups.exists("x_1"), true);
    assert.equal(await store.journal.groupExists("x_1"), true);
    assert.equal(await store.groups.exists("x_2"), false);
  });

  test("kv.putMany writes every entry (new and existing keys) at one time; a bad time writes none", async () => {
    await store.kv.put("many.a", "old", T0);
    await store.kv.putMany(
      [
        ["many.a", "A"],
        ["many.b", "B"],
        ["many.c", "C"],
      ],
      T0 + 5,
    );
    assert.deepEqual(await Promise.all(["a", "b", "c"].map((k) => store.kv.get(`many.${k}`))), [
      "A",
      "B",
      "C",
    ]);
    const rows = await storeInternals(store)
      .db.selectFrom("kv")
      .select(["key", "updated_at"])
      .where("key", "like", "many.%")
      .orderBy("key")
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.key, Number(r.updated_at)]),
      [
        ["many.a", T0 + 5],
        ["many.b", T0 + 5],
        ["many.c", T0 + 5],
      ],
    );
    await store.kv.putMany([], T0 + 6); // nothing to write: no error
    await assert.rejects(store.kv.putMany([["many.d", "D"]], -1), /kv many.d ts: -1 is not a timestamp/);
    assert.equal(await store.kv.get("many.d"), null);
    // one transaction: an entry the database refuses (a null value) leaves the others unwritten
    await assert.rejects(
      store.kv.putMany(
        [
          ["many.a", "A2"],
          ["many.e", null as unknown as string],
        ],
        T0 + 7,
      ),
    );
    assert.equal(await store.kv.get("many.a"), "A", "the whole batch or nothing");
  });

  test("kv.put and orders.exists run their compiled-once queries with each call's own values", async () => {
    for (let i = 0; i < 3; i++) await store.kv.put(`reuse.k${i}`, `v${i}`, T0 + i);
    await store.kv.put("reuse.k1", "again", T0 + 9); // the upsert's update half binds the new value too
    assert.deepEqual(await Promise.all([0, 1, 2].map((i) => store.kv.get(`reuse.k${i}`))), [
      "v0",
      "again",
      "v2",
    ]);
    const row = await storeInternals(store)
      .db.selectFrom("kv")
      .select("updated_at")
      .where("key", "=", "reuse.k1")
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.updated_at), T0 + 9);
    await assert.rejects(store.kv.put("reuse.bad", "x", -1), /kv reuse.bad ts: -1 is not a timestamp/);
    const order = (id: string) => ({
      clientOrderId: id,
      venue: "simA",
      account: "w1",
      symbol: "BTC",
      side: "buy" as const,
      type: "limit" as const,
      tif: "gtc" as const,
      price: "100",
      size: "1",
      filledSize: "0",
      reduceOnly: false,
      status: "open",
      venueOrderId: null,
      groupId: null,
      reason: null,
      createdAt: T0,
      updatedAt: T0,
    });
    await store.orders.upsert(order("reuse-a"));
    await store.orders.upsert(order("reuse-b"));
    assert.deepEqual(
      await Promise.all(["reuse-a", "reuse-b", "reuse-c", "reuse-a"].map((id) => store.orders.exists(id))),
      [true, true, false, true],
    );
  });
}

describe("repositories on SQLite", () =>
  suite(async () => {
    const dir = mkdtempSync(join(tmpdir(), "perpbot-repos-"));
    return {
      store: await openStore(`sqlite:${join(dir, "r.db")}`),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }));

describe("repositories on PostgreSQL", { skip: PG_SKIP ? "PERPBOT_TEST_PG=skip" : false }, () =>
  suite(async () => {
    const schema = `perpbot_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
    return {
      store: await openStore(PG_URL, { pgSchema: schema, pgPoolSize: 3 }),
      async cleanup() {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      },
    };
  }),
);
