import assert from "node:assert/strict";
import { test } from "node:test";
import type { VenueEvent } from "../../core/venue.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { makeLighterHarness } from "../../testing/lighter-conformance.ts";
import { orderOf } from "../conformance/harness.ts";

/**
 * The Lighter fault matrix: the connector against its emulator, one injected fault per test.
 * Each ends with the same checks: the venue holds at most one order per client order index (the
 * emulator's own records), and every outcome the caller saw as unknown is resolved by
 * orderStatus to a definite state that agrees with the venue.
 */

type H = Awaited<ReturnType<typeof makeLighterHarness>>;

async function withHarness(fn: (h: H) => Promise<void>, opts: Parameters<typeof makeLighterHarness>[0] = {}) {
  const h = await makeLighterHarness(opts);
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

function noDuplicate(h: H): void {
  const n = new Map<number, number>();
  for (const o of h.emulator.driver.orders(h.accountIndex))
    n.set(o.clientOrderIndex, (n.get(o.clientOrderIndex) ?? 0) + 1);
  assert.deepEqual(
    [...n].filter(([, k]) => k > 1),
    [],
    "never two venue orders for one client order index",
  );
}

/** orderStatus gives a definite state that is the venue's own. */
async function resolvesAs(h: H, cid: string, want: string): Promise<void> {
  const s = await h.venue.orderStatus(h.account, cid);
  assert.equal(s?.status, want, `orderStatus of ${cid}: ${JSON.stringify(s)}`);
  const onVenue = h.emulator.driver.orders(h.accountIndex).find((o) => String(o.clientOrderIndex) === cid);
  if (want === "rejected") assert.equal(onVenue, undefined, "a never-landed order is not on the venue");
  else assert.equal(s?.venueOrderId, String(onVenue?.orderIndex), "the venue's order index");
  noDuplicate(h);
}

for (const [name, inject, kind, executed] of [
  [
    "a 503 after executing",
    (h: H) => h.emulator.driver.serverErrors(1, { execute: true }),
    "server_error",
    true,
  ],
  ["a 503 before executing", (h: H) => h.emulator.driver.serverErrors(1), "server_error", false],
  [
    "an answer held past the timeout",
    (h: H) => h.emulator.driver.executeThenTimeout(1, 3000),
    "timeout",
    true,
  ],
  ["a connection cut after executing", (h: H) => h.emulator.driver.loseAcks(1), "timeout", true],
  ["a 429 (code 23000)", (h: H) => h.emulator.driver.rateLimit(1), "rate_limited", false],
] as const) {
  test(`fault matrix: ${name} is an unknown outcome (${kind}) and resolves to ${executed ? "the executed order" : "never landed"}`, async () => {
    await withHarness(async (h) => {
      inject(h);
      const order = orderOf(h, {
        side: "buy",
        priceTicks: h.referenceTicks - 3,
        sizeLots: h.unitLots,
        tif: "gtc",
      });
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError, `unknown, got ${String(err)}`);
      assert.equal(err.kind, kind);
      await h.settle();
      await resolvesAs(h, order.clientOrderId, executed ? "open" : "rejected");
      // the same order sent again is the same order, never a second one
      const again = await outcome(h.venue.submit(order));
      if (executed) {
        assert.equal(again, "ok", `a retry of a landed order is acknowledged: ${String(again)}`);
        await h.venue.cancel(h.account, h.symbol, order.clientOrderId);
        await resolvesAs(h, order.clientOrderId, "canceled");
      }
      noDuplicate(h);
    });
  });
}

test("fault matrix: another client used the key's nonces; 'invalid nonce' is re-read and retried once", async () => {
  await withHarness(async (h) => {
    const first = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 3,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    await h.venue.submit(first);
    h.emulator.driver.useNonces(h.accountIndex, 3, 4);
    const second = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 4,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    const { venueOrderId } = await h.venue.submit(second);
    const onVenue = h.emulator.driver
      .orders(h.accountIndex)
      .find((o) => String(o.clientOrderIndex) === second.clientOrderId);
    assert.equal(String(onVenue?.orderIndex), venueOrderId);
    assert.equal(onVenue?.nonce, 5, "signed with the venue's next nonce after the refusal");
    assert.equal(h.emulator.driver.nextNonce(h.accountIndex, 3), 6);
    noDuplicate(h);
  });
});

test("fault matrix: every socket drops while the order is in flight; the fill made meanwhile arrives after the reconnect", async () => {
  await withHarness(async (h) => {
    const d = h.emulator.driver;
    const events: VenueEvent[] = [];
    h.venue.onEvent((e) => events.push(e));
    d.delayAcks(1, 400);
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 1,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    const placing = outcome(h.venue.submit(order));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(d.orders(h.accountIndex).length, 1, "the order landed");
    d.dropSockets();
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 3,
      askTicks: h.referenceTicks - 1,
      lotsPerLevel: h.unitLots * 10,
    });
    assert.equal(await placing, "ok");
    await new Promise((r) => setTimeout(r, 600));
    const fills = events.filter((e) => e.type === "fill" && e.fill.clientOrderId === order.clientOrderId);
    assert.equal(
      fills.length,
      1,
      `one fill event after the reconnect: ${events.map((e) => e.type).join(",")}`,
    );
    assert.ok(d.connections() >= 1, "reconnected");
    await resolvesAs(h, order.clientOrderId, "filled");
  });
});

test("fault matrix: the account stream is cut; the ack comes from an order lookup instead", async () => {
  await withHarness(
    async (h) => {
      h.emulator.driver.freezeStream(`account_all_orders/${h.accountIndex}`);
      const order = orderOf(h, {
        side: "buy",
        priceTicks: h.referenceTicks - 3,
        sizeLots: h.unitLots,
        tif: "gtc",
      });
      const { venueOrderId } = await h.venue.submit(order);
      assert.equal(venueOrderId, String(h.emulator.driver.orders(h.accountIndex)[0].orderIndex));
      await resolvesAs(h, order.clientOrderId, "open");
    },
    { ackTimeoutMs: 300 },
  );
});

test("fault matrix: a post-only that would cross is queued (200), then refused by the sequencer: a definite reject", async () => {
  await withHarness(async (h) => {
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots,
      tif: "post_only",
    });
    const err = await outcome(h.venue.submit(order));
    assert.ok(err instanceof VenueRejectError && err.reason === "canceled_post_only", String(err));
    assert.match(
      String((err as Error).message),
      /wallet conformance-1: order \d+ on BTC refused by the sequencer: canceled-post-only/,
    );
    noDuplicate(h);
  });
});

test("fault matrix: book offsets jump (a lost update); the connector resubscribes and its book is the venue's again", async () => {
  await withHarness(async (h) => {
    const unsub = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    await h.settle();
    h.emulator.driver.skipOffsets(1);
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 5,
      askTicks: h.referenceTicks + 5,
      lotsPerLevel: h.unitLots * 2,
    });
    await h.settle();
    const book = h.venue.book(h.symbol);
    assert.equal(book.bestBidTicks(), h.referenceTicks - 5, "the new snapshot's best bid");
    assert.equal(book.bestAskTicks(), h.referenceTicks + 5);
    unsub();
  });
});
