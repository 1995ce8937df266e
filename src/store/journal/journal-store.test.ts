import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { engineOrderRow, groupRow, JOURNAL_T0, legRow } from "../../testing/journal-rows.ts";
import type { FillRecord } from "../records.ts";
import { openStore, type Store, storeInternals } from "../store.ts";
import { commitJournalBatchKysely, groupExistsKysely } from "./postgres.ts";
import type { JournalBatch } from "./rows.ts";
import type { JournalWriter } from "./writer.ts";

/**
 * The journal's batches: the same batches through every write path give the same rows. On
 * SQLite the journal writes with prepared statements on the raw connection (sqlite.ts); the
 * Kysely path (postgres.ts, what PostgreSQL runs) is exercised on SQLite too, so the two are
 * compared on one backend. The rows are read back through the store's repositories.
 */

const PG_URL = process.env.PERPBOT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PG_SKIP = process.env.PERPBOT_TEST_PG === "skip";
const T0 = JOURNAL_T0;

const fill = (fillId: string, clientOrderId: string): FillRecord => ({
  venue: "simA",
  account: "w0",
  symbol: "BTC",
  fillId,
  clientOrderId,
  venueOrderId: "v1",
  side: "buy",
  price: "60001",
  size: "0.01",
  fee: 21_740_000_001n,
  realisedPnl: -1n,
  liquidity: "taker",
  ts: T0 + 2,
});

const event = (clientOrderId: string, kind: string, ts: number) => ({
  clientOrderId,
  kind,
  payload: JSON.stringify({ kind, ts }),
  ts,
});

/** What an open writes: the write-ahead batch, then the answers with the status change. */
function batches(g: string): JournalBatch[] {
  const a = `${g}-a`;
  const b = `${g}-b`;
  return [
    {
      groups: [{ kind: "insert", group: groupRow(g), legs: [legRow(g, 0), legRow(g, 1)] }],
      orders: [
        { row: engineOrderRow(a, g), fresh: true },
        { row: engineOrderRow(b, g, { side: "sell", legIndex: 1, account: "w1" }), fresh: true },
      ],
      events: [event(a, "submit_sent", T0), event(b, "submit_sent", T0)],
      fills: [],
    },
    {
      groups: [
        { kind: "update", groupId: g, patch: { status: "open", detail: "", updatedAt: T0 + 3 } },
        { kind: "leg_external", groupId: g, legIndex: 1, lots: 5, reason: "liquidated" },
      ],
      orders: [
        // a later row of an order changes its progress, never its request (the price here)
        {
          row: engineOrderRow(a, g, {
            status: "filled",
            filledLots: 100,
            filledText: "0.01",
            venueOrderId: "v1",
            priceText: "1",
            updatedAt: T0 + 2,
          }),
          fresh: false,
        },
        // an order written as an update although its row is missing: inserted whole instead
        { row: engineOrderRow(`${g}-c`, g, { legIndex: 1, attempt: 1, account: "w1" }), fresh: false },
      ],
      events: [event(a, "ack", T0 + 1), event(a, "fill", T0 + 2)],
      fills: [fill(`${g}-f1`, a), fill(`${g}-f1`, a)],
    },
    // the same fill again in a later batch: stored once
    { groups: [], orders: [], events: [], fills: [fill(`${g}-f1`, a)] },
  ];
}

