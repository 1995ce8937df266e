import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import type { RateLimitScope } from "../../core/venue-capabilities.ts";
import { RateLimiter } from "./rate-limiter.ts";

const REST_IP: RateLimitScope = {
  scope: "ip",
  name: "rest",
  capacity: 3,
  refillPerSecond: 1,
  weights: { submit: 1, cancel: 1, order_status: 2 },
};
const ORDERS_PER_ACCOUNT: RateLimitScope = {
  scope: "account",
  name: "orders",
  capacity: 2,
  refillPerSecond: 2,
  weights: { submit: 1 },
};

test("a bucket lets its capacity through at once, then spaces requests by the refill rate", () => {
  const clock = new SimClock(0);
  const limits = new RateLimiter({ clock, venues: [["hl", [REST_IP]]] });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => limits.reserve("hl", "w1", "submit")),
    [0, 0, 0, 1000, 2000],
  );
  // the debt is paid back by time: 2 s later the next one waits only the remaining second
  clock.runUntilSync(2000);
  assert.equal(limits.reserve("hl", "w1", "submit"), 1000);
  // a heavier kind pays its weight
  clock.runUntilSync(10_000);
  assert.equal(limits.reserve("hl", "w1", "order_status"), 0);
  assert.equal(limits.reserve("hl", "w1", "order_status"), 1000);
});

test("accounts on one egress share the ip bucket; an account scope is per account", () => {
  const clock = new SimClock(0);
  const egress: Record<string, string> = { w1: "proxy-a", w2: "proxy-a", w3: "proxy-b" };
  const limits = new RateLimiter({
    clock,
    venues: [["hl", [REST_IP, ORDERS_PER_ACCOUNT]]],
    egressOf: (_venue, account) => egress[account],
  });
  assert.equal(limits.reserve("hl", "w1", "submit"), 0);
  assert.equal(limits.reserve("hl", "w2", "submit"), 0);
  assert.equal(limits.reserve("hl", "w1", "submit"), 0);
  // proxy-a's three tokens are gone although w2 used only one of w2's own
  assert.equal(limits.reserve("hl", "w2", "submit"), 1000);
  // w3 leaves through another address: its own ip bucket
  assert.equal(limits.reserve("hl", "w3", "submit"), 0);
  assert.equal(limits.available("hl", "rest", "proxy-a"), -1);
  assert.equal(limits.available("hl", "orders", "w1"), 0);
  // each account bucket counts only its own account's submits
  assert.equal(limits.available("hl", "orders", "w3"), 1);
});

test("a kind a scope does not weigh costs nothing there; an unmetered venue never waits", () => {
  const clock = new SimClock(0);
  const limits = new RateLimiter({
    clock,
    venues: [
      ["hl", [ORDERS_PER_ACCOUNT]],
      ["sim", []],
    ],
  });
  for (let i = 0; i < 100; i++) assert.equal(limits.reserve("hl", "w1", "cancel"), 0);
  for (let i = 0; i < 100; i++) assert.equal(limits.acquire("sim", "w1", "submit"), undefined);
  assert.equal(limits.meters("sim"), false);
  assert.equal(limits.meters("hl"), true);
});

test("acquire sleeps on the injected clock until the weight has refilled", async () => {
  const clock = new SimClock(0);
  const limits = new RateLimiter({ clock, venues: [["hl", [ORDERS_PER_ACCOUNT]]] });
  const sentAt: number[] = [];
  const send = async () => {
    await limits.acquire("hl", "w1", "submit");
    sentAt.push(clock.now());
  };
  const all = Promise.all([send(), send(), send(), send()]);
  await clock.runUntil(5_000);
  await all;
  assert.deepEqual(sentAt, [0, 0, 500, 1000]);
});

test("bad scopes are refused at construction, naming the venue and the scope", () => {
  const clock = new SimClock(0);
  const make = (s: Partial<RateLimitScope>) =>
    new RateLimiter({ clock, venues: [["hl", [{ ...REST_IP, ...s } as RateLimitScope]]] });
  assert.throws(() => make({ capacity: 0 }), /venue hl rateLimits\[0\] \(rest\): capacity 0/);
  assert.throws(() => make({ refillPerSecond: Number.NaN }), /refillPerSecond NaN/);
  assert.throws(() => make({ scope: "wallet" as "ip" }), /scope "wallet"/);
  assert.throws(() => make({ weights: { submit: 4 } }), /weight of submit 4 must be in \[0, capacity 3\]/);
  assert.throws(
    () => make({ weights: { teleport: 1 } as RateLimitScope["weights"] }),
    /unknown request kind "teleport"/,
  );
});

test("usage: per scope, the fullest bucket's share in use, refilled by time; none for an unmetered venue", () => {
  const clock = new SimClock(0);
  const limits = new RateLimiter({
    clock,
    venues: [
      ["hl", [REST_IP]],
      ["sim", []],
    ],
  });
  assert.deepEqual(limits.usage("hl"), [{ scope: "rest", used: 0 }]);
  limits.reserve("hl", "w1", "submit");
  limits.reserve("hl", "w1", "submit");
  assert.deepEqual(limits.usage("hl"), [{ scope: "rest", used: 2 / 3 }]);
  clock.runUntilSync(1000);
  assert.deepEqual(limits.usage("hl"), [{ scope: "rest", used: 1 / 3 }]);
  assert.deepEqual(limits.usage("sim"), []);
});
