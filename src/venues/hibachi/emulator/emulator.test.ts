import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { WallClock } from "../../../core/clock.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../../core/venue.ts";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { HibachiClient } from "../client.ts";
import { HibachiHttp, HibachiRejectError } from "../http.ts";
import { orderBody, orderPayload, walletSignature } from "../signing.ts";
import { type HibachiEmulator, startHibachiEmulator } from "./start.ts";

/**
 * The Hibachi emulator over real HTTP on 127.0.0.1, driven through the connector's client: its
 * payloads parse, its signature and nonce checks refuse what the venue refuses, orders go
 * through the simulated core, and its faults reach the client as the contract's two errors.
 */
const ETH = "ETH/USDT-P";
let emu: HibachiEmulator;
let wallet: HibachiClient;
let managed: HibachiClient;
const signer = signerFromKeyBytes("secp256k1", randomBytes(32), "hibachi test wallet");

before(async () => {
  emu = await startHibachiEmulator({ ordersPerSecond: 1000 });
  emu.driver.addAccount({
    accountId: 101,
    apiKey: "key-101",
    key: { kind: "trustless", publicKeyHex: signer.publicKey },
    usdt: 50_000,
  });
  emu.driver.addAccount({
    accountId: 102,
    apiKey: "key-102",
    key: { kind: "managed", secret: "managed-secret-102" },
    usdt: 50_000,
  });
  emu.driver.setBook({ symbol: ETH, bidPx: 2999, askPx: 3001, qty: 5, stepPx: 1 });
  const http = new HibachiHttp({ tradeUrl: emu.url, dataUrl: emu.url, timeoutMs: 1000 });
  const clock = new WallClock();
  wallet = new HibachiClient({
    http,
    accountId: 101,
    apiKey: "key-101",
    auth: { kind: "trustless", signer },
    clock,
  });
  managed = new HibachiClient({
    http,
    accountId: 102,
    apiKey: "key-102",
    auth: { kind: "managed", secret: "managed-secret-102" },
    clock,
  });
  await wallet.loadExchangeInfo();
  await managed.loadExchangeInfo();
});
after(() => emu.close());

test("market data in Hibachi's shapes: contracts, prices with the funding estimate, the book", async () => {
  const info = await wallet.loadExchangeInfo();
  assert.deepEqual(
    info.futureContracts.map((c) => [c.symbol, c.id, c.underlyingDecimals, c.settlementDecimals]),
    [
      [ETH, 1, 9, 6],
      ["BTC/USDT-P", 2, 10, 6],
    ],
  );
  assert.equal(info.feeConfig.tradeTakerFeeRate, "0.00045000");
  const p = await wallet.prices(ETH);
  assert.equal(p.markPrice, "3000");
  assert.equal(p.bidPrice, "2999");
  assert.equal(p.askPrice, "3001");
  assert.equal(p.fundingRateEstimation.nextFundingTimestamp % (8 * 3600), 0);
  const book = await wallet.orderbook(ETH, 2, "0.01");
  assert.deepEqual(book.bid.levels, [
    { price: "2999", quantity: "5" },
    { price: "2998", quantity: "5" },
  ]);
  assert.deepEqual(book.ask.levels[0], { price: "3001", quantity: "5" });
});

test("a signed limit order rests, is found by nonce and by id, and a cancel by nonce ends it", async () => {
  const { nonce, orderId } = await wallet.place({
    symbol: ETH,
    side: "BID",
    quantity: "0.5",
    price: "2990",
    maxFeesPercent: "0.001",
  });
  const byNonce = await wallet.order({ nonce });
  assert.equal(byNonce?.orderId, orderId);
  assert.equal(byNonce?.status, "PLACED");
  assert.equal(byNonce?.availableQuantity, "0.5");
  assert.ok((await wallet.pendingOrders()).some((o) => o.orderId === orderId));
  await wallet.cancel({ nonce });
  assert.equal((await wallet.order({ orderId }))?.status, "CANCELLED");
  await assert.rejects(
    wallet.cancel({ orderId }),
    (e: unknown) => e instanceof HibachiRejectError && e.code === "ORDER_NOT_OPEN",
  );
  assert.equal(await wallet.order({ nonce: nonce + 12345n }), undefined);
});

