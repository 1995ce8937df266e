import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { AlertDestination, type DestinationPolicy } from "./destination.ts";
import { eventually, startTestServer, type TestServer } from "./test-server.ts";
import type { AlertSender, Notice } from "./types.ts";
import { WebhookSender } from "./webhook.ts";

/**
 * The delivery pipeline against a real local server, with simulated time for the windows,
 * rate limits and backoff: each wait is checked to the millisecond.
 */

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function setup(script: Parameters<typeof startTestServer>[0], policy: Partial<DestinationPolicy>) {
  const s = await startTestServer(script);
  servers.push(s);
  const clock = new SimClock(Date.UTC(2026, 0, 5));
  const sender = new WebhookSender({ url: `${s.url}/hook`, bearerToken: null, timeoutMs: 2000 });
  const d = new AlertDestination({
    sender,
    clock,
    policy: { minSeverity: "info", dedupeWindowMs: 0, ratePerMinute: 0, ...policy },
  });
  return { s, clock, d };
}

function notice(key: string, over: Partial<Notice> = {}): Notice {
  return { severity: "critical", key, title: `title ${key}`, message: "m", context: {}, ts: 0, ...over };
}

/** Real time for in-flight HTTP to finish, to show that nothing else arrives. */
const quiet = () => new Promise((r) => setTimeout(r, 60));

/** Waits until the destination has scheduled its next timer (a backoff or rate-limit wait). */
async function waiting(clock: SimClock): Promise<number> {
  await eventually(() => clock.nextAt() !== undefined, "a scheduled wait");
  return clock.nextAt()! - clock.now();
}

describe("AlertDestination", () => {
  test("a 500 is retried after 1 s, then 2 s (exponential backoff), until it goes through", async () => {
    const { s, clock, d } = await setup(
      (_r, i) => (i < 2 ? { status: 500, body: { message: "oops" } } : { status: 200 }),
      {
        backoffBaseMs: 1000,
      },
    );
    d.offer(notice("k"));
    await s.waitForRequests(1);
    assert.equal(await waiting(clock), 1000);
    await clock.advance(999);
    await quiet();
    assert.equal(s.requests.length, 1);
    await clock.advance(1);
    await s.waitForRequests(2);
    assert.equal(await waiting(clock), 2000);
    await clock.advance(2000);
    await s.waitForRequests(3);
    await d.idle();
    assert.deepEqual(
      { sent: d.stats().sent, retries: d.stats().retries, failed: d.stats().failed },
      { sent: 1, retries: 2, failed: 0 },
    );
    // the three attempts carried the same alert
    assert.equal(new Set(s.requests.map((r) => r.body)).size, 1);
  });

  test("a 429 waits exactly the retry_after the far end asked for", async () => {
    const { s, clock, d } = await setup(
      (_r, i) => (i === 0 ? { status: 429, body: { retry_after: 7 } } : { status: 200 }),
      { backoffBaseMs: 1000 },
    );
    d.offer(notice("k"));
    await s.waitForRequests(1);
    assert.equal(await waiting(clock), 7000);
    await clock.advance(6999);
    await quiet();
    assert.equal(s.requests.length, 1);
    await clock.advance(1);
    await s.waitForRequests(2);
    await d.idle();
    assert.equal(d.stats().sent, 1);
  });

  test("attempts are bounded: after maxAttempts the notice is given up and the next one goes", async () => {
    const { s, clock, d } = await setup(
      (r) => (r.body.includes('"doomed"') ? { status: 502 } : { status: 200 }),
      { maxAttempts: 3, backoffBaseMs: 10 },
    );
    d.offer(notice("doomed"));
    d.offer(notice("fine"));
    for (let i = 0; i < 10 && s.requests.length < 4; i++) {
      await clock.advance(100);
      await quiet();
    }
    await d.idle();
    assert.deepEqual(
      s.requests.map((r) => JSON.parse(r.body).key),
      ["doomed", "doomed", "doomed", "fine"],
    );
    assert.deepEqual([d.stats().failed, d.stats().sent], [1, 1]);
  });

  test("a 400 is not retried", async () => {
    const { s, d } = await setup(() => ({ status: 400, body: { message: "bad" } }), { backoffBaseMs: 10 });
    d.offer(notice("k"));
    await s.waitForRequests(1);
    await d.idle();
    await quiet();
    assert.equal(s.requests.length, 1);
    assert.equal(d.stats().failed, 1);
  });

  test("1,000 identical alerts in a minute: one message, then one summary when the window ends", async () => {
    const { s, clock, d } = await setup(() => ({ status: 200 }), {
      dedupeWindowMs: 5 * 60_000,
      ratePerMinute: 20,
    });
    const t0 = clock.now();
    for (let i = 0; i < 1000; i++) {
      d.offer(notice("unhedged:g7", { message: `residual ${i}`, ts: clock.now() }));
      await clock.advance(60);
    }
    await s.waitForRequests(1);
    await quiet();
    assert.equal(s.requests.length, 1);
    assert.equal(JSON.parse(s.requests[0].body).message, "residual 0");
    assert.equal(d.stats().suppressed, 999);
    // the window closes 5 minutes after the first alert
    await clock.runUntil(t0 + 5 * 60_000 - 1);
    await quiet();
    assert.equal(s.requests.length, 1);
    await clock.runUntil(t0 + 5 * 60_000);
    await s.waitForRequests(2);
    await quiet();
    assert.equal(s.requests.length, 2);
    const summary = JSON.parse(s.requests[1].body);
    assert.equal(summary.title, "999 more of unhedged:g7 suppressed");
    assert.deepEqual(summary.suppressed, { count: 999, sinceTs: t0 });
    assert.match(summary.message, /Last: residual 999$/);
    // the next repeat opens a new window and is sent
    d.offer(notice("unhedged:g7"));
    await s.waitForRequests(3);
  });

  test("the rate limit lets a burst through, then one message per interval", async () => {
    const { s, clock, d } = await setup(() => ({ status: 200 }), { ratePerMinute: 6, burst: 2 });
    for (const k of ["a", "b", "c", "d"]) d.offer(notice(k));
    await s.waitForRequests(2);
    assert.equal(await waiting(clock), 10_000);
    await clock.advance(9_999);
    await quiet();
    assert.equal(s.requests.length, 2);
    await clock.advance(1);
    await s.waitForRequests(3);
    await clock.advance(10_000);
    await s.waitForRequests(4);
    assert.deepEqual(
      s.requests.map((r) => JSON.parse(r.body).key),
      ["a", "b", "c", "d"],
    );
  });

  test("below min_severity nothing is sent", async () => {
    const { s, d } = await setup(() => ({ status: 200 }), { minSeverity: "critical" });
    d.offer(notice("w", { severity: "warning" }));
    d.offer(notice("e", { severity: "emergency" }));
    await s.waitForRequests(1);
    await d.idle();
    assert.deepEqual(
      s.requests.map((r) => JSON.parse(r.body).key),
      ["e"],
    );
    assert.equal(d.stats().filtered, 1);
  });
});

