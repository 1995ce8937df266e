import assert from "node:assert/strict";
import { test } from "node:test";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { makeGrvtHarness } from "../../testing/grvt-conformance.ts";
import { orderOf } from "../conformance/harness.ts";
import type { ExchangeFault } from "../kit/faults.ts";

/** The fault matrix against the GRVT emulator: how each failure reaches the caller, no outcome lost. */

type H = Awaited<ReturnType<typeof makeGrvtHarness>>;

async function withHarness(fn: (h: H) => Promise<void>) {
  const h = await makeGrvtHarness();
  try {
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 10,
    });
    await fn(h);
  } finally {
    await h.close();
  }
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "ok" as const,
    (e: unknown) => e,
  );

const UNKNOWN: [string, ExchangeFault, string][] = [
  ["a 503 after executing", { kind: "serverError", execute: true }, "server_error"],
  ["an answer held past the timeout (executed)", { kind: "executeThenTimeout", holdMs: 3000 }, "timeout"],
  ["a cut connection after executing", { kind: "loseAck" }, "timeout"],
];

for (const [name, fault, kind] of UNKNOWN) {
  test(`grvt: ${name} is an unknown outcome (${kind}); the order is found by its client id`, async () => {
    await withHarness(async (h) => {
      h.emulator.driver.inject(fault);
      const order = orderOf(h, {
        side: "buy",
        priceTicks: h.referenceTicks + 1,
        sizeLots: h.unitLots,
        tif: "gtc",
      });
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError, `unknown outcome, got ${String(err)}`);
      assert.equal(err.kind, kind);
      const status = await h.venue.orderStatus(h.account, order.clientOrderId);
      assert.equal(status?.status, "filled", "the order executed on the venue");
    });
  });
}

test("grvt: a 503 before executing and a 429 are unknown outcomes and leave nothing", async () => {
  await withHarness(async (h) => {
    for (const [fault, kind] of [
      [{ kind: "serverError" }, "server_error"],
      [{ kind: "rateLimited" }, "rate_limited"],
    ] as const) {
      h.emulator.driver.inject(fault);
      const order = orderOf(h, {
        side: "buy",
        priceTicks: h.referenceTicks - 5,
        sizeLots: h.unitLots,
        tif: "gtc",
      });
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === kind, String(err));
      assert.equal(await h.venue.orderStatus(h.account, order.clientOrderId), undefined);
    }
  });
});

test("grvt: a delayed ack inside the timeout is an ordinary acknowledgement", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.inject({ kind: "delayAck", ms: 300 });
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 5,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    const t0 = Date.now();
    const { venueOrderId } = await h.venue.submit(order);
    assert.ok(Date.now() - t0 >= 290, "the answer waited");
    assert.match(venueOrderId, /^0x[0-9a-f]+$/);
    assert.equal((await h.venue.openOrders(h.account)).length, 1);
  });
});

test("grvt: the venue's own refusals are definite rejects naming the code (margin 2080, minimum 2062)", async () => {
  await withHarness(async (h) => {
    const huge = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 5,
      sizeLots: h.unitLots * 100_000,
      tif: "gtc",
    });
    const e1 = await outcome(h.venue.submit(huge));
    assert.ok(e1 instanceof VenueRejectError && e1.reason === "grvt_2080", String(e1));
    const inst = h.venue.instrument(h.symbol);
    // 0.001 BTC at 1 USDT: under the 10 USDT minimum notional
    const tiny = orderOf(h, {
      side: "buy",
      priceTicks: inst.price(1),
      sizeLots: inst.size("0.001"),
      tif: "gtc",
    });
    const e2 = await outcome(h.venue.submit(tiny));
    assert.ok(e2 instanceof VenueRejectError && e2.reason === "grvt_2062", String(e2));
    assert.deepEqual(await h.venue.openOrders(h.account), []);
  });
});

test("grvt: dropped sockets are reported (stale book, account down) and both recover by themselves", async () => {
  await withHarness(async (h) => {
    const stop = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 2,
      askTicks: h.referenceTicks + 2,
      lotsPerLevel: h.unitLots,
    });
    await h.settle();
    const changes: { stream: string; ready: boolean; stale: boolean }[] = [];
    const stopStatus = h.venue.onStreamStatus((c) => changes.push(c));
    const status = (s: string) => h.venue.streams().find((x) => x.stream === s);
    assert.equal(status("account")?.ready, true);
    h.emulator.driver.dropSockets();
    await h.settle();
    assert.ok(
      changes.some((c) => c.stream === `book:${h.symbol}` && c.stale),
      `book reported stale: ${JSON.stringify(changes)}`,
    );
    assert.ok(
      changes.some((c) => c.stream === "account" && !c.ready),
      `account reported down: ${JSON.stringify(changes)}`,
    );
    // the sockets reconnect and re-subscribe; the venue's snapshot on subscribe clears staleness
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots,
    });
    await h.settle();
    assert.deepEqual(
      { ready: status(`book:${h.symbol}`)?.ready, stale: status(`book:${h.symbol}`)?.stale },
      { ready: true, stale: false },
    );
    assert.equal(status("account")?.ready, true, "the account socket is back");
    // and it carries events again
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots,
      tif: "ioc",
    });
    const seen: string[] = [];
    const stopEvents = h.venue.onEvent((e) => seen.push(e.type));
    await h.venue.submit(order);
    await h.settle();
    assert.ok(seen.includes("fill"), `a fill event after the reconnect: ${seen.join(",")}`);
    stopEvents();
    stopStatus();
    stop();
  });
});

test("grvt: a frozen book stream goes stale after stale_after_ms without a message", async () => {
  const h = await makeGrvtHarness({}, { stale_after_ms: 300 });
  try {
    const stop = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 2,
      askTicks: h.referenceTicks + 2,
      lotsPerLevel: h.unitLots,
    });
    await h.settle();
    const status = () => h.venue.streams().find((x) => x.stream === `book:${h.symbol}`);
    assert.equal(status()?.stale, false);
    // the venue cuts the stream: its socket closes and, re-subscribed, gets nothing more
    h.emulator.driver.freezeStream("v1.book.s");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(status()?.stale, true, "stale after the silence");
    h.emulator.driver.thawStream("v1.book.s");
    stop();
  } finally {
    await h.close();
  }
});
