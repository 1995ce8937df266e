import assert from "node:assert/strict";
import { after, test } from "node:test";
import { FarmHarness } from "../testing/farm-harness.ts";
import { ControlPoller } from "./control.ts";
import {
  enqueueControlRequest,
  getControlRequest,
  PAUSED_KV_KEY,
  pausedStrategies,
} from "./service/control.ts";

/**
 * Pausing one strategy instance (POST /api/control/strategies/{name}/pause): the runner's poller
 * on a SimClock with the farm harness. Paused, the farm opens no new group (its closes still
 * work); resumed, it opens again; the pause is in the store for the next start.
 */

const harnesses: FarmHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});
const MIN = 60_000;

async function finished(h: FarmHarness, id: number) {
  for (let i = 0; i < 200; i++) {
    const r = await getControlRequest(h.store, id);
    if (r && (r.status === "done" || r.status === "failed")) return r;
    await h.advance(500);
  }
  throw new Error(`request ${id} not finished`);
}

test("a paused instance opens nothing new, closes still work; resumed it opens again", async () => {
  const wallets = Array.from({ length: 4 }, (_, i) => ({ id: `w${i + 1}`, balanceUsd: 2_000 + i * 100 }));
  const h = await FarmHarness.start({
    wallets,
    farm: { min_duration_hours: 6, max_duration_hours: 6, min_cooldown_minutes: 1, max_cooldown_minutes: 1 },
  });
  harnesses.push(h);
  await h.advance(MIN);
  const poller = new ControlPoller({
    store: h.store,
    clock: h.clock,
    engine: h.runtime.engine,
    farm: h.runtime.control,
    venues: ["simA"],
    wallets: wallets.map((w) => w.id),
  });
  await poller.start();
  const opened = (await h.groups()).filter((g) => g.status === "open");
  assert.ok(opened.length > 0, "the farm opened groups");

  const p = await finished(
    h,
    await enqueueControlRequest(h.store, "pause_strategy", { strategy: "farm" }, h.clock.now()),
  );
  assert.equal(p.status, "done", JSON.stringify(p.result));
  assert.deepEqual(p.result, { strategy: "farm", paused: true });
  assert.deepEqual(await pausedStrategies(h.store), ["farm"]);
  assert.equal(await h.store.kv.get(PAUSED_KV_KEY), '["farm"]');

  const c = await finished(h, await enqueueControlRequest(h.store, "close", { group: "all" }, h.clock.now()));
  assert.equal(c.status, "done", JSON.stringify(c.result));
  const pausedAt = h.clock.now();
  // well past every wallet's cooldown: a running farm would have opened again
  await h.advance(15 * MIN);
  const during = (await h.groups()).filter((g) => g.createdAt > pausedAt);
  assert.deepEqual(
    during.map((g) => g.groupId),
    [],
    "no group opened while paused",
  );
  assert.equal((await h.groups()).filter((g) => g.status === "open").length, 0);

  const r = await finished(
    h,
    await enqueueControlRequest(h.store, "resume_strategy", { strategy: "farm" }, h.clock.now()),
  );
  assert.equal(r.status, "done");
  assert.deepEqual(await pausedStrategies(h.store), []);
  const resumedAt = h.clock.now();
  await h.advance(15 * MIN);
  assert.ok(
    (await h.groups()).some((g) => g.createdAt > resumedAt && g.status === "open"),
    "it opens again",
  );

  const bad = await finished(
    h,
    await enqueueControlRequest(h.store, "pause_strategy", { strategy: "nope" }, h.clock.now()),
  );
  assert.equal(bad.status, "failed");
  assert.match(String(bad.result?.error), /no strategy instance "nope" \(instances: farm\)/);
  await poller.stop();
});