describe("AlertDestination queue bound", () => {
  /** A sender whose deliveries complete when the test says so. */
  function gatedSender(): AlertSender & { delivered: string[]; release(): void } {
    let open: () => void = () => undefined;
    let gate = new Promise<void>((r) => {
      open = r;
    });
    const delivered: string[] = [];
    return {
      kind: "webhook",
      name: "gated",
      delivered,
      release() {
        open();
        gate = Promise.resolve();
      },
      async send(n: Notice) {
        await gate;
        delivered.push(n.key);
      },
    };
  }

  test("a full queue drops the oldest least severe notice, never a more severe one", async () => {
    const sender = gatedSender();
    const clock = new SimClock();
    const d = new AlertDestination({
      sender,
      clock,
      policy: { minSeverity: "info", dedupeWindowMs: 0, ratePerMinute: 0, queueSize: 3 },
    });
    d.offer(notice("info1", { severity: "info" }));
    d.offer(notice("warn2", { severity: "warning" }));
    d.offer(notice("info3", { severity: "info" }));
    d.offer(notice("crit4", { severity: "critical" })); // drops info1
    d.offer(notice("info5", { severity: "info" })); // drops info3, the oldest info
    assert.equal(d.stats().dropped, 2);
    assert.equal(d.queued, 3);
    sender.release();
    await d.idle();
    assert.deepEqual(sender.delivered, ["warn2", "crit4", "info5"]);
  });

  test("offer never throws and returns before any delivery starts", () => {
    const sender = gatedSender();
    const d = new AlertDestination({ sender, clock: new SimClock(), policy: { minSeverity: "info" } });
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) d.offer(notice(`k${i % 50}`));
    assert.ok(performance.now() - started < 500);
    assert.deepEqual(sender.delivered, []);
    d.close();
  });
});