async function snapshot(store: Store, g: string) {
  const groups = await store.groups.list({ groupIds: [g] });
  const legs = await store.groups.legs([g]);
  const orders = await store.orders.ofGroups([g]);
  const events = (await store.orderEvents.of([`${g}-a`, `${g}-b`])).map((e) => [e.clientOrderId, e.kind]);
  const fills = (await store.fills.list({ account: "w0" }))
    .filter((f) => f.fillId.startsWith(`${g}-`))
    .map(({ fillId, price, size, fee, realisedPnl }) => ({ fillId, price, size, fee, realisedPnl }));
  return {
    groups,
    legs,
    orders: orders.sort((x, y) => (x.clientOrderId < y.clientOrderId ? -1 : 1)),
    events,
    fills,
  };
}

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

  // the store's own writer (prepared statements on SQLite, one statement on PostgreSQL), and the
  // Kysely transaction as well
  const paths = (): [string, JournalWriter][] => {
    const { db, sqlite } = storeInternals(store);
    const kysely: JournalWriter = {
      commit: (b) => commitJournalBatchKysely(db, b),
      groupExists: (id) => groupExistsKysely(db, id),
    };
    // PostgreSQL: the store's writer folds each batch into one statement; the ordered Kysely
    // transaction it falls back to must write the same rows
    return sqlite === undefined
      ? [
          ["one statement", store.journal],
          ["kysely", kysely],
        ]
      : [
          ["prepared statements", store.journal],
          ["kysely", kysely],
        ];
  };

  test("a batch commits parents first; later rows update progress only; a fill is stored once", async () => {
    const seen: unknown[] = [];
    for (const [name, target] of paths()) {
      const g = `g-${name.replace(/ /g, "-")}`;
      for (const b of batches(g)) await target.commit(b);
      assert.equal(await target.groupExists(g), true);
      assert.equal(await target.groupExists(`${g}-never`), false);
      const s = await snapshot(store, g);
      assert.equal(s.groups[0].status, "open");
      assert.equal(s.groups[0].detail, "");
      assert.deepEqual(
        s.legs.map((l) => [l.legIndex, l.externalLots, l.externalReason]),
        [
          [0, 0, null],
          [1, 5, "liquidated"],
        ],
      );
      const a = s.orders[0];
      assert.deepEqual([a.status, a.filledLots, a.filledText, a.venueOrderId], ["filled", 100, "0.01", "v1"]);
      assert.equal(a.priceText, "60001", "the request is what was written first");
      assert.equal(a.updatedAt, T0 + 2);
      assert.deepEqual(
        s.orders.map((o) => o.clientOrderId),
        [`${g}-a`, `${g}-b`, `${g}-c`],
        "the order written as an update without a row is there, whole",
      );
      assert.equal(s.orders[2].attempt, 1);
      assert.deepEqual(s.events, [
        [`${g}-a`, "submit_sent"],
        [`${g}-b`, "submit_sent"],
        [`${g}-a`, "ack"],
        [`${g}-a`, "fill"],
      ]);
      assert.equal(s.fills.length, 1);
      // the same rows whichever path wrote them (ids aside)
      seen.push(
        JSON.parse(JSON.stringify(s, (_k, v) => (typeof v === "bigint" ? String(v) : v)).replaceAll(g, "G")),
      );
    }
    if (seen.length === 2) assert.deepEqual(seen[0], seen[1]);
  });

  test("a batch that inserts a group and changes it within itself leaves what its ops in order leave", async () => {
    const seen: unknown[] = [];
    for (const [name, target] of paths()) {
      const g = `f-${name.replace(/ /g, "-")}`;
      const other = `${g}-old`;
      await target.commit({
        groups: [{ kind: "insert", group: groupRow(other), legs: [legRow(other, 0)] }],
        orders: [],
        events: [],
        fills: [],
      });
      await target.commit({
        groups: [
          { kind: "insert", group: groupRow(g), legs: [legRow(g, 0), legRow(g, 1)] },
          { kind: "update", groupId: g, patch: { status: "open", detail: "first", updatedAt: T0 + 1 } },
          { kind: "leg_external", groupId: g, legIndex: 0, lots: 3, reason: "adl" },
          { kind: "update", groupId: g, patch: { detail: "second", updatedAt: T0 + 2 } },
          { kind: "leg_external", groupId: g, legIndex: 0, lots: 4, reason: "liquidated" },
          // a group written before: two patches and two write-offs, each folded into one write
          { kind: "update", groupId: other, patch: { status: "closing", updatedAt: T0 + 3 } },
          { kind: "leg_external", groupId: other, legIndex: 0, lots: 1, reason: "adl" },
          {
            kind: "update",
            groupId: other,
            patch: { status: "closed", closeReason: "time_limit", closedAt: T0 + 4, updatedAt: T0 + 4 },
          },
          { kind: "leg_external", groupId: other, legIndex: 0, lots: 2, reason: "liquidated" },
        ],
        orders: [{ row: engineOrderRow(`${g}-a`, g), fresh: true }],
        events: [event(`${g}-a`, "submit_sent", T0 + 1)],
        fills: [fill(`${g}-f`, `${g}-a`)],
      });
      const [row] = await store.groups.list({ groupIds: [g] });
      assert.deepEqual([row.status, row.detail, row.updatedAt], ["open", "second", T0 + 2], name);
      const legs = await store.groups.legs([g, other]);
      assert.deepEqual(
        legs.map((l) => [l.groupId.replace(g, "G"), l.legIndex, l.externalLots, l.externalReason]),
        [
          ["G-old", 0, 2, "liquidated"],
          ["G", 0, 4, "liquidated"],
          ["G", 1, 0, null],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1])),
        name,
      );
      const [old] = await store.groups.list({ groupIds: [other] });
      assert.deepEqual(
        [old.status, old.closeReason, old.closedAt, old.updatedAt],
        ["closed", "time_limit", T0 + 4, T0 + 4],
        name,
      );
      seen.push(
        JSON.parse(
          JSON.stringify(await snapshot(store, g), (_k, v) =>
            typeof v === "bigint" ? String(v) : v,
          ).replaceAll(g, "G"),
        ),
      );
    }
    if (seen.length === 2) assert.deepEqual(seen[0], seen[1]);
  });

  test("a batch with more values than one statement can carry is committed whole", async () => {
    for (const [name, target] of paths()) {
      const g = `big-${name.replace(/ /g, "-")}`;
      await target.commit(batches(g)[0]);
      // 17,000 events x 4 values: above PostgreSQL's 65,535 parameters of one statement
      const events = Array.from({ length: 17_000 }, (_, i) => event(`${g}-a`, "ack", T0 + 10 + i));
      await target.commit({
        groups: [{ kind: "update", groupId: g, patch: { status: "open", updatedAt: T0 + 9 } }],
        orders: [],
        events,
        fills: [],
      });
      assert.equal((await store.orderEvents.of([`${g}-a`])).length, 17_001, name);
      assert.equal((await store.groups.list({ groupIds: [g] }))[0].status, "open", name);
    }
  });

  test("a batch that fails leaves nothing of itself behind", async () => {
    for (const [name, target] of paths()) {
      const g = `h-${name.replace(/ /g, "-")}`;
      await target.commit(batches(g)[0]);
      await assert.rejects(
        target.commit({
          groups: [{ kind: "update", groupId: g, patch: { status: "open", updatedAt: T0 + 9 } }],
          orders: [],
          // an event of an order that was never journaled: the foreign key refuses it
          events: [event(`${g}-nobody`, "ack", T0 + 9)],
          fills: [],
        }),
      );
      const [row] = await store.groups.list({ groupIds: [g] });
      assert.equal(row.status, "opening", `${name}: the status change was rolled back with the batch`);
      // and the store still takes the next batch
      await target.commit(batches(g)[1]);
      assert.equal((await store.groups.list({ groupIds: [g] }))[0].status, "open");
    }
  });
}

describe("journal batches on SQLite", () =>
  suite(async () => {
    const dir = mkdtempSync(join(tmpdir(), "perpbot-engine-repo-"));
    return {
      store: await openStore(`sqlite:${join(dir, "j.db")}`),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }));

describe("journal batches on PostgreSQL", { skip: PG_SKIP ? "PERPBOT_TEST_PG=skip" : false }, () =>
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