test("an update moves a resting order's price and size in place; a tampered update is refused", async () => {
  const { orderId } = await wallet.place({
    symbol: ETH,
    side: "BID",
    quantity: "0.5",
    price: "2980",
    maxFeesPercent: "0.001",
  });
  await wallet.update({
    orderId,
    symbol: ETH,
    side: "BID",
    quantity: "0.7",
    price: "2985",
    maxFeesPercent: "0.001",
  });
  const o = await wallet.order({ orderId });
  assert.deepEqual([o?.status, o?.price, o?.totalQuantity], ["PLACED", "2985", "0.7"]);
  // signed for the other side: the venue rebuilds the bytes with the order's own side
  await assert.rejects(
    wallet.update({
      orderId,
      symbol: ETH,
      side: "ASK",
      quantity: "0.7",
      price: "2986",
      maxFeesPercent: "0.001",
    }),
    (e: unknown) => e instanceof HibachiRejectError && e.code === "INVALID_SIGNATURE",
  );
  assert.equal((await wallet.order({ orderId }))?.price, "2985");
  await wallet.cancel({ orderId });
});

test("a crossing order fills in the core and the account shows the position; HMAC accounts trade too", async () => {
  await managed.place({ symbol: ETH, side: "ASK", quantity: "0.25", maxFeesPercent: "0.001" });
  const info = await managed.accountInfo();
  const pos = info.positions.find((p) => p.symbol === ETH);
  assert.equal(pos?.direction, "Short");
  assert.equal(pos?.quantity, "0.25");
  assert.equal(pos?.openPrice, "2999");
});

test("the account's trades carry the taker fee; a funding settlement shows in its settlements history", async () => {
  const [t] = await managed.trades();
  assert.equal(t?.side, "ASK");
  assert.deepEqual([t?.price, t?.quantity], ["2999", "0.25"]);
  // taker 0.045 % of 0.25 × 2999 = 0.33738750
  assert.equal(Number(t?.fee), 0.3373875);
  assert.ok(t !== undefined && /^[1-9]\d{17}$/.test(t.askOrderId) && t.bidOrderId === "0");
  // a short receives a positive rate: +0.0001 of 0.25 × the 3000 mark = 0.075
  emu.driver.settleFunding({ symbol: ETH, ratePerPeriod: 0.0001 });
  const [s] = await managed.settlements();
  assert.equal(s?.direction, "Short");
  assert.equal(s?.quantity, "0.25");
  assert.equal(Number(s?.settledAmount), 0.075);
});

test("tampered fields, a reused or millisecond nonce, a wrong key or too low a fee cap are refused, naming why", async () => {
  const c = wallet.contract(ETH);
  const nonce = wallet.nonces.next();
  const fields = { nonce, quantity: "0.1", side: "BID" as const, price: "2900", maxFeesPercent: "0.001" };
  const body = orderBody(c, fields, 101, await walletSignature(signer, orderPayload(c, fields)));
  const post = (b: Record<string, unknown>, key = "key-101") =>
    wallet.http.request({ method: "POST", host: "trade", path: "/trade/order", body: b, apiKey: key });
  const code = (want: string) => (e: unknown) =>
    e instanceof HibachiRejectError && e.code === want && e.message.includes("/trade/order");
  await assert.rejects(post({ ...body, quantity: "0.2" }), code("INVALID_SIGNATURE"));
  await assert.rejects(post({ ...body, nonce: Number(nonce) + 1, price: "2901" }), code("INVALID_SIGNATURE"));
  await assert.rejects(post(body, "not-a-key"), code("AUTH_FAILED"));
  await assert.rejects(post({ ...body, accountId: 102 }), code("FORBIDDEN"));
  await post(body);
  await assert.rejects(post(body), code("INVALID_NONCE"));
  const msNonce = BigInt(Date.now());
  const msFields = { ...fields, nonce: msNonce };
  await assert.rejects(
    post(orderBody(c, msFields, 101, await walletSignature(signer, orderPayload(c, msFields)))),
    (e: unknown) => code("INVALID_NONCE")(e) && /µs expected/.test((e as Error).message),
  );
  await assert.rejects(
    wallet.place({ symbol: ETH, side: "BID", quantity: "0.1", price: "2900", maxFeesPercent: "0.0001" }),
    code("MAX_FEES_TOO_LOW"),
  );
  await assert.rejects(
    wallet.place({
      symbol: ETH,
      side: "BID",
      quantity: "0.1",
      price: "2900.005",
      maxFeesPercent: "0.001",
    }),
    code("INVALID_PARAM"),
  );
});

