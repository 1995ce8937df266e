import assert from "node:assert/strict";
import { test } from "node:test";
import { inLanes } from "./startup.ts";

/** A step that finishes when `release` is called: how many run at once is then visible. */
function gate() {
  const waiting: (() => void)[] = [];
  return {
    wait: () => new Promise<void>((r) => waiting.push(r)),
    running: () => waiting.length,
    releaseAll: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test("inLanes runs at most `limit` items at once, in their order", async () => {
  const g = gate();
  const started: number[] = [];
  const done = inLanes([0, 1, 2, 3, 4], 2, async (i) => {
    started.push(i);
    await g.wait();
  });
  await turns(3);
  assert.deepEqual([started, g.running()], [[0, 1], 2]);
  g.releaseAll();
  await turns(3);
  assert.deepEqual(started, [0, 1, 2, 3]);
  g.releaseAll();
  await turns(3);
  g.releaseAll();
  await done;
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
});

test("inLanes: the first failure starts nothing more, waits for those running, then is thrown", async () => {
  const g = gate();
  const started: number[] = [];
  const finished: number[] = [];
  const done = inLanes([0, 1, 2, 3], 2, async (i) => {
    started.push(i);
    if (i === 0) throw new Error("item 0 failed");
    await g.wait();
    finished.push(i);
  });
  let settled = false;
  const outcome = done.then(
    () => "resolved",
    (e: Error) => e.message,
  );
  void outcome.then(() => {
    settled = true;
  });
  await turns(3);
  // item 1 runs on; item 2 was not started after 0 failed
  assert.deepEqual([started, settled], [[0, 1], false]);
  g.releaseAll();
  assert.equal(await outcome, "item 0 failed");
  assert.deepEqual([started, finished], [[0, 1], [1]]);
});

test("inLanes: `stop` ends it before the next item, without an error", async () => {
  let stopped = false;
  const started: number[] = [];
  await inLanes(
    [0, 1, 2, 3],
    1,
    async (i) => {
      started.push(i);
      if (i === 1) stopped = true;
    },
    () => stopped,
  );
  assert.deepEqual(started, [0, 1]);
});
