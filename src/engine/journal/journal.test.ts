import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../../store/store.ts";
import type { OrderEvent } from "../orders/order-state.ts";
import { decodeEvent, encodeEvent, Journal } from "./journal.ts";

test("order events round-trip through their JSON payload, bigint amounts exactly", () => {
  const e: OrderEvent = {
    kind: "fill",
    ts: 5,
    fill: {
      fillId: "f1",
      clientOrderId: "c",
      venueOrderId: "v",
      account: "a",
      symbol: "BTC",
      side: "buy",
      priceTicks: 60_001,
      sizeLots: 3,
      fee: -123_456_789_012_345_678_901n,
      liquidity: "taker",
      realisedPnl: 7n,
      ts: 5,
    },
  };
  assert.deepEqual(decodeEvent(encodeEvent(e)), e);
});

test("the journal commits queued writes in one batch and sync() waits for them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-journal-"));
  const store = await openStore(`sqlite:${join(dir, "j.db")}`);
  try {
    const failures: Error[] = [];
    const j = new Journal(store, (e) => failures.push(e));
    const base = {
      strategy: "s",
      status: "opening",
      entry: "{}",
      fillTimeoutMs: 1,
      hedged: true,
      meta: null,
      closeReason: null,
      failureReason: null,
      detail: null,
      createdAt: 1,
      updatedAt: 1,
      closedAt: null,
    };
    for (let i = 0; i < 5; i++) j.insertGroup({ ...base, groupId: `g${i}` }, []);
    j.updateGroup("g3", { status: "open", updatedAt: 2 });
    await j.sync();
    assert.equal(j.commits, 1, "one transaction for the whole batch");
    const rows = await store.groups.list();
    assert.deepEqual(
      rows.map((r) => [r.groupId, r.status]),
      [
        ["g0", "opening"],
        ["g1", "opening"],
        ["g2", "opening"],
        ["g3", "open"],
        ["g4", "opening"],
      ],
    );
    // a write nobody syncs is committed anyway, at the latest at the end of the event-loop turn
    j.updateGroup("g4", { status: "open", updatedAt: 3 });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(j.commits, 2);
    assert.equal((await store.groups.list({ groupIds: ["g4"] }))[0].status, "open");
    // a failed batch poisons the journal: write-ahead can no longer be promised
    j.insertGroup({ ...base, groupId: "g0" }, []);
    await assert.rejects(j.sync(), /journal commit failed/);
    assert.equal(failures.length, 1);
    assert.throws(() => j.updateGroup("g1", { updatedAt: 3 }), /journal commit failed/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("event payloads are the text a bigint-tagging JSON replacer gives, for every kind of value", () => {
  const replacer = (_k: string, v: unknown) => (typeof v === "bigint" ? { $big: v.toString() } : v);
  const samples: unknown[] = [
    { kind: "ack", ts: 1, venueOrderId: "v" },
    { kind: "fill", ts: 2, fill: { fee: -5n, nested: [1n, { x: 2n, y: null }], s: "t" } },
    { kind: "status_report", ts: 3, status: "open", filledLots: 0, list: [] },
  ];
  for (const e of samples) {
    const text = encodeEvent(e as OrderEvent);
    assert.equal(text, JSON.stringify(e, replacer));
    assert.deepEqual(decodeEvent(text), e);
  }
  // the caller's event is never changed by the encoding
  const fill = samples[1] as { fill: { fee: bigint } };
  assert.equal(fill.fill.fee, -5n);
});