test("faults: a lost answer is an unknown outcome and the order is found by its nonce; 503 and 429 are unknown too", async () => {
  emu.driver.inject({ kind: "loseAck" });
  const nonce = wallet.nonces.next();
  await assert.rejects(
    wallet.place(
      { symbol: ETH, side: "BID", quantity: "0.1", price: "2950", maxFeesPercent: "0.001" },
      nonce,
    ),
    (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === "timeout",
  );
  assert.equal((await wallet.order({ nonce }))?.status, "PLACED");

  emu.driver.inject({ kind: "serverError", status: 503 });
  const n2 = wallet.nonces.next();
  await assert.rejects(
    wallet.place({ symbol: ETH, side: "BID", quantity: "0.1", price: "2950", maxFeesPercent: "0.001" }, n2),
    (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === "server_error",
  );
  assert.equal(await wallet.order({ nonce: n2 }), undefined);

  emu.driver.inject({ kind: "rateLimited" });
  await assert.rejects(
    wallet.place({ symbol: ETH, side: "BID", quantity: "0.1", price: "2950", maxFeesPercent: "0.001" }),
    (e: unknown) =>
      e instanceof VenueUnknownOutcomeError &&
      e.kind === "rate_limited" &&
      /limit "orders" at 11\/10 per 1s/.test(e.message),
  );
  await assert.rejects(
    wallet.place({ symbol: "DOGE/USDT-P", side: "BID", quantity: "1", price: "1", maxFeesPercent: "0.001" }),
    (e: unknown) =>
      !(e instanceof VenueRejectError) && /unknown symbol "DOGE\/USDT-P"/.test((e as Error).message),
  );
});

test("the per-key request limit answers 429 with the venue's body once the second's budget is spent", async () => {
  const tight = await startHibachiEmulator({ ordersPerSecond: 2 });
  try {
    tight.driver.addAccount({ accountId: 7, apiKey: "k7", key: { kind: "managed", secret: "s" }, usdt: 0 });
    const http = new HibachiHttp({ tradeUrl: tight.url, dataUrl: tight.url, timeoutMs: 1000 });
    const c = new HibachiClient({
      http,
      accountId: 7,
      apiKey: "k7",
      auth: { kind: "managed", secret: "s" },
      clock: new WallClock(),
    });
    await c.pendingOrders();
    await c.pendingOrders();
    await assert.rejects(
      c.pendingOrders(),
      (e: unknown) =>
        e instanceof VenueUnknownOutcomeError && /limit "requests" at 3\/2 per 1s/.test(e.message),
    );
  } finally {
    await tight.close();
  }
});

test("order flags: a crossing POST_ONLY is refused, an IOC's rest is cancelled, REDUCE_ONLY never opens a position", async () => {
  const code = (want: RegExp) => (e: unknown) => e instanceof HibachiRejectError && want.test(e.code);
  await assert.rejects(
    wallet.place({
      symbol: ETH,
      side: "BID",
      quantity: "0.1",
      price: "3001",
      maxFeesPercent: "0.001",
      orderFlags: "POST_ONLY",
    }),
    code(/^POST_ONLY_WOULD_CROSS$/),
  );
  // 5 ETH rest at 3001: an IOC for 6 at 3001 fills 5 and the rest is cancelled
  const ioc = await wallet.place({
    symbol: ETH,
    side: "BID",
    quantity: "6",
    price: "3001",
    maxFeesPercent: "0.001",
    orderFlags: "IOC",
  });
  const o = await wallet.order({ orderId: ioc.orderId });
  assert.equal(o?.status, "CANCELLED");
  assert.equal(o?.availableQuantity, "1");
  // the account is long now; a reduce-only buy would grow it
  await assert.rejects(
    wallet.place({
      symbol: ETH,
      side: "BID",
      quantity: "0.1",
      maxFeesPercent: "0.001",
      orderFlags: "REDUCE_ONLY",
    }),
    code(/^REDUCE_ONLY_WOULD_INCREASE$/),
  );
  await assert.rejects(
    wallet.http.request({
      method: "POST",
      host: "trade",
      path: "/trade/order",
      body: {
        accountId: 101,
        symbol: ETH,
        orderType: "MARKET",
        quantity: "1",
        maxFeesPercent: "0.001",
        signature: "00",
        nonce: 1,
        orderFlags: "FOK",
      },
      apiKey: "key-101",
    }),
    (e: unknown) => e instanceof HibachiRejectError && /orderFlags "FOK" is none of/.test(e.message),
  );
});
