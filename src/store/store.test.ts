import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { usd } from "../core/money.ts";
import { MIGRATION_NAMES } from "./migrations.ts";
import type { FillRecord, OrderRecord } from "./records.ts";
import { openStore, type Store, storeInternals } from "./store.ts";

/**
 * One suite, two backends: every test body below runs against a SQLite file and against the
 * local PostgreSQL (in a schema of its own, created here and dropped afterwards).
 */

const PG_URL = process.env.PERPBOT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PG_SKIP = process.env.PERPBOT_TEST_PG === "skip";

async function pgProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Backend {
  readonly name: string;
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-store-"));
  return {
    name: "sqlite",
    open: () => openStore(`sqlite:${join(dir, "sub", "perpbot.db")}`),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function pgBackend(): Backend {
  const schema = `perpbot_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  return {
    name: "postgres",
    open: () => openStore(PG_URL, { pgSchema: schema, pgPoolSize: 3 }),
    async cleanup() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

const T0 = 1_760_000_000_000;

function order(id: string, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId: id,
    venue: "simA",
    account: "w1",
    symbol: "BTC",
    side: "buy",
    type: "limit",
    tif: "gtc",
    price: "62739.5",
    size: "0.00077",
    filledSize: "0",
    reduceOnly: false,
    status: "pending",
    venueOrderId: null,
    groupId: "g1",
    reason: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

function fill(fillId: string, over: Partial<FillRecord> = {}): FillRecord {
  return {
    venue: "simA",
    account: "w1",
    symbol: "BTC",
    fillId,
    clientOrderId: null,
    venueOrderId: "v1",
    side: "buy",
    price: "62739.5",
    size: "0.00077",
    fee: 21_740_000_001n,
    realisedPnl: -123_456_789_012_345_678n,
    liquidity: "taker",
    ts: T0,
    ...over,
  };
}

function storeSuite(makeBackend: () => Backend): void {
  let backend: Backend;
  let store: Store;
  before(async () => {
    backend = makeBackend();
    store = await backend.open();
  });
  after(async () => {
    await store?.close();
    await backend?.cleanup();
  });

  test("is migrated at open, passes the integrity check, and re-opening applies nothing twice", async () => {
    assert.deepEqual(await store.integrityCheck(), []);
    const again = await backend.open();
    try {
      assert.deepEqual(await again.integrityCheck(), []);
      const n = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(
        storeInternals(again).db,
      );
      assert.equal(Number(n.rows[0].n), MIGRATION_NAMES.length);
    } finally {
      await again.close();
    }
  });

  test("fills keep money, prices and sizes exact, and a repeated fill is stored once", async () => {
    await store.orders.upsert(order("c-1"));
    const f = fill("f-1", { clientOrderId: "c-1" });
    assert.equal(await store.fills.insert(f), true);
    assert.equal(
      await store.fills.insert({ ...f, fee: 1n }),
      false,
      "same venue/account/fillId is a duplicate",
    );
    await store.fills.insert(
      fill("f-2", { account: "w2", ts: T0 + 5, side: "sell", fee: -5n, price: "0.000001" }),
    );
    await store.fills.insert(fill("f-3", { ts: T0 + 10 }));
    const w1 = await store.fills.list({ account: "w1" });
    assert.deepEqual(
      w1.map((x) => x.fillId),
      ["f-1", "f-3"],
    );
    assert.deepEqual(w1[0], f);
    const w2 = await store.fills.list({ account: "w2" });
    assert.equal(w2[0].fee, -5n);
    assert.equal(w2[0].price, "0.000001");
    assert.deepEqual(
      (await store.fills.list({ sinceTs: T0 + 5, untilTs: T0 + 10 })).map((x) => x.fillId),
      ["f-2"],
    );
    assert.equal((await store.fills.list({ limit: 1 })).length, 1);
  });

  test("a fill naming an order that was never stored is refused by the foreign key", async () => {
    await assert.rejects(
      store.fills.insert(fill("f-orphan", { clientOrderId: "no-such-order" })),
      /foreign key/i,
    );
    assert.deepEqual(
      await store.fills.list({ venue: "simA", account: "w1", symbol: "BTC", sinceTs: T0 + 1000 }),
      [],
    );
  });

  test("orders are upserted and read back unchanged", async () => {
    const o = order("c-2", { side: "sell", type: "market", tif: "ioc", price: null, reduceOnly: true });
    await store.orders.upsert(o);
    assert.deepEqual(await store.orders.get("c-2"), o);
    const later = { ...o, status: "filled", filledSize: "0.00077", venueOrderId: "v9", updatedAt: T0 + 7 };
    await store.orders.upsert(later);
    assert.deepEqual(await store.orders.get("c-2"), later);
    assert.equal(await store.orders.get("nope"), null);
  });

  test("bad values are refused with the field named, and nothing is stored", async () => {
    await assert.rejects(
      store.fills.insert(fill("f-bad", { price: "1e-3" })),
      /fill simA\/w1\/f-bad price: "1e-3"/,
    );
    await assert.rejects(store.fills.insert(fill("f-bad", { ts: -1 })), /ts: -1/);
    await assert.rejects(
      store.orders.upsert(order("c-bad", { side: "long" as "buy" })),
      /order c-bad: side "long" is not "buy" or "sell"/,
    );
    assert.equal((await store.fills.list()).filter((x) => x.fillId === "f-bad").length, 0);
    assert.equal(await store.orders.get("c-bad"), null);
  });

  test("funding payments round-trip exactly and settle once per timestamp", async () => {
    const p = {
      venue: "simB",
      account: "w3",
      symbol: "ETH",
      amount: -usd(0.0123456789),
      ratePerHour: 0.0000125,
      positionSize: "-1.5",
      ts: T0 + 3_600_000,
    };
    assert.equal(await store.funding.insert(p), true);
    assert.equal(await store.funding.insert(p), false);
    assert.deepEqual(await store.funding.list({ venue: "simB" }), [p]);
  });

  test("equity snapshots round-trip exactly", async () => {
    const s = {
      venue: "simA",
      account: "w1",
      equity: 4_999_999_999_999_999n,
      cash: usd(5000),
      maintenanceMargin: 1n,
      ts: T0,
    };
    await store.equity.record(s);
    await store.equity.record({ ...s, ts: T0 + 1, equity: -1n });
    const got = await store.equity.list({ account: "w1" });
    assert.deepEqual(got, [s, { ...s, ts: T0 + 1, equity: -1n }]);
  });

  test("alerts are listed in order and acknowledged once", async () => {
    const id1 = await store.alerts.insert({
      severity: "warning",
      kind: "liquidation_warn",
      message: "leg close to liq",
      context: { leg: 2 },
      ts: T0,
    });
    const id2 = await store.alerts.insert({
      severity: "critical",
      kind: "unhedged",
      message: "residual",
      ts: T0 + 1,
    });
    assert.notEqual(id1, id2);
    const all = await store.alerts.list();
    assert.deepEqual(
      all.map((a) => [a.id, a.kind, a.context, a.acknowledgedAt]),
      [
        [id1, "liquidation_warn", { leg: 2 }, null],
        [id2, "unhedged", null, null],
      ],
    );
    assert.equal(await store.alerts.acknowledge(id1, T0 + 2), true);
    assert.equal(await store.alerts.acknowledge(id1, T0 + 3), false);
    assert.deepEqual(
      (await store.alerts.list({ unacknowledgedOnly: true })).map((a) => a.id),
      [id2],
    );
    await assert.rejects(
      store.alerts.insert({ severity: "bad" as "info", kind: "x", message: "y", ts: T0 }),
      /unknown severity "bad"/,
    );
  });

  test("kv stores, overwrites and deletes", async () => {
    assert.equal(await store.kv.get("engine.cursor"), null);
    await store.kv.put("engine.cursor", "1", T0);
    await store.kv.put("engine.cursor", '{"seq":2}', T0 + 1);
    assert.equal(await store.kv.get("engine.cursor"), '{"seq":2}');
    assert.equal(await store.kv.delete("engine.cursor"), true);
    assert.equal(await store.kv.get("engine.cursor"), null);
  });

  test("a failed transaction leaves nothing behind; concurrent transactions all commit", async () => {
    await assert.rejects(
      storeInternals(store)
        .db.transaction()
        .execute(async (trx) => {
          await trx.insertInto("kv").values({ key: "tx.a", value: "1", updated_at: T0 }).execute();
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.equal(await store.kv.get("tx.a"), null);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        storeInternals(store)
          .db.transaction()
          .execute(async (trx) => {
            await trx
              .insertInto("kv")
              .values({ key: `tx.${i}`, value: "x", updated_at: T0 })
              .execute();
            await new Promise((r) => setTimeout(r, 1));
            await trx
              .updateTable("kv")
              .set({ value: `v${i}` })
              .where("key", "=", `tx.${i}`)
              .execute();
          }),
      ),
    );
    for (let i = 0; i < 8; i++) assert.equal(await store.kv.get(`tx.${i}`), `v${i}`);
  });

  test("the integrity check reports a missing table", async () => {
    await storeInternals(store).db.schema.dropTable("kv").execute();
    assert.deepEqual(await store.integrityCheck(), ["table kv is missing"]);
  });
}

describe("store on SQLite", () => storeSuite(sqliteBackend));

const pgDown = PG_SKIP ? null : await pgProblem();
describe("store on PostgreSQL", { skip: PG_SKIP ? "PERPBOT_TEST_PG=skip" : false }, () => {
  if (pgDown !== null) {
    test("PostgreSQL is reachable", () => {
      assert.fail(
        `PostgreSQL at ${PG_URL} is unreachable (${pgDown}). Start it (pg_ctlcluster --skip-systemctl-redirect <version> main start), point PERPBOT_TEST_PG_URL at one, or set PERPBOT_TEST_PG=skip.`,
      );
    });
    return;
  }
  storeSuite(pgBackend);
});

describe("store on SQLite: file specifics", () => {
  test("opening creates the parent directory and turns on WAL and foreign keys", async () => {
    const dir = mkdtempSync(join(tmpdir(), "perpbot-store-"));
    try {
      const store = await openStore("sqlite:a/b/perpbot.db", { cwd: dir });
      try {
        assert.ok(existsSync(join(dir, "a", "b", "perpbot.db")));
        const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(
          storeInternals(store).db,
        );
        assert.equal(mode.rows[0].journal_mode, "wal");
        const fk = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(storeInternals(store).db);
        assert.equal(fk.rows[0].foreign_keys, 1);
        assert.equal(store.dialect, "sqlite");
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the integrity check reports rows whose foreign key points nowhere", async () => {
    const store = await openStore("sqlite::memory:");
    try {
      await sql`PRAGMA foreign_keys = OFF`.execute(storeInternals(store).db);
      await store.fills.insert(fill("f-x", { clientOrderId: "ghost" }));
      await sql`PRAGMA foreign_keys = ON`.execute(storeInternals(store).db);
      const problems = await store.integrityCheck();
      assert.equal(problems.length, 1);
      assert.match(problems[0], /foreign key: fills row \d+ points at a missing orders row/);
    } finally {
      await store.close();
    }
  });

  test("an unknown URL scheme is refused with the URL's password masked", async () => {
    await assert.rejects(openStore("mysql://u:hunter2@h/db"), (err: Error) => {
      assert.match(err.message, /expected "sqlite:<file>" or "postgres:\/\/…"/);
      assert.ok(!err.message.includes("hunter2"));
      return true;
    });
  });
});
