import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { freshStarkSigner, makeExtendedHarness } from "../../testing/extended-conformance.ts";
import { orderOf } from "../conformance/harness.ts";
import { ExtendedConfigSchema } from "./config.ts";
import { ExtendedVenue } from "./venue.ts";

/** The fault matrix: how each injected failure reaches the caller, and that no outcome is lost. */

type H = Awaited<ReturnType<typeof makeExtendedHarness>>;

async function withHarness(fn: (h: H) => Promise<void>) {
  const h = await makeExtendedHarness();
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

const ioc = (h: H) =>
  orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots, tif: "ioc" });

for (const [name, inject, kind] of [
  ["a 503 after executing", (h: H) => h.emulator.driver.serverErrors(1, { execute: true }), "server_error"],
  ["an answer held past the timeout", (h: H) => h.emulator.driver.executeThenTimeout(1, 3000), "timeout"],
  ["a cut connection after executing", (h: H) => h.emulator.driver.loseAcks(1), "timeout"],
] as const) {
  test(`extended: ${name} is an unknown outcome (${kind}); the order is found by its client id`, async () => {
    await withHarness(async (h) => {
      inject(h);
      const order = ioc(h);
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
      assert.equal(err.kind, kind);
      await h.settle();
      const status = await h.venue.orderStatus(h.account, order.clientOrderId);
      assert.equal(status?.status, "filled");
      assert.equal(h.emulator.driver.orders(h.apiKey).length, 1, "exactly one order reached the venue");
    });
  });
}

test("extended: a retry after an unknown outcome is acknowledged as the order that landed, never placed twice", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.loseAcks(1);
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 5,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    assert.ok((await outcome(h.venue.submit(order))) instanceof VenueUnknownOutcomeError);
    const again = await h.venue.submit(order);
    const landed = h.emulator.driver.orders(h.apiKey);
    assert.equal(landed.length, 1);
    assert.equal(again.venueOrderId, landed[0]!.id);
  });
});

test("extended: a 503 that did not execute and a 429 are unknown outcomes with nothing placed", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.serverErrors(1);
    const a = ioc(h);
    const e1 = await outcome(h.venue.submit(a));
    assert.ok(e1 instanceof VenueUnknownOutcomeError && e1.kind === "server_error", String(e1));
    assert.equal(await h.venue.orderStatus(h.account, a.clientOrderId), undefined);
    h.emulator.driver.rateLimit(1);
    const b = ioc(h);
    const e2 = await outcome(h.venue.submit(b));
    assert.ok(e2 instanceof VenueUnknownOutcomeError && e2.kind === "rate_limited", String(e2));
    assert.equal(await h.venue.orderStatus(h.account, b.clientOrderId), undefined);
    assert.equal(h.emulator.driver.orders(h.apiKey).length, 0);
  });
});

test("extended: a delayed ack within the timeout is a normal ack, once", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.inject({ kind: "delayAck", ms: 400 });
    const events: string[] = [];
    const stop = h.venue.onEvent((e) => events.push(e.type));
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 5,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    const r = await h.venue.submit(order);
    await h.settle();
    stop();
    assert.match(r.venueOrderId, /^\d+$/);
    assert.equal(events.filter((t) => t === "ack").length, 1, events.join(","));
  });
});

test("extended: the venue's own error payloads are definite refusals with its code", async () => {
  await withHarness(async (h) => {
    const cross = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots,
      tif: "post_only",
    });
    const err = await outcome(h.venue.submit(cross));
    assert.ok(err instanceof VenueRejectError && err.reason === "extended_1133", String(err));
    assert.match(String(err), /POST \/user\/order: code 1133: Post-only order would be matched/);
    const big = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots * 3000,
      tif: "ioc",
    });
    const e2 = await outcome(h.venue.submit(big));
    assert.ok(e2 instanceof VenueRejectError && e2.reason === "insufficient_margin", String(e2));
    const cancel = await outcome(h.venue.cancel(h.account, h.symbol, "pbnosuchorder000000000000000000"));
    assert.ok(cancel instanceof VenueRejectError && cancel.reason === "order_not_found", String(cancel));
    const bad = await outcome(h.venue.submit({ ...cross, symbol: "NOPE-USD" }));
    assert.ok(bad instanceof VenueRejectError && /unknown market "NOPE-USD"/.test(bad.message), String(bad));
    assert.equal(h.emulator.driver.orders(h.apiKey).length, 0);
  });
});

test("extended: a dropped account socket is reported stale and comes back; fills made meanwhile are in the history", async () => {
  await withHarness(async (h) => {
    const changes: string[] = [];
    const stop = h.venue.onStreamStatus((c) => changes.push(`${c.stream}:${c.stale ? "stale" : "fresh"}`));
    h.emulator.driver.freezeStream("account");
    await h.settle();
    assert.equal(h.venue.streams().find((s) => s.stream === "account")?.stale, true);
    await h.venue.submit(ioc(h));
    h.emulator.driver.thawStream("account");
    await new Promise((r) => setTimeout(r, 1500));
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 10,
    });
    await h.venue.submit(ioc(h));
    await h.settle();
    stop();
    assert.equal(h.venue.streams().find((s) => s.stream === "account")?.stale, false, changes.join(" "));
    assert.equal((await h.venue.fills(h.account, 0)).length, 2);
  });
});

test("extended: a stale book stream (silent past stale_after_ms) is reported", async () => {
  const h = await makeExtendedHarness();
  try {
    const v = new ExtendedVenue(
      ExtendedConfigSchema.parse({ rest_url: h.emulator.url, ws_url: h.emulator.wsUrl, stale_after_ms: 300 }),
      new WallClock(),
    );
    await v.connect();
    const stop = v.subscribe({ symbol: h.symbol, channel: "book" });
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(
      v.streams().find((s) => s.stream === `book:${h.symbol}`)?.stale,
      true,
      "the snapshot came, then silence",
    );
    stop();
    await v.close();
  } finally {
    await h.close();
  }
});

test("extended: a request that never left (connection refused) is unavailable", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const venue = new ExtendedVenue(
    ExtendedConfigSchema.parse({ rest_url: `http://127.0.0.1:${port}/api/v1` }),
    new WallClock(),
  );
  const err = await outcome(venue.connect());
  assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === "unavailable", String(err));
  await venue.close();
});

test("extended: binding an unknown API key or a key that is not the account's is refused, naming the account", async () => {
  const h = await makeExtendedHarness();
  try {
    const stranger = freshStarkSigner("stranger");
    const e1 = await outcome(
      h.venue.bindAccount({
        account: "wallet-7",
        identity: { apiKeyId: "unknown-key-123", subAccount: "7001" },
        signer: stranger,
      }),
    );
    assert.ok(e1 instanceof VenueRejectError, String(e1));
    assert.match(e1.message, /venue extended: account wallet-7: API key refused: .*code 1004/);
    const e2 = await outcome(
      h.venue.bindAccount({
        account: "wallet-8",
        identity: { apiKeyId: h.apiKey, subAccount: "7001" },
        signer: stranger,
      }),
    );
    assert.ok(e2 instanceof VenueRejectError && e2.reason === "wrong_key", String(e2));
    assert.match(e2.message, /account wallet-8: the venue knows this API key's account as vault 7001/);
  } finally {
    await h.close();
  }
});
