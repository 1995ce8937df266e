import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import { type VenueEvent, VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { makeHibachiHarness } from "../../testing/hibachi-conformance.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { orderOf, recordEvents } from "../conformance/harness.ts";
import { HibachiConfigSchema } from "./config.ts";
import type { HibachiFault } from "./emulator/server.ts";
import { HibachiRejectError } from "./http.ts";
import { HibachiVenue } from "./venue.ts";

/**
 * The Venue-level fault matrix against the Hibachi emulator: each injected failure reaches the
 * caller as a refusal or an unknown outcome as src/core/venue.ts defines them, and no outcome is
 * lost (an executed order is found by its nonce; one that never ran is not found).
 */
type H = Awaited<ReturnType<typeof makeHibachiHarness>>;

async function withHarness(fn: (h: H) => Promise<void>, config?: Record<string, unknown>) {
  const h = await makeHibachiHarness({ config });
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
const buy = (h: H, tif: "ioc" | "gtc" = "ioc", ticks = h.referenceTicks + 1) =>
  orderOf(h, { side: "buy", priceTicks: ticks, sizeLots: h.unitLots, tif });
const venueOrders = (h: H) =>
  [...h.emulator.engine.orders.values()].filter((o) => o.accountId === h.accountId);

for (const [name, fault, kind] of [
  ["a 503 after executing", { kind: "serverError", execute: true }, "server_error"],
  ["an answer held past the timeout", { kind: "delayAck", ms: 3000 }, "timeout"],
  ["a cut connection after executing", { kind: "loseAck" }, "timeout"],
] as const satisfies readonly (readonly [string, HibachiFault, string])[]) {
  test(`hibachi: ${name} is an unknown outcome (${kind}); the order is found by its nonce`, async () => {
    await withHarness(async (h) => {
      h.emulator.driver.inject(fault);
      const order = buy(h);
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
      assert.equal(err.kind, kind);
      await h.settle();
      const status = await h.venue.orderStatus(h.account, order.clientOrderId);
      assert.equal(status?.status, "filled");
      assert.equal(status?.filledLots, order.sizeLots);
      assert.equal(venueOrders(h).length, 1, "exactly one order reached the venue");
    });
  });
}

for (const [name, fault, kind] of [
  ["a 503 before executing", { kind: "serverError" }, "server_error"],
  ["a 429 with the venue's rate-limit body", { kind: "rateLimited" }, "rate_limited"],
] as const satisfies readonly (readonly [string, HibachiFault, string])[]) {
  test(`hibachi: ${name} is an unknown outcome (${kind}); the nonce finds nothing`, async () => {
    await withHarness(async (h) => {
      h.emulator.driver.inject(fault);
      const order = buy(h);
      const err = await outcome(h.venue.submit(order));
      assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
      assert.equal(err.kind, kind);
      if (kind === "rate_limited") assert.match(err.message, /limit "orders" at 11\/10 per 1s/);
      assert.equal(await h.venue.orderStatus(h.account, order.clientOrderId), undefined);
      assert.equal(venueOrders(h).length, 0);
    });
  });
}

test("hibachi: a cancel whose answer was lost is an unknown outcome; the order is found canceled, with a canceled event", async () => {
  await withHarness(async (h) => {
    const order = buy(h, "gtc", h.referenceTicks - 5);
    await h.venue.submit(order);
    const rec = recordEvents(h.venue);
    h.emulator.driver.inject({ kind: "loseAck" });
    const err = await outcome(h.venue.cancel(h.account, h.symbol, order.clientOrderId));
    assert.ok(err instanceof VenueUnknownOutcomeError, String(err));
    assert.equal((await h.venue.orderStatus(h.account, order.clientOrderId))?.status, "canceled");
    // the next reconciliation (the poll) reports it
    for (let i = 0; i < 30 && !rec.events.some((e) => e.type === "canceled"); i++)
      await new Promise((r) => setTimeout(r, 100));
    rec.stop();
    const canceled = rec.events.filter((e) => e.type === "canceled");
    assert.equal(canceled.length, 1, JSON.stringify(rec.events.map((e) => e.type)));
    assert.equal(canceled[0].type === "canceled" && canceled[0].reason, "user");
  });
});

test("hibachi: a delayed answer within the timeout is an acknowledgement, then its fills", async () => {
  await withHarness(async (h) => {
    h.emulator.driver.inject({ kind: "delayAck", ms: 400 });
    const rec = recordEvents(h.venue);
    const order = buy(h);
    const t0 = Date.now();
    const { venueOrderId } = await h.venue.submit(order);
    assert.ok(Date.now() - t0 >= 380, "the answer was held");
    await h.settle();
    rec.stop();
    const types = rec.events.filter((e) => "clientOrderId" in e || e.type === "fill").map((e) => e.type);
    assert.deepEqual(types, ["ack", "fill"]);
    assert.equal(rec.events[0].type === "ack" && rec.events[0].venueOrderId, venueOrderId);
  });
});

test("hibachi: the venue's own refusals are definite (fee cap, signature, margin), with a reject event", async () => {
  await withHarness(
    async (h) => {
      const rec = recordEvents(h.venue);
      const lowFee = buy(h);
      const e1 = await outcome(h.venue.submit(lowFee));
      assert.ok(e1 instanceof HibachiRejectError && e1 instanceof VenueRejectError, String(e1));
      assert.equal(e1.code, "MAX_FEES_TOO_LOW");
      assert.match(e1.message, /hibachi POST \/trade\/order: HTTP 400 \[MAX_FEES_TOO_LOW\]/);
      assert.equal(await h.venue.orderStatus(h.account, lowFee.clientOrderId), undefined);
      rec.stop();
      assert.deepEqual(
        rec.events.map((e) => e.type === "reject" && e.reason),
        ["max_fees_too_low"],
      );
    },
    { max_fees_percent: "0.0001" },
  );
  await withHarness(async (h) => {
    // the emulator now holds another public key for this API key: every signature fails
    const other = signerFromKeyBytes("secp256k1", randomBytes(32), "other");
    h.emulator.driver.addAccount({
      accountId: h.accountId,
      apiKey: [...h.emulator.front.accounts.keys()][0],
      key: { kind: "trustless", publicKeyHex: other.publicKey },
      usdt: 0,
    });
    const e2 = await outcome(h.venue.submit(buy(h)));
    assert.ok(e2 instanceof HibachiRejectError, String(e2));
    assert.equal(e2.code, "INVALID_SIGNATURE");
  });
  await withHarness(async (h) => {
    const huge = orderOf(h, {
      side: "buy",
      priceTicks: h.referenceTicks + 1,
      sizeLots: h.unitLots * 1e6,
      tif: "gtc",
    });
    const e3 = await outcome(h.venue.submit(huge));
    assert.ok(e3 instanceof VenueRejectError, String(e3));
    assert.deepEqual(await h.venue.openOrders(h.account), []);
  });
});

test("hibachi: a dropped account stream is reported stale; fills still arrive (polled) and it recovers", async () => {
  await withHarness(async (h) => {
    const order = buy(h, "gtc", h.referenceTicks - 1);
    await h.venue.submit(order);
    await h.settle();
    await h.driver.dropStream("account");
    await h.settle();
    const account = () => h.venue.streams().find((s) => s.stream === "account");
    assert.equal(account()?.stale, true, JSON.stringify(account()));
    const rec = recordEvents(h.venue);
    // the book trades through the resting bid while the account stream is down
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 3,
      askTicks: h.referenceTicks - 1,
      lotsPerLevel: h.unitLots * 10,
    });
    await new Promise((r) => setTimeout(r, 1200));
    const fills = rec.events.filter((e): e is Extract<VenueEvent, { type: "fill" }> => e.type === "fill");
    assert.equal(fills.length, 1, "the poll found the fill");
    assert.equal(fills[0].remainingLots, 0);
    await h.driver.restoreStream("account");
    // the socket redials with a growing delay (at most 5 s)
    for (let i = 0; i < 60 && account()?.stale !== false; i++) await new Promise((r) => setTimeout(r, 100));
    rec.stop();
    assert.equal(account()?.stale, false, `recovered: ${JSON.stringify(account())}`);
    assert.equal(rec.events.filter((e) => e.type === "fill").length, 1, "no fill reported twice");
  });
});

