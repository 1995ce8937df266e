import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, mock, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { usd } from "../../core/money.ts";
import type { Venue } from "../../core/venue.ts";
import { fenceSessionName, LeaseStore } from "../../store/cluster/lease-store.ts";
import { openPgStandby, openStore, storeInternals } from "../../store/store.ts";
import { dropCluster, freshSchema, PG_URL, pgUnavailable } from "../../testing/cluster/pg.ts";
import { dataSchemaFor, fenceVenue, openFencedStore } from "./fence.ts";
import { type HeldLease, LeaseManager } from "./lease-manager.ts";

const CHILD = fileURLToPath(new URL("../../testing/cluster/fence-child.ts", import.meta.url));
const down = await pgUnavailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("leases and fencing on PostgreSQL", { skip: down ?? false }, () => {
  const cluster = freshSchema("fence");
  let leases: LeaseStore;
  before(async () => {
    leases = await LeaseStore.open(PG_URL, cluster);
  });
  after(async () => {
    await leases?.close();
    await dropCluster(cluster);
  });

  test("one holder per key; renewal extends it; expiry or release lets another take it with a larger token", async () => {
    const a = new LeaseManager({ leases, workerId: "a", ttlMs: 1_000, renewEveryMs: 150, marginMs: 100 });
    const b = new LeaseManager({ leases, workerId: "b", ttlMs: 1_000, renewEveryMs: 150, marginMs: 100 });
    const lostB: string[] = [];
    const b2 = new LeaseManager({
      leases,
      workerId: "b",
      ttlMs: 1_000,
      renewEveryMs: 150,
      marginMs: 100,
      onLost: (l, why) => lostB.push(`${l.key}: ${why}`),
    });
    const la = (await a.acquire("k1")) as HeldLease;
    assert.ok(la.token > 0);
    assert.equal(await b.acquire("k1"), undefined, "a live lease is not taken");
    // renewed past its first TTL, it is still a's
    for (let i = 0; i < 6; i++) {
      await sleep(200);
      await a.renewNow();
    }
    assert.equal(a.current("k1")?.token, la.token);
    assert.equal(await b.acquire("k1"), undefined);
    // not renewed: it expires, b takes it with a larger token, and a's next renewal hears it lost
    const lostA: string[] = [];
    const a2 = new LeaseManager({
      leases,
      workerId: "a",
      ttlMs: 1_000,
      renewEveryMs: 150,
      marginMs: 100,
      onLost: (l, why) => lostA.push(`${l.key} ${l.token}: ${why}`),
    });
    const la2 = (await a2.acquire("k1")) as HeldLease;
    assert.ok(la2.token > la.token, "re-acquiring gives a new, larger token");
    await sleep(1_100);
    const lb = (await b2.acquire("k1")) as HeldLease;
    assert.ok(lb !== undefined && lb.token > la2.token, `takeover token ${lb?.token} > ${la2.token}`);
    await a2.renewNow();
    assert.deepEqual(lostA, [
      `k1 ${la2.token}: the database did not renew it (it expired or another worker took it over)`,
    ]);
    assert.equal(a2.current("k1"), undefined);
    assert.throws(() => a2.assertHeld(la2), /lease "k1" \(token \d+\) is no longer held/);
    // a clean release frees it at once
    await b2.release(lb);
    const la3 = (await a.acquire("k1")) as HeldLease;
    assert.ok(la3.token > lb.token);
    assert.deepEqual(lostB, []);
    const rows = await leases.leases();
    assert.deepEqual(
      rows.map((r) => [r.key, r.holder, r.token]),
      [["k1", "a", la3.token]],
    );
  });

  test("a write with a stale token is refused by the database, a current one and an unfenced session are not", async () => {
    const schema = dataSchemaFor(cluster, "unit_x");
    const m1 = new LeaseManager({ leases, workerId: "w1", ttlMs: 1_500, renewEveryMs: 300, marginMs: 200 });
    const m2 = new LeaseManager({ leases, workerId: "w2", ttlMs: 5_000 });
    await m1.start(); // renewed while the first open migrates the schema (slow on a busy machine)
    const l1 = (await m1.acquire("unit_x")) as HeldLease;
    const s1 = await openFencedStore(PG_URL, leases, l1, schema, { pgPoolSize: 1 });
    await s1.kv.put("k", "by w1", 1);
    await m1.stop(false); // w1 stops renewing: its lease runs out
    await sleep(1_600);
    // expired, not yet taken: refused already
    await assert.rejects(
      s1.kv.put("k", "late", 2),
      /perpbot fence: write to kv refused: lease "unit_x" token \d+ is stale \(it expired\)/,
    );
    const l2 = (await m2.acquire("unit_x")) as HeldLease;
    const s2 = await openFencedStore(PG_URL, leases, l2, schema, { pgPoolSize: 1 });
    await s2.kv.put("k", "by w2", 3);
    await assert.rejects(
      s1.kv.put("k", "stale", 4),
      new RegExp(`lease "unit_x" token ${l1.token} is stale \\(now held by w2 with token ${l2.token}\\)`),
    );
    // the engine's journal goes through the same trigger
    await assert.rejects(
      s1.journal.commit({
        groups: [],
        orders: [],
        events: [],
        fills: [
          {
            venue: "simA",
            account: "w1",
            symbol: "BTC",
            fillId: "f1",
            clientOrderId: null,
            venueOrderId: null,
            side: "buy",
            price: "60000",
            size: "0.1",
            fee: usd(1),
            realisedPnl: usd(0),
            liquidity: "taker",
            ts: 1,
          },
        ],
      }),
      /perpbot fence: write to fills refused/,
    );
    const operator = await openStore(PG_URL, { pgSchema: schema, pgPoolSize: 1 });
    await operator.kv.put("note", "operator", 5);
    assert.equal(await operator.kv.get("k"), "by w2");
    for (const s of [s1, s2, operator]) await s.close();
  });

  test("a store on a connection opened ahead (a standby) carries the lease's token and name on each connection", async () => {
    const schema = dataSchemaFor(cluster, "unit_sb");
    const m1 = new LeaseManager({ leases, workerId: "w1", ttlMs: 1_500, renewEveryMs: 300, marginMs: 200 });
    const m2 = new LeaseManager({ leases, workerId: "w2", ttlMs: 5_000 });
    const opts = { pgSchema: schema, pgPoolSize: 2, pgIdleInTransactionTimeoutMs: 1_500 };
    // a standby for another schema (or timeout) is refused, naming both
    const wrong = openPgStandby(PG_URL, { ...opts, pgSchema: dataSchemaFor(cluster, "unit_other") });
    await m1.start();
    const l1 = (await m1.acquire("unit_sb")) as HeldLease;
    await assert.rejects(
      openFencedStore(PG_URL, leases, l1, schema, {
        pgPoolSize: 2,
        pgStandby: wrong,
        pgIdleInTransactionTimeoutMs: 1_500,
      }),
      /pgStandby for schema \w+_u_unit_other: the store opens \w+_u_unit_sb/,
    );
    await wrong.close();
    const standby = openPgStandby(PG_URL, opts);
    await standby.ready;
    const s1 = await openFencedStore(PG_URL, leases, l1, schema, {
      pgPoolSize: 2,
      pgStandby: standby,
      pgIdleInTransactionTimeoutMs: 1_500,
    });
    // the standby's own close leaves the pool to the store; taking it twice is refused
    await standby.close();
    await assert.rejects(openStore(PG_URL, { ...opts, pgStandby: standby }), /already closed or taken/);
    await s1.kv.put("k", "by w1", 1);
    // both connections of the pool (two transactions at once) carry the token and the name
    const { db } = storeInternals(s1);
    const seen = await Promise.all(
      [0, 1].map(() =>
        db.transaction().execute(async (trx) => {
          const r = await sql<{ t: string; a: string }>`select current_setting('perpbot.fence_token') as t,
            current_setting('application_name') as a, pg_sleep(0.1)`.execute(trx);
          return r.rows[0];
        }),
      ),
    );
    assert.deepEqual(
      seen.map((r) => [r.t, r.a]),
      [0, 1].map(() => [String(l1.token), fenceSessionName(leases.schema, "unit_sb", l1.token)]),
    );
    // once the lease is another's, the store's writes are refused like any fenced store's
    await m1.stop(false);
    await sleep(1_600);
    const l2 = (await m2.acquire("unit_sb")) as HeldLease;
    await assert.rejects(
      s1.kv.put("k", "stale", 2),
      new RegExp(`lease "unit_sb" token ${l1.token} is stale \\(now held by w2 with token ${l2.token}\\)`),
    );
    await s1.close();
  });

  test("a holder's transaction left open (a paused process) is ended by the server at the TTL, so the takeover does not wait for it", async () => {
    const schema = dataSchemaFor(cluster, "unit_idle");
    const m1 = new LeaseManager({ leases, workerId: "i1", ttlMs: 1_000, renewEveryMs: 200, marginMs: 100 });
    const m2 = new LeaseManager({ leases, workerId: "i2", ttlMs: 5_000 });
    await m1.start();
    const l1 = (await m1.acquire("unit_idle")) as HeldLease;
    const s1 = await openFencedStore(PG_URL, leases, l1, schema, {
      pgPoolSize: 1,
      pgIdleInTransactionTimeoutMs: m1.ttlMs,
    });
    await m1.stop(false);
    let resume: () => void = () => {};
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    // a write (the fence trigger locks the lease row FOR KEY SHARE), then the process "pauses"
    const tx = storeInternals(s1)
      .db.transaction()
      .execute(async (trx) => {
        await trx.insertInto("kv").values({ key: "in_tx", value: "1", updated_at: 1 }).execute();
        await paused;
        await trx.insertInto("kv").values({ key: "in_tx2", value: "2", updated_at: 2 }).execute();
      });
    const txDone = tx.then(
      () => "committed",
      (e: Error) => e.message,
    );
    await sleep(1_100); // the lease has expired
    // without the timeout this acquire waits on the row lock until `resume()`: the guard fails it
    const guard = sleep(20_000).then(() => "still blocked");
    const taken = await Promise.race([m2.acquire("unit_idle").then((l) => l?.token ?? "refused"), guard]);
    assert.ok(typeof taken === "number" && taken > l1.token, `takeover: ${taken}`);
    resume();
    assert.match(await txDone, /terminat|idle-in-transaction|Connection/i);
    const operator = await openStore(PG_URL, { pgSchema: schema, pgPoolSize: 1 });
    assert.equal(await operator.kv.get("in_tx"), null, "the paused transaction was rolled back");
    for (const s of [s1, operator]) await s.close().catch(() => undefined);
  });

  test("a worker paused past its lease, then resumed, has every write refused and stops itself with a clear log line", async () => {
    const key = "paused_unit";
    const child = spawn(
      process.execPath,
      [CHILD, "--url", PG_URL, "--cluster", cluster, "--key", key, "--worker", "paused"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const lines: Record<string, unknown>[] = [];
    let stderr = "";
    let buf = "";
    let ready: () => void = () => {};
    const isReady = new Promise<void>((r) => {
      ready = r;
    });
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const o = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
        buf = buf.slice(i + 1);
        lines.push(o);
        if (o.ready) ready();
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    await Promise.race([isReady, exited.then(() => assert.fail(`child exited before ready: ${stderr}`))]);
    await sleep(400);
    child.kill("SIGSTOP");
    const okBeforePause = lines.filter((l) => l.write === "ok").length;
    assert.ok(okBeforePause > 0, "the child wrote while it held the lease");
    await sleep(1_300); // past the 1 s TTL
    const other = new LeaseManager({ leases, workerId: "taker", ttlMs: 10_000 });
    const taken = (await other.acquire(key)) as HeldLease;
    assert.ok(taken !== undefined, "the paused worker's lease expired and was taken over");
    const store = await openFencedStore(PG_URL, leases, taken, dataSchemaFor(cluster, key), {
      pgPoolSize: 1,
    });
    const atTakeover = await store.kv.get("fence.counter");
    const pausedAt = lines.length;
    child.kill("SIGCONT");
    const code = await Promise.race([exited, sleep(20_000).then(() => "timeout" as const)]);
    if (code === "timeout") child.kill("SIGKILL");
    assert.equal(code, 0, `the child stops by itself: ${stderr}`);
    // a write already committed when it was paused may report "ok" on resuming; every write the
    // takeover did not see is refused, by the fence
    const seen = Number(atTakeover ?? "0");
    const writes = lines.filter((l) => l.write !== undefined) as {
      write: string;
      value: number;
      fence?: boolean;
    }[];
    assert.deepEqual(
      writes.filter((l) => l.write === "ok" && l.value > seen),
      [],
      "no write after the takeover succeeded",
    );
    const late = writes.filter((l) => l.value > seen);
    assert.ok(late.length >= 5, `it tried to write after resuming (${late.length} attempts)`);
    assert.ok(
      late.every((l) => l.write === "refused" && l.fence === true),
      "each refused by the fence",
    );
    assert.ok(
      lines.slice(pausedAt).some((l) => l.write !== undefined),
      "it kept trying after the resume",
    );
    assert.match(
      stderr,
      /worker paused: lease "paused_unit" \(token \d+\) lost: .*; stopping its engine, no further writes or orders/,
    );
    assert.ok(
      lines.some((l) => l.stopped),
      "it reported its stop",
    );
    // nothing it tried after the takeover reached the database
    assert.equal(await store.kv.get("fence.counter"), atTakeover);
    await store.close();
  });
  test("a fenced venue hands out each method once, and every send still checks the lease first", async () => {
    const m = new LeaseManager({ leases, workerId: "v", ttlMs: 1_000, renewEveryMs: 150, marginMs: 100 });
    const l = (await m.acquire("venue_unit")) as HeldLease;
    const sent: string[] = [];
    const raw = {
      id: "simA",
      book: (s: string) => `book ${s}`,
      submit: (o: string) => {
        sent.push(o);
        return Promise.resolve(o);
      },
    };
    const v = fenceVenue(raw as unknown as Venue, m, l) as unknown as typeof raw;
    assert.equal(v.book, v.book, "a read's method is bound once");
    assert.equal(v.submit, v.submit, "a send's method is wrapped once");
    assert.equal(v.book("BTC"), "book BTC");
    assert.equal(v.id, "simA");
    const submit = v.submit;
    assert.equal(await submit("o1"), "o1");
    // the lease lost: the same (cached) function now refuses, and nothing reaches the venue
    m.lose(l, "test");
    await assert.rejects(submit("o2"), /lease "venue_unit" \(token \d+\) is no longer held/);
    await assert.rejects(v.submit("o3"), /no longer held/);
    assert.deepEqual(sent, ["o1"]);
    await m.stop(true);
  });
  test("a wall clock that jumps ahead of the monotonic one (a paused VM, a clock step) loses the lease at the next send", async () => {
    for (const renewIn of [undefined, { url: PG_URL, schema: cluster }]) {
      const lost: string[] = [];
      const m = new LeaseManager({
        leases,
        workerId: renewIn ? "jump_thread" : "jump_loop",
        ttlMs: 1_000,
        renewEveryMs: 150,
        marginMs: 100,
        renewIn,
        onLost: (l, why) => lost.push(`${l.key}: ${why}`),
      });
      await m.start();
      const key = renewIn ? "jump_t" : "jump_l";
      const l = (await m.acquire(key)) as HeldLease;
      await m.renewNow();
      // both deadlines set, and renewed: the wall one about as far ahead as the monotonic one
      const ahead = l.wallValidUntil - Date.now();
      assert.ok(Math.abs(ahead - (l.validUntil - performance.now())) < 50, `wall ${ahead} ms ahead`);
      m.assertHeld(l);
      // the wall clock (the database's) jumps 5 s; the monotonic clock does not
      const realNow = Date.now;
      const jump = mock.method(Date, "now", () => realNow() + 5_000);
      try {
        assert.ok(performance.now() < l.validUntil, "the monotonic deadline still holds");
        assert.throws(
          () => m.assertHeld(l),
          /lease "jump_\w" \(token \d+\) is no longer held: the wall clock passed its deadline/,
        );
      } finally {
        jump.mock.restore();
      }
      assert.deepEqual(lost, [
        `${key}: the wall clock passed its deadline before the monotonic clock did (a VM pause or a clock step): the database may count it expired`,
      ]);
      assert.throws(() => m.assertHeld(l), /no longer held: it was lost/);
      await m.stop(true);
    }
  });
});
