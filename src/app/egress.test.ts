import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SimClock } from "../core/clock.ts";
import type { RateLimitScope } from "../core/venue-capabilities.ts";
import { type EgressOf, RateLimiter } from "../engine/risk/rate-limiter.ts";
import { FAST_KDF } from "../testing/keystore.ts";
import { addWallets, createKeystore } from "../wallets/edit.ts";
import { openKeystore } from "../wallets/keystore.ts";
import { parseProxy } from "../wallets/proxy.ts";
import { DIRECT_EGRESS, egressFromBindings, egressFromKeystore } from "./egress.ts";

const PW = "egress test password";
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** capacity 2 per egress ("ip") and 10 per account, one unit per submit */
const SCOPES: readonly RateLimitScope[] = [
  { scope: "ip", name: "rest", capacity: 2, refillPerSecond: 1, weights: { submit: 1 } },
  { scope: "account", name: "orders", capacity: 10, refillPerSecond: 1, weights: { submit: 1 } },
];

function limiter(egressOf: EgressOf): { clock: SimClock; limits: RateLimiter } {
  const clock = new SimClock(0);
  return { clock, limits: new RateLimiter({ clock, venues: [["hl", SCOPES]], egressOf }) };
}

test("accounts behind the same keystore proxy share the ip bucket; other proxies and direct ones do not", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-egress-"));
  dirs.push(dir);
  const file = join(dir, "keystore.json");
  await createKeystore(file, PW, FAST_KDF);
  await addWallets(file, PW, [
    { id: "a", proxy: parseProxy("proxy1.example:8000:user1:pw-1") },
    { id: "b", proxy: parseProxy("http://user1:pw-1@proxy1.example:8000") },
    { id: "c", proxy: parseProxy("proxy2.example:8000:user2:pw-2") },
    { id: "d" },
  ]);
  const ks = await openKeystore(file, PW);
  try {
    const egressOf = egressFromKeystore(ks);
    const p1 = egressOf("hl", "a");
    assert.equal(p1, egressOf("hl", "b"), "the same proxy written either way is one egress");
    assert.notEqual(p1, egressOf("hl", "c"));
    assert.equal(egressOf("hl", "d"), DIRECT_EGRESS);
    assert.ok(!p1.includes("pw-1"), `the egress key carries no password: ${p1}`);

    const { limits } = limiter(egressOf);
    // a and b together spend proxy1's two units: b's second request must wait
    assert.equal(limits.reserve("hl", "a", "submit"), 0);
    assert.equal(limits.reserve("hl", "b", "submit"), 0);
    assert.equal(limits.available("hl", "rest", p1), 0);
    assert.ok(limits.reserve("hl", "b", "submit") > 0, "b waits for the bucket a drained");
    // c (another proxy) and d (direct) have full buckets of their own
    assert.equal(limits.reserve("hl", "c", "submit"), 0);
    assert.equal(limits.reserve("hl", "d", "submit"), 0);
    assert.equal(limits.available("hl", "rest", egressOf("hl", "c")), 1);
    assert.equal(limits.available("hl", "rest", DIRECT_EGRESS), 1);
    // the per-account scope is each account's own, whatever its egress
    assert.equal(limits.available("hl", "orders", "a"), 9);
    assert.equal(limits.available("hl", "orders", "b"), 8);
  } finally {
    ks.close();
  }
});

test("egress from account bindings: per venue, unset and unbound accounts are direct", () => {
  const egressOf = egressFromBindings([
    ["hl", { account: "a", identity: {}, egress: "proxy:eu-1" }],
    ["hl", { account: "b", identity: {}, egress: "proxy:eu-1" }],
    ["hl", { account: "c", identity: {} }],
    ["lighter", { account: "a", identity: {}, egress: "proxy:us-1" }],
  ]);
  assert.equal(egressOf("hl", "a"), "proxy:eu-1");
  assert.equal(egressOf("lighter", "a"), "proxy:us-1");
  assert.equal(egressOf("hl", "c"), DIRECT_EGRESS);
  assert.equal(egressOf("hl", "zz"), DIRECT_EGRESS);
  const { limits } = limiter(egressOf);
  limits.reserve("hl", "a", "submit");
  limits.reserve("hl", "b", "submit");
  assert.equal(limits.available("hl", "rest", "proxy:eu-1"), 0, "a and b share eu-1");
  assert.equal(limits.available("hl", "rest", DIRECT_EGRESS), 2, "c has not spent the direct bucket");
});

test("without an egressOf (paper mode) every account shares the one direct bucket", () => {
  const clock = new SimClock(0);
  const limits = new RateLimiter({ clock, venues: [["hl", SCOPES]] });
  limits.reserve("hl", "a", "submit");
  limits.reserve("hl", "c", "submit");
  assert.equal(limits.available("hl", "rest", DIRECT_EGRESS), 0);
});
