import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { MAX_TIMER_MS, SimClock, WallClock } from "./clock.ts";
import { Rng } from "./random.ts";

test("SimClock fires timers in time order and jumps straight to them", async () => {
  const clock = new SimClock(0);
  const fired: string[] = [];
  clock.at(3_600_000, () => fired.push(`1h@${clock.now()}`));
  clock.after(10, () => fired.push(`10ms@${clock.now()}`));
  const h = clock.after(20, () => fired.push("cancelled"));
  clock.cancel(h);
  clock.at(10, () => fired.push(`10ms-second@${clock.now()}`));
  await clock.runUntil(7_200_000);
  assert.deepEqual(fired, ["10ms@10", "10ms-second@10", "1h@3600000"]);
  assert.equal(clock.now(), 7_200_000);
  assert.equal(clock.pending, 0);
});

test("SimClock lets async code chained on sleeps run within simulated time", async () => {
  const clock = new SimClock(1000);
  const seen: number[] = [];
  const loop = (async () => {
    for (let i = 0; i < 5; i++) {
      await clock.sleep(60_000);
      seen.push(clock.now());
    }
  })();
  await clock.advance(10 * 60_000);
  await loop;
  assert.deepEqual(seen, [61_000, 121_000, 181_000, 241_000, 301_000]);
});

test("Rng is deterministic per seed and uniform enough", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b.next()),
  );
  assert.notDeepEqual(
    xs.slice(0, 10),
    Array.from({ length: 10 }, () => c.next()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  const r = new Rng("seed");
  for (let i = 0; i < 1000; i++) {
    const k = r.int(2, 5);
    assert.ok(k >= 2 && k <= 5 && Number.isInteger(k));
  }
});

test("SimClock.drive advances time until the work settles, and gives up past its limit", async () => {
  const clock = new SimClock(0);
  const work = (async () => {
    await clock.sleep(1_000);
    await clock.sleep(2_000);
    return clock.now();
  })();
  assert.equal(await clock.drive(work, 100), 3_000);
  const never = new Promise<void>(() => {});
  await assert.rejects(clock.drive(never, 1_000, 10_000), /did not settle within/);
  assert.equal(clock.now(), 13_000);
});

test("WallClock waits past Node's 2^31-1 ms timer limit (a 30-day run), and can cancel a chained timer", (t) => {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: Date.UTC(2026, 0, 1) });
  t.after(() => mock.timers.reset());
  const clock = new WallClock();
  const start = Date.now();
  const thirtyDays = 30 * 86_400_000;
  assert.ok(thirtyDays > MAX_TIMER_MS);
  let firedAt: number | undefined;
  clock.after(thirtyDays, () => {
    firedAt = Date.now();
  });
  const cancelled = clock.after(2 * thirtyDays, () => assert.fail("a cancelled timer fired"));
  let never = false;
  clock.after(Number.POSITIVE_INFINITY, () => {
    never = true;
  });
  mock.timers.tick(10);
  assert.equal(firedAt, undefined, "fired after 10 ms");
  mock.timers.tick(MAX_TIMER_MS);
  assert.equal(firedAt, undefined, "fired at the first link of the chain");
  mock.timers.tick(thirtyDays - MAX_TIMER_MS - 11);
  assert.equal(firedAt, undefined, "fired a millisecond early");
  mock.timers.tick(1);
  assert.equal(firedAt, start + thirtyDays);
  clock.cancel(cancelled);
  mock.timers.tick(2 * thirtyDays);
  assert.equal(never, false);
  assert.equal(clock.pending, 1, "only the infinite timer is still pending");
  assert.throws(() => clock.after(Number.NaN, () => {}), RangeError);
});