test("hibachi: a silent market stream (connected, nothing sent) is reported stale, and fresh when it speaks again", async () => {
  await withHarness(
    async (h) => {
      const stream = `book:${h.symbol}`;
      const stop = h.venue.subscribe({ symbol: h.symbol, channel: "book" });
      const status = () => h.venue.streams().find((s) => s.stream === stream);
      await h.settle();
      assert.deepEqual([status()?.ready, status()?.stale], [true, false]);
      h.emulator.driver.muteStream(`orderbook|${h.symbol}`);
      for (let i = 0; i < 40 && status()?.stale !== true; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual([status()?.ready, status()?.stale], [true, true], "connected but stale");
      h.emulator.driver.unmuteStream(`orderbook|${h.symbol}`);
      await h.settle();
      assert.deepEqual([status()?.ready, status()?.stale], [true, false], "fresh again");
      stop();
    },
    { stale_after_ms: 400 },
  );
});

test("hibachi: an exchange-info payload of the wrong shape names the endpoint and every wrong field", async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        feeConfig: { tradeMakerFeeRate: "0", tradeTakerFeeRate: 5 },
        futureContracts: [{ id: "x" }],
        status: "NORMAL",
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const venue = new HibachiVenue(HibachiConfigSchema.parse({ trade_url: url }), new WallClock());
  try {
    const err = await outcome(venue.connect());
    assert.ok(err instanceof InvalidValueError, String(err));
    assert.match(err.message, /hibachi GET \/market\/exchange-info: unexpected payload/);
    assert.match(err.message, /feeConfig\.tradeTakerFeeRate/);
    assert.match(err.message, /futureContracts\.0\.id/);
    assert.match(err.message, /futureContracts\.0\.symbol/);
  } finally {
    await venue.close();
    server.close();
  }
});

