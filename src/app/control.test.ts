import assert from "node:assert/strict";
import { after, test } from "node:test";
import { FarmHarness } from "../testing/farm-harness.ts";
import { ControlPoller } from "./control.ts";
import { enqueueControlRequest, getControlRequest, RUNNER_KV_KEY } from "./service/control.ts";

/** The runner's side of `perpbot close` / `perpbot flatten`: the poller on a SimClock with the farm harness. */

const harnesses: FarmHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});
const MIN = 60_000;
const farm = {
  min_duration_hours: 6,
  max_duration_hours: 6,
  min_cooldown_minutes: 600,
  max_cooldown_minutes: 600,
};

async function setup(walletCount = 4) {
  const wallets = Array.from({ length: walletCount }, (_, i) => ({
    id: `w${i + 1}`,
    balanceUsd: 2_000 + i * 100,
  }));
  const h = await FarmHarness.start({ wallets, farm });
  harnesses.push(h);
  await h.advance(MIN);
  const poller = new ControlPoller({
    store: h.store,
    clock: h.clock,
    engine: h.runtime.engine,
    farm: h.runtime.farm,
    venues: ["simA"],
    wallets: wallets.map((w) => w.id),
  });
  await poller.start();
  return { h, poller };
}

async function finished(h: FarmHarness, id: number) {
  for (let i = 0; i < 200; i++) {
    const r = await getControlRequest(h.store, id);
    if (r && (r.status === "done" || r.status === "failed")) return r;
    await h.advance(500);
  }
  throw new Error(`request ${id} not finished`);
}

test("a close request closes the group (reason manual, every leg flat) and is marked done", async () => {
  const { h, poller } = await setup();
  const [g] = await h.groups();
  assert.equal(g.status, "open");
  await h.advance(1_000);
  assert.ok(
    JSON.parse((await h.store.kv.get(RUNNER_KV_KEY))!).ts > 0,
    "the runner's heartbeat is in the store",
  );
  const id = await enqueueControlRequest(h.store, "close", { group: g.groupId }, h.clock.now());
  const r = await finished(h, id);
  assert.equal(r.status, "done", JSON.stringify(r.result));
  assert.deepEqual(r.result?.closed, [g.groupId]);
  const [done] = await h.groups();
  assert.equal(done.status, "closed");
  assert.equal(done.closeReason, "manual");
  assert.equal((await h.positionLots()).size, 0);
  assert.equal(h.runtime.farm.groups().length, 0, "the farm no longer holds the group");
  await poller.stop();
  assert.equal(await h.store.kv.get(RUNNER_KV_KEY), null, "stop drops the heartbeat");
  await h.stop();
});

test("a close request for an unknown group fails with a clear message; the open group is untouched", async () => {
  const { h, poller } = await setup();
  const id = await enqueueControlRequest(h.store, "close", { group: "farm-nope" }, h.clock.now());
  const r = await finished(h, id);
  assert.equal(r.status, "failed");
  assert.match(String(r.result?.error), /no group "farm-nope"/);
  const [g] = await h.groups();
  assert.equal(g.status, "open");
  assert.equal((await h.positionLots()).size, 4);
  await poller.stop();
  await h.stop();
});

test("flatten --wallet closes the groups holding that wallet and leaves the others open", async () => {
  const { h, poller } = await setup(8);
  const open = (await h.groups()).filter((g) => g.status === "open");
  assert.equal(open.length, 2);
  const [target, other] = open;
  const wallet = target.legs[0].account;
  const id = await enqueueControlRequest(h.store, "flatten", { wallet }, h.clock.now());
  const r = await finished(h, id);
  assert.equal(r.status, "done", JSON.stringify(r.result));
  assert.deepEqual(r.result?.groupsClosed, [target.groupId]);
  const byId = new Map((await h.groups()).map((g) => [g.groupId, g]));
  assert.equal(byId.get(target.groupId)?.status, "closed");
  assert.equal(byId.get(target.groupId)?.closeReason, "manual");
  assert.equal(byId.get(other.groupId)?.status, "open");
  const held = await h.positionLots();
  assert.deepEqual(
    [...held.keys()].sort(),
    other.legs.map((l) => l.account).sort(),
    "only the other group's wallets hold positions",
  );
  assert.deepEqual(
    h.runtime.farm.groups().map((g) => g.id),
    [other.groupId],
  );
  await poller.stop();
  await h.stop();
});

