import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { PointsKeeper } from "./points-keeper.ts";

test("points keeper: read at add, again only after pollMs, never two reads of one wallet at once, a failure keeps the last value", async () => {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    const clock = new SimClock(Date.UTC(2026, 11, 1, 12));
    const problems: string[] = [];
    let total = 10;
    let fail = false;
    let release: (() => void) | undefined;
    const keeper = new PointsKeeper<string>("xv", {
      clock,
      pollMs: 3_600_000,
      problem: (a, e) => problems.push(`${a}: ${e.message}`),
      read: async (account, auth) => {
        assert.equal(auth, `key-${account}`);
        if (release === undefined) await new Promise<void>((r) => (release = r));
        if (fail) throw new Error("bad answer");
        return { total, lastWeek: 1 };
      },
    });
    keeper.add("w1", "key-w1");
    assert.equal(keeper.requests, 1, "read at add");
    void keeper.refresh("w1");
    assert.equal(keeper.requests, 1, "a read under way is not doubled");
    release?.();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(keeper.kept(), [
      { venue: "xv", account: "w1", total: 10, lastWeek: 1, ts: clock.now() },
    ]);
    total = 25;
    mock.timers.tick(3_599_999);
    assert.equal(keeper.requests, 1, "nothing before the hour");
    mock.timers.tick(1);
    assert.equal(keeper.requests, 2, "read again on the hour");
    await new Promise((r) => setImmediate(r));
    assert.equal(keeper.kept()[0]?.total, 25);
    fail = true;
    mock.timers.tick(3_600_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(keeper.requests, 3);
    assert.equal(keeper.kept()[0]?.total, 25, "last value kept");
    assert.deepEqual(problems, ["w1: bad answer"]);
    keeper.stop();
    mock.timers.tick(3_600_000);
    assert.equal(keeper.requests, 3, "stopped: no more reads");
  } finally {
    mock.timers.reset();
  }
});
