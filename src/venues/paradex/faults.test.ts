import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { outcome, withBookedHarness } from "../../testing/fault-matrix.ts";
import { makeParadexHarness } from "../../testing/paradex-conformance.ts";
import { randomStarkKey } from "../../testing/paradex-keys.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { orderOf } from "../conformance/harness.ts";
import { ParadexConfigSchema } from "./config.ts";
import type { ExchangeFault } from "./emulator/start.ts";
import { ParadexVenue } from "./venue.ts";

/** The fault matrix against the emulator: how each failure reaches the caller, and that no outcome is lost. */

type Harness = Awaited<ReturnType<typeof makeParadexHarness>>;

const withHarness = (fn: (h: Awaited<ReturnType<typeof makeParadexHarness>>) => Promise<void>) =>
  withBookedHarness(() => makeParadexHarness(), fn);
const ioc = (h: Harness) =>
  orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots, tif: "ioc" });

for (const [name, fault, kind] of [
  ["a 503 after executing", { kind: "serverError", execute: true }, "server_error"],
  ["an answer held past the timeout", { kind: "executeThenTimeout", holdMs: 3000 }, "timeout"],
  ["a cut connection after executing", { kind: "loseAck" }, "timeout"],
] as const satisfies readonly (readonly [string, ExchangeFault, string])[]) {
  test(`paradex: ${name} is an unknown outcome (${kind}); the order is found filled by its client id`, async () => {
    await withHarness(async (h) => {
      h.emulator.driver.inject(fault);
      const order = ioc(h);
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
      assert.equal(err.kind, kind);
      await h.settle();
      const status = await h.venue.orderStatus(h.account, order.clientOrderId);
      assert.equal(status?.status, "filled");
      assert.equal(h.emulator.driver.orders(h.address).length, 1, "exactly one order reached the venue");
    });
  });
}

test("paradex: a 502 before executing and a 429 are unknown outcomes, and nothing was placed", async () => {
  await withHarness(async (h) => {
    for (const [fault, kind] of [
      [{ kind: "serverError", status: 502 }, "server_error"],
      [{ kind: "rateLimited" }, "rate_limited"],
    ] as const) {
      h.emulator.driver.inject(fault);
      const order = ioc(h);
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === kind, String(err));
      assert.equal(await h.venue.orderStatus(h.account, order.clientOrderId), undefined);
    }
    assert.equal(h.emulator.driver.orders(h.address).length, 0);
  });
});

test("paradex: a delayed answer (within the timeout) is an ack, its fill arrives once", async () => {
  await withHarness(async (h) => {
    const fills: string[] = [];
    h.venue.onEvent((e) => {
      if (e.type === "fill") fills.push(e.fill.clientOrderId);
    });
    h.emulator.driver.inject({ kind: "delayAck", ms: 400 });
    const order = ioc(h);
    const t0 = Date.now();
    const { venueOrderId } = await h.venue.submit(order);
    assert.ok(Date.now() - t0 >= 350, "the answer was held");
    assert.ok(venueOrderId !== "");
    await h.settle();
    assert.deepEqual(fills, [order.clientOrderId]);
  });
});

test("paradex: the venue's own refusals are definite (DUPLICATED_CLIENT_ID, closed order cancel); bad input names what is wrong", async () => {
  await withHarness(async (h) => {
    const first = ioc(h);
    await h.venue.submit(first);
    const dup = await outcome(h.venue.submit(first));
    assert.ok(dup instanceof VenueRejectError && dup.reason === "duplicated_client_id", String(dup));
    assert.match(String(dup), /paradex POST \/orders: DUPLICATED_CLIENT_ID/);
    await h.settle();
    const late = await outcome(h.venue.cancel(h.account, h.symbol, first.clientOrderId));
    assert.ok(late instanceof VenueRejectError && late.reason === "order_is_closed", String(late));
    const bad = await outcome(h.venue.submit({ ...first, symbol: "NOPE-USD-PERP" }));
    assert.ok(
      bad instanceof VenueRejectError && /unknown symbol "NOPE-USD-PERP"/.test(bad.message),
      String(bad),
    );
    const cid = await outcome(h.venue.submit({ ...first, clientOrderId: "has space" }));
    assert.ok(cid instanceof VenueRejectError && /clientOrderId "has space"/.test(cid.message), String(cid));
  });
});

test("paradex: dropped sockets are reported, reopened and re-authenticated; trading goes on", async () => {
  await withHarness(async (h) => {
    const stop = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    await h.settle();
    const stale: string[] = [];
    h.venue.onStreamStatus((c) => {
      if (c.stale) stale.push(c.stream);
    });
    h.emulator.driver.dropSockets();
    await h.settle();
    assert.ok(
      stale.includes("account") && stale.includes(`book:${h.symbol}`),
      `both streams went stale: ${stale}`,
    );
    assert.ok(
      h.venue.streams().every((s) => s.ready),
      `all reopened: ${JSON.stringify(h.venue.streams())}`,
    );
    const fills: string[] = [];
    h.venue.onEvent((e) => {
      if (e.type === "fill") fills.push(e.fill.clientOrderId);
    });
    const order = ioc(h);
    await h.venue.submit(order);
    await h.settle();
    assert.deepEqual(fills, [order.clientOrderId], "the private socket is authenticated again");
    stop();
  });
});

test("paradex: a stream silent past stale_after_ms is reported stale though its socket is up", async () => {
  const h = await makeParadexHarness({ config: { stale_after_ms: 600 } });
  try {
    h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots,
    });
    await h.settle();
    assert.equal(h.venue.streams().find((s) => s.stream === `book:${h.symbol}`)?.stale, false);
    await new Promise((r) => setTimeout(r, 1500));
    const s = h.venue.streams().find((x) => x.stream === `book:${h.symbol}`);
    assert.deepEqual([s?.ready, s?.stale], [true, true]);
  } finally {
    await h.close();
  }
});

test("paradex: a request that never left (connection refused) is unavailable", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const venue = new ParadexVenue(
    ParadexConfigSchema.parse({ rest_url: `http://127.0.0.1:${port}/v1` }),
    new WallClock(),
  );
  const err = await outcome(venue.connect());
  assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === "unavailable", String(err));
  await venue.close();
});

test("paradex: binding a Stark key the account was not onboarded with is refused, naming the account", async () => {
  const h = await makeParadexHarness();
  try {
    const signer = signerFromKeyBytes("stark", randomStarkKey(), "stranger");
    const err = await outcome(
      h.venue.bindAccount({ account: "wallet-7", identity: { address: h.address }, signer }),
    );
    assert.ok(err instanceof VenueRejectError, String(err));
    assert.match(
      err.message,
      /venue paradex: account wallet-7: sign-in refused: .*STARKNET_SIGNATURE_VERIFICATION_FAILED/,
    );
  } finally {
    await h.close();
  }
});