test("flatten naming a venue the runner does not trade fails and closes nothing; close all closes every group", async () => {
  const { h, poller } = await setup(8);
  const bad = await enqueueControlRequest(h.store, "flatten", { venue: "simZ" }, h.clock.now());
  const all = await enqueueControlRequest(h.store, "close", { group: "all" }, h.clock.now());
  const r = await finished(h, bad);
  assert.equal(r.status, "failed");
  assert.match(String(r.result?.error), /unknown venue "simZ": this runner trades simA/);
  const a = await finished(h, all);
  assert.equal(a.status, "done", JSON.stringify(a.result));
  assert.equal((a.result?.closed as string[] | undefined)?.length, 2);
  const groups = await h.groups();
  assert.ok(groups.every((g) => g.status === "closed" && g.closeReason === "manual"));
  assert.equal((await h.positionLots()).size, 0);
  await poller.stop();
  await h.stop();
});

test("a request queued while no runner polls is acted on when the poller starts; one left running by a dead runner is retried", async () => {
  const wallets = ["w1", "w2", "w3", "w4"].map((id) => ({ id, balanceUsd: 2_000 }));
  const h = await FarmHarness.start({ wallets, farm });
  harnesses.push(h);
  await h.advance(MIN);
  const [g] = await h.groups();
  const id = await enqueueControlRequest(h.store, "close", { group: g.groupId }, h.clock.now());
  // a runner that died after claiming it
  assert.equal(await h.store.controlRequests.claim(id, h.clock.now()), true);
  await h.advance(10_000);
  assert.equal((await getControlRequest(h.store, id))?.status, "running", "nobody acts without a poller");
  assert.equal((await h.groups())[0].status, "open");
  const poller = new ControlPoller({
    store: h.store,
    clock: h.clock,
    engine: h.runtime.engine,
    farm: h.runtime.farm,
    venues: ["simA"],
  });
  await poller.start();
  const r = await finished(h, id);
  assert.equal(r.status, "done");
  assert.equal((await h.groups())[0].status, "closed");
  await poller.stop();
  await h.stop();
});

test("a request past its expiry is failed as expired and nothing is done; one within it runs", async () => {
  const { h, poller } = await setup(8);
  const [g1, g2] = await h.groups();
  assert.ok(g2 !== undefined, "eight wallets make at least two groups");
  const wall = Date.now();
  const stale = await enqueueControlRequest(h.store, "close", { group: g1.groupId }, h.clock.now(), wall - 1);
  const fresh = await enqueueControlRequest(
    h.store,
    "close",
    { group: g2.groupId },
    h.clock.now(),
    wall + 3_600_000,
  );
  const r = await finished(h, stale);
  assert.equal(r.status, "failed");
  assert.match(String(r.result?.error), /^expired at .* before a runner acted on it/);
  assert.equal((await finished(h, fresh)).status, "done");
  const byId = new Map((await h.groups()).map((g) => [g.groupId, g.status]));
  assert.equal(byId.get(g1.groupId), "open", "the expired close did nothing");
  assert.equal(byId.get(g2.groupId), "closed");
  await poller.stop();
  await h.stop();
});

test("halt, reduce-only and resume requests set the engine's trading state, persisted in the store", async () => {
  const { h, poller } = await setup();
  for (const [action, state] of [
    ["halt", "HALTED"],
    ["reduce_only", "REDUCING"],
    ["resume", "ACTIVE"],
  ] as const) {
    const id = await enqueueControlRequest(h.store, action, {}, h.clock.now());
    const r = await finished(h, id);
    assert.equal(r.status, "done", JSON.stringify(r.result));
    assert.deepEqual(r.result, { tradingState: state });
    assert.equal(h.runtime.engine.tradingState, state);
    assert.equal(await h.store.kv.get("engine.trading_state"), state);
  }
  await poller.stop();
});