test("hibachi config: a bad wallet names the venue, the wallet and the field", () => {
  const r = HibachiConfigSchema.safeParse({ wallets: { w07: { account_id: -3, api_key: "k" } } });
  assert.ok(!r.success);
  const paths = r.error.issues.map((i) => i.path.join("."));
  assert.deepEqual(paths.sort(), ["wallets.w07.account_id", "wallets.w07.api_key"]);
});

test("hibachi: an account answer of the wrong shape names the venue, the wallet, the account id and the field", async () => {
  await withHarness(async (h) => {
    // a proxy in front of the emulator that spoils /trade/account/info once asked to
    const target = new URL(h.emulator.url);
    let spoil = false;
    const proxy = createServer((req, res) => {
      const up = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => {
            let body = Buffer.concat(chunks).toString("utf8");
            if (spoil && req.url?.startsWith("/trade/account/info"))
              body = JSON.stringify({ ...JSON.parse(body), balance: 12.5, positions: "none" });
            res.writeHead(r.statusCode ?? 500, { "Content-Type": "application/json" });
            res.end(body);
          });
        },
      );
      req.pipe(up);
    });
    proxy.on("upgrade", (req, socket, head) => {
      const up = connect(Number(target.port), target.hostname, () => {
        up.write(
          `${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join("\r\n")}\r\n\r\n`,
        );
        up.write(head);
        up.pipe(socket).pipe(up);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const venue = new HibachiVenue(
      HibachiConfigSchema.parse({ trade_url: url, request_timeout_ms: 1500 }),
      new WallClock(),
    );
    try {
      await venue.connect();
      const signer = signerFromKeyBytes("secp256k1", randomBytes(32), "spoil test");
      const apiKey = "spoil-key";
      h.emulator.driver.addAccount({
        accountId: 999,
        apiKey,
        key: { kind: "trustless", publicKeyHex: signer.publicKey },
        usdt: 100,
      });
      await venue.bindAccount({ account: "w09", identity: { subAccount: "999", apiKeyId: apiKey }, signer });
      spoil = true;
      const err = await outcome(venue.positions("w09"));
      assert.ok(err instanceof InvalidValueError, String(err));
      assert.match(
        err.message,
        /^venue hibachi: account w09: hibachi GET \/trade\/account\/info \(account 999\): unexpected payload:/,
      );
      assert.match(err.message, /balance: /);
      assert.match(err.message, /positions: /);
    } finally {
      await venue.close();
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});
