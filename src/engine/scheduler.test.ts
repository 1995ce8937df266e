import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { MemoryTimerStore, Scheduler, SqliteTimerStore, type TimerRecord } from "./scheduler.ts";

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), "perpbot-scheduler-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function closeAt(groupId: string, dueAt: number): TimerRecord {
  return { id: `close:${groupId}`, kind: "close_group", dueAt, payload: { groupId } };
}

/** a scheduler whose close_group handler records (time, groupId) */
function recording(clock: SimClock, store: MemoryTimerStore | SqliteTimerStore) {
  const fired: string[] = [];
  const errors: string[] = [];
  const scheduler = new Scheduler(clock, store, {
    retryDelayMs: 1000,
    onError: (t, e) => errors.push(`${t.id}: ${e instanceof Error ? e.message : String(e)}`),
  }).on("close_group", (t) => {
    fired.push(`${(t.payload as { groupId: string }).groupId}@${clock.now() - T0}`);
  });
  return { scheduler, fired, errors };
}

test("a timer fires at its time with its payload, then leaves the store", async () => {
  const clock = new SimClock(T0);
  const store = new MemoryTimerStore();
  const { scheduler, fired } = recording(clock, store);
  await scheduler.start();
  await scheduler.schedule(closeAt("g1", T0 + HOUR));
  await clock.runUntil(T0 + HOUR - 1);
  assert.deepEqual(fired, []);
  assert.equal((await store.load()).length, 1);
  await clock.runUntil(T0 + 2 * HOUR);
  assert.deepEqual(fired, [`g1@${HOUR}`]);
  assert.deepEqual(await store.load(), []);
  assert.deepEqual(scheduler.list(), []);
});

test("scheduling the same id twice replaces the first; cancel removes", async () => {
  const clock = new SimClock(T0);
  const store = new MemoryTimerStore();
  const { scheduler, fired } = recording(clock, store);
  await scheduler.start();
  await scheduler.schedule(closeAt("g1", T0 + HOUR));
  await scheduler.schedule(closeAt("g1", T0 + 3 * HOUR));
  await scheduler.schedule(closeAt("g2", T0 + 2 * HOUR));
  assert.deepEqual(
    scheduler.list().map((t) => t.dueAt - T0),
    [2 * HOUR, 3 * HOUR],
  );
  await scheduler.cancel("close:g2");
  await clock.runUntil(T0 + 4 * HOUR);
  assert.deepEqual(fired, [`g1@${3 * HOUR}`]);
  assert.deepEqual(await store.load(), []);
});

test("a failing handler keeps its record and runs again after the retry delay", async () => {
  const clock = new SimClock(T0);
  const store = new MemoryTimerStore();
  const errors: string[] = [];
  let calls = 0;
  const scheduler = new Scheduler(clock, store, { retryDelayMs: 5000, onError: (t) => errors.push(t.id) }).on(
    "close_group",
    async () => {
      calls++;
      if (calls < 3) throw new Error("venue down");
    },
  );
  await scheduler.start();
  await scheduler.schedule(closeAt("g1", T0 + 1000));
  await clock.runUntil(T0 + 1000);
  assert.equal(calls, 1);
  assert.equal((await store.load()).length, 1, "still stored after a failure");
  await clock.runUntil(T0 + 10_999);
  assert.equal(calls, 2);
  await clock.runUntil(T0 + 11_000);
  assert.equal(calls, 3);
  assert.deepEqual(errors, ["close:g1", "close:g1"]);
  assert.deepEqual(await store.load(), []);
});

test("a timer of a kind with no handler is reported and kept for a later build", async () => {
  const clock = new SimClock(T0);
  const store = new MemoryTimerStore();
  const { scheduler, errors } = recording(clock, store);
  await scheduler.start();
  await scheduler.schedule({ id: "x", kind: "unpause_maker", dueAt: T0 + 10, payload: null });
  await clock.runUntil(T0 + 100);
  assert.deepEqual(errors, ["x: timer x: no handler for kind unpause_maker"]);
  assert.equal((await store.load()).length, 1);
});

test("rescheduling a timer while its handler runs keeps the new one", async () => {
  const clock = new SimClock(T0);
  const store = new MemoryTimerStore();
  const runs: number[] = [];
  let scheduler: Scheduler;
  scheduler = new Scheduler(clock, store).on("close_group", async () => {
    runs.push(clock.now() - T0);
    // the handler pushes its own close back once, as a strategy extending a group would
    if (runs.length === 1) await scheduler.schedule(closeAt("g1", T0 + 2 * HOUR));
  });
  await scheduler.start();
  await scheduler.schedule(closeAt("g1", T0 + HOUR));
  await clock.runUntil(T0 + HOUR);
  assert.equal((await store.load())[0]?.dueAt, T0 + 2 * HOUR, "the finishing handler did not remove it");
  await clock.runUntil(T0 + 3 * HOUR);
  assert.deepEqual(runs, [HOUR, 2 * HOUR]);
  assert.deepEqual(await store.load(), []);
});

