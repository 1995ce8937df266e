import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { makeEdgexHarness } from "../../testing/edgex-conformance.ts";
import { signerFromKeyBytes, withHmac } from "../../wallets/signer.ts";
import { orderOf } from "../conformance/harness.ts";
import type { ExchangeFault } from "../kit/faults.ts";
import { EdgexConfigSchema } from "./config.ts";
import { EdgexVenue } from "./venue.ts";

/** The fault matrix against the emulator: how each failure reaches the caller, and that no outcome is lost. */

type H = Awaited<ReturnType<typeof makeEdgexHarness>>;

async function withHarness(fn: (h: H) => Promise<void>, opts: { staleAfterMs?: number } = {}) {
  const h = await makeEdgexHarness(opts);
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

for (const [name, fault, kind] of [
  ["a 503 after executing", { kind: "serverError", execute: true }, "server_error"],
  ["an answer held past the timeout (executed)", { kind: "executeThenTimeout", holdMs: 3000 }, "timeout"],
  ["a cut connection after executing", { kind: "loseAck" }, "timeout"],
] as const satisfies readonly (readonly [string, ExchangeFault, string])[]) {
  test(`edgex: ${name} is an unknown outcome (${kind}); the order is found by its client id`, async () => {
    await withHarness(async (h) => {
      h.emulator.driver.inject(fault);
      const order = ioc(h);
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
      assert.equal(err.kind, kind);
      await h.settle();
      const status = await h.venue.orderStatus(h.account, order.clientOrderId);
      assert.equal(status?.status, "filled");
      assert.equal(h.emulator.driver.orders(h.accountId).length, 1, "exactly one order reached the venue");
    });
  });
}

test("edgex: a 503 before executing is an unknown outcome and nothing was placed; a 429 is rate_limited", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.inject({ kind: "serverError" });
    const a = ioc(h);
    const e1 = await outcome(h.venue.submit(a));
    assert.ok(e1 instanceof VenueUnknownOutcomeError && e1.kind === "server_error", String(e1));
    assert.equal(await h.venue.orderStatus(h.account, a.clientOrderId), undefined);
    h.emulator.driver.inject({ kind: "rateLimited" });
    const b = ioc(h);
    const e2 = await outcome(h.venue.submit(b));
    assert.ok(e2 instanceof VenueUnknownOutcomeError && e2.kind === "rate_limited", String(e2));
    assert.equal(await h.venue.orderStatus(h.account, b.clientOrderId), undefined);
  });
});

test("edgex: a delayed ack resolves the submit; the stream and the answer give one ack event", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.inject({ kind: "delayAck", ms: 400 });
    const acks: string[] = [];
    const stop = h.venue.onEvent((e) => {
      if (e.type === "ack") acks.push(e.clientOrderId);
    });
    const order = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks - 5,
      sizeLots: h.unitLots,
      tif: "gtc",
    });
    const started = Date.now();
    const { venueOrderId } = await h.venue.submit(order);
    assert.ok(Date.now() - started >= 350, "the answer was held");
    await h.settle();
    stop();
    assert.match(venueOrderId, /^\d+$/);
    assert.deepEqual(acks, [order.clientOrderId]);
  });
});

test("edgex: the venue's own refusals are definite, with its code and message; bad input names what is wrong", async () => {
  await withHarness(async (h) => {
    const cross = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots,
      tif: "post_only",
    });
    const err = await outcome(h.venue.submit(cross));
    assert.ok(err instanceof VenueRejectError && err.reason === "order_post_only_would_trade", String(err));
    assert.match(String(err), /POST \/api\/v2\/private\/order\/createOrder: ORDER_POST_ONLY_WOULD_TRADE/);
    const cancel = await outcome(h.venue.cancel(h.account, h.symbol, "999999"));
    assert.ok(
      cancel instanceof VenueRejectError && cancel.reason === "cancel_order_not_found",
      String(cancel),
    );
    const sym = await outcome(h.venue.submit({ ...cross, symbol: "NOPEUSD" }));
    assert.ok(sym instanceof VenueRejectError && /unknown symbol "NOPEUSD"/.test(sym.message), String(sym));
    const cid = await outcome(h.venue.submit({ ...cross, clientOrderId: "abc" }));
    assert.ok(
      cid instanceof VenueRejectError && /clientOrderId "abc" is not a decimal u63/.test(cid.message),
      String(cid),
    );
  });
});

