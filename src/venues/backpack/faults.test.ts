import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { makeBackpackHarness } from "../../testing/backpack-conformance.ts";
import { outcome, withBookedHarness } from "../../testing/fault-matrix.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { orderOf } from "../conformance/harness.ts";
import { BackpackConfigSchema } from "./config.ts";
import { BackpackVenue } from "./venue.ts";

/** The fault matrix: how each injected failure reaches the caller, and that no outcome is lost. */

const withHarness = (fn: (h: Awaited<ReturnType<typeof makeBackpackHarness>>) => Promise<void>) =>
  withBookedHarness(() => makeBackpackHarness(), fn);

for (const [name, inject, kind] of [
  [
    "a 503 after executing",
    (h: Awaited<ReturnType<typeof makeBackpackHarness>>) =>
      h.emulator.driver.serverErrors(1, { execute: true }),
    "server_error",
  ],
  [
    "an answer held past the timeout",
    (h: Awaited<ReturnType<typeof makeBackpackHarness>>) => h.emulator.driver.executeThenTimeout(1, 3000),
    "timeout",
  ],
  [
    "a cut connection after executing",
    (h: Awaited<ReturnType<typeof makeBackpackHarness>>) => h.emulator.driver.loseAcks(1),
    "timeout",
  ],
] as const) {
  test(`backpack: ${name} is an unknown outcome (${kind}); the order is found by its client id`, async () => {
    await withHarness(async (h) => {
      inject(h);
      const order = orderOf(h, {
        side: "buy",
        priceTicks: h.referenceTicks + 1,
        sizeLots: h.unitLots,
        tif: "ioc",
      });
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

test("backpack: a 429 is an unknown outcome (rate_limited) and nothing was placed", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.rateLimit(1);
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots,
      tif: "ioc",
    });
    const err = await outcome(h.venue.submit(order));
    assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === "rate_limited", String(err));
    assert.equal(await h.venue.orderStatus(h.account, order.clientOrderId), undefined);
  });
});

test("backpack: a refusal carries the venue's code; an unknown symbol and a bad client id name what is wrong", async () => {
  await withHarness(async (h) => {
    const cross = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots,
      tif: "post_only",
    });
    const err = await outcome(h.venue.submit(cross));
    assert.ok(err instanceof VenueRejectError && err.reason === "invalid_order", String(err));
    assert.match(String(err), /POST \/api\/v1\/order: INVALID_ORDER: Order would immediately match and take/);
    const bad = await outcome(h.venue.submit({ ...cross, symbol: "NOPE_USDC_PERP" }));
    assert.ok(
      bad instanceof VenueRejectError && /unknown symbol "NOPE_USDC_PERP"/.test(bad.message),
      String(bad),
    );
    const cid = await outcome(h.venue.submit({ ...cross, clientOrderId: "abc" }));
    assert.ok(
      cid instanceof VenueRejectError && /clientOrderId "abc" is not a u32/.test(cid.message),
      String(cid),
    );
  });
});

test("backpack: a request that never left (connection refused) is unavailable", async () => {
  // a port that was just free: nothing listens there
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const venue = new BackpackVenue(
    BackpackConfigSchema.parse({ rest_url: `http://127.0.0.1:${port}`, ws_url: `ws://127.0.0.1:${port}` }),
    new WallClock(),
  );
  const err = await outcome(venue.connect());
  assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === "unavailable", String(err));
  await venue.close();
});

test("backpack: binding a key the venue does not know is refused, naming the account", async () => {
  const h = await makeBackpackHarness();
  try {
    const signer = signerFromKeyBytes("ed25519", randomBytes(32), "stranger");
    const err = await outcome(h.venue.bindAccount({ account: "wallet-7", identity: {}, signer }));
    assert.ok(err instanceof VenueRejectError, String(err));
    assert.match(
      err.message,
      /venue backpack: account wallet-7: API key refused: .*UNAUTHORIZED: API key not found/,
    );
  } finally {
    await h.close();
  }
});