test("sqlite: timers survive a restart; one overdue while down fires exactly once, at start", async () => {
  const path = join(dir, "restart.sqlite");
  const clock = new SimClock(T0);

  // first process: two closes scheduled, then it dies before either is due
  let store = SqliteTimerStore.open(path);
  const first = recording(clock, store);
  await first.scheduler.start();
  await first.scheduler.schedule(closeAt("g1", T0 + HOUR));
  await first.scheduler.schedule(closeAt("g2", T0 + 3 * HOUR));
  first.scheduler.stop();
  store.close();

  // down for two hours: g1 came due meanwhile
  await clock.runUntil(T0 + 2 * HOUR);
  assert.deepEqual(first.fired, []);

  // second process
  store = SqliteTimerStore.open(path);
  const second = recording(clock, store);
  await second.scheduler.start();
  await clock.runUntil(clock.now());
  assert.deepEqual(second.fired, [`g1@${2 * HOUR}`], "overdue g1 fires at start");
  assert.deepEqual(
    (await store.load()).map((t) => t.id),
    ["close:g2"],
  );
  await clock.runUntil(T0 + 2.5 * HOUR);
  assert.deepEqual(second.fired, [`g1@${2 * HOUR}`], "and only once");
  second.scheduler.stop();
  store.close();

  // third process, after g2's time: g2 fires once, g1 never again
  await clock.runUntil(T0 + 4 * HOUR);
  store = SqliteTimerStore.open(path);
  const third = recording(clock, store);
  await third.scheduler.start();
  await clock.runUntil(T0 + 10 * HOUR);
  assert.deepEqual(third.fired, [`g2@${4 * HOUR}`]);
  assert.deepEqual(await store.load(), []);
  store.close();
});

test("sqlite: a process killed mid-handler fires the timer again at the next start (at-least-once)", async () => {
  const path = join(dir, "crash.sqlite");
  const clock = new SimClock(T0);
  let store = SqliteTimerStore.open(path);
  let started = 0;
  // the first handler never finishes: the process dies while it closes the group
  const first = new Scheduler(clock, store).on("close_group", () => {
    started++;
    return new Promise<void>(() => {});
  });
  await first.start();
  await first.schedule(closeAt("g1", T0 + 1000));
  await clock.runUntil(T0 + 1000);
  assert.equal(started, 1);
  first.stop();
  store.close();

  store = SqliteTimerStore.open(path);
  const second = recording(clock, store);
  await second.scheduler.start();
  await clock.runUntil(clock.now());
  assert.deepEqual(second.fired, ["g1@1000"]);
  assert.deepEqual(await store.load(), []);
  store.close();
});

test("sqlite store: save replaces by id, payload round-trips, shares a caller's database", async () => {
  const store = SqliteTimerStore.open(join(dir, "store.sqlite"));
  await store.save({ id: "a", kind: "k", dueAt: T0 + 5, payload: { groupId: "g", legs: [1, 2], on: true } });
  await store.save({ id: "b", kind: "k", dueAt: T0 + 1, payload: "text" });
  await store.save({ id: "a", kind: "k2", dueAt: T0 + 9, payload: null });
  assert.deepEqual(await store.load(), [
    { id: "b", kind: "k", dueAt: T0 + 1, payload: "text" },
    { id: "a", kind: "k2", dueAt: T0 + 9, payload: null },
  ]);
  await store.remove("b");
  await store.remove("missing");
  assert.deepEqual(
    (await store.load()).map((t) => t.id),
    ["a"],
  );
  store.close();

  // on a database the caller owns, close() leaves the database open
  const db = new DatabaseSync(":memory:");
  const shared = new SqliteTimerStore(db);
  await shared.save({ id: "c", kind: "k", dueAt: 1, payload: 1 });
  shared.close();
  assert.deepEqual({ ...db.prepare("SELECT id, due_at FROM timers").get() }, { id: "c", due_at: 1 });
  db.close();
});

test("invalid timers are refused", async () => {
  const scheduler = new Scheduler(new SimClock(T0), new MemoryTimerStore());
  await assert.rejects(scheduler.schedule({ id: "", kind: "k", dueAt: 1, payload: null }), /empty id/);
  await assert.rejects(
    scheduler.schedule({ id: "a", kind: "k", dueAt: Number.NaN, payload: null }),
    /dueAt NaN/,
  );
});

test("a prefetched read loses to what is scheduled, replaced or cancelled before start", async () => {
  const clock = new SimClock(T0);
  const store = new MemoryTimerStore();
  await store.save(closeAt("kept", T0 + HOUR));
  await store.save(closeAt("cancelled", T0 + HOUR));
  await store.save(closeAt("moved", T0 + HOUR));
  const { scheduler, fired } = recording(clock, store);
  scheduler.prefetch();
  // what the start-up's reconcile may do while the read is out: its records are newer
  await scheduler.cancel("close:cancelled");
  await scheduler.schedule(closeAt("moved", T0 + 3 * HOUR));
  await scheduler.schedule(closeAt("new", T0 + 2 * HOUR));
  assert.deepEqual(scheduler.list(), [], "nothing is armed before start");
  await scheduler.start();
  assert.deepEqual(
    scheduler.list().map((t) => `${(t.payload as { groupId: string }).groupId}@${t.dueAt - T0}`),
    [`kept@${HOUR}`, `new@${2 * HOUR}`, `moved@${3 * HOUR}`],
  );
  await clock.runUntil(T0 + 4 * HOUR);
  assert.deepEqual(fired, [`kept@${HOUR}`, `new@${2 * HOUR}`, `moved@${3 * HOUR}`]);
  assert.deepEqual(await store.load(), []);
});

test("a prefetch whose read fails makes start() throw, not an unhandled rejection", async () => {
  const clock = new SimClock(T0);
  const failing = new MemoryTimerStore();
  failing.load = () => Promise.reject(new Error("store down"));
  const { scheduler } = recording(clock, failing);
  scheduler.prefetch();
  await clock.advance(1_000);
  await assert.rejects(scheduler.start(), /store down/);
});