test("edgex: dropped sockets are reported stale; fills made meanwhile are in the history and the streams recover", async () => {
  await withHarness(async (h) => {
    const unsubscribe = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
    await h.settle();
    h.emulator.driver.freezeStream("trade-event");
    await h.settle();
    const account = () => h.venue.streams().find((s) => s.stream === "account");
    assert.equal(account()?.stale, true, "the account stream is stale while cut");
    const order = ioc(h);
    await h.venue.submit(order);
    const fills = await h.venue.fills(h.account, 0);
    assert.ok(
      fills.some((f) => f.clientOrderId === order.clientOrderId),
      "the fill is in the history",
    );
    h.emulator.driver.thawStream("trade-event");
    h.emulator.driver.dropSockets();
    await new Promise((r) => setTimeout(r, 600));
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 2,
      askTicks: h.referenceTicks + 2,
      lotsPerLevel: h.unitLots,
    });
    await h.settle();
    const book = h.venue.streams().find((s) => s.stream === `book:${h.symbol}`);
    assert.deepEqual(
      { ready: book?.ready, stale: book?.stale },
      { ready: true, stale: false },
      "the book recovered",
    );
    assert.equal(account()?.ready, true, "the account socket is back");
    unsubscribe();
  });
});

test("edgex: a stream that goes quiet is reported stale after stale_after_ms", async () => {
  await withHarness(
    async (h) => {
      // the ticker sends a snapshot on subscribe, then only when the mark moves
      const stop = h.venue.subscribe({ symbol: h.symbol, channel: "mark" });
      await h.settle();
      const s = () => h.venue.streams().find((x) => x.stream === `mark:${h.symbol}`);
      assert.equal(s()?.stale, false, "fresh after the snapshot");
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(s()?.stale, true, `no message for 1.5 s with stale_after_ms 300: ${JSON.stringify(s())}`);
      await h.driver.moveMark(h.referenceTicks + 3);
      await h.settle();
      assert.equal(s()?.stale, false, "a message clears it");
      stop();
    },
    { staleAfterMs: 300 },
  );
});

test("edgex: a request that never left (connection refused) is unavailable", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const venue = new EdgexVenue(
    EdgexConfigSchema.parse({ rest_url: `http://127.0.0.1:${port}` }),
    new WallClock(),
  );
  const err = await outcome(venue.connect());
  assert.ok(err instanceof VenueUnknownOutcomeError && err.kind === "unavailable", String(err));
  await venue.close();
});

test("edgex: binding credentials the venue does not know is refused, naming the account", async () => {
  const h = await makeEdgexHarness();
  try {
    const signer = withHmac(
      signerFromKeyBytes("secp256k1", randomBytes(32), "stranger"),
      Buffer.from("s"),
      "base64-text",
    );
    const err = await outcome(
      h.venue.bindAccount({
        account: "wallet-7",
        identity: { address: "12", apiKeyId: "nobody:pp" },
        signer,
      }),
    );
    assert.ok(err instanceof VenueRejectError, String(err));
    assert.match(err.message, /venue edgex: account wallet-7: credentials refused: .*API_KEY_INVALID/);
    const noSecret = signerFromKeyBytes("secp256k1", randomBytes(32), "no secret");
    const e2 = await outcome(
      h.venue.bindAccount({
        account: "wallet-8",
        identity: { address: "12", apiKeyId: "k:p" },
        signer: noSecret,
      }),
    );
    assert.ok(e2 instanceof VenueRejectError && e2.reason === "no_api_secret", String(e2));
  } finally {
    await h.close();
  }
});
