import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, test } from "node:test";
import { SimClock } from "../../../core/clock.ts";
import { VenueUnknownOutcomeError } from "../../../core/venue.ts";
import type { AccountSigner } from "../../../core/venue-account.ts";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { JwtSession } from "../auth.ts";
import { ParadexHttp, ParadexRejectError } from "../http.ts";
import { cancelOrder, findByClientId, type NewOrder, openOrders, placeOrder, readXp } from "../orders.ts";
import { authHeaders, orderTypedData, signTyped } from "../signing.ts";
import { type ParadexEmulator, startParadexEmulator } from "./start.ts";

// Paradex emulator + connector pieces over real loopback HTTP; the emulator checks every
// Starknet signature with its own hashing (verify.ts), the connector signs with signing.ts.
const ACCOUNT = "0x4638e3041366aa71720be63e32e53e1223316c7f0d56f7aa617542ed1e7512";

let clock: SimClock;
let emu: ParadexEmulator;
let signer: AccountSigner;
let http: ParadexHttp;
let session: JwtSession;

const deps = () => ({ http, session, signer, clock });
let cid = 0;
const order = (o: Partial<NewOrder> = {}): NewOrder => ({
  market: "BTC-USD-PERP",
  side: "BUY",
  type: "LIMIT",
  size: "0.01",
  price: "60000.5",
  instruction: "GTC",
  reduceOnly: false,
  clientId: `c${++cid}`,
  ...o,
});

beforeEach(async () => {
  clock = new SimClock(Date.UTC(2026, 11, 1));
  emu = await startParadexEmulator({ now: () => clock.now(), ordersPerSecond: 50 });
  const key = randomBytes(32);
  key[0]! &= 0x03; // below the Stark curve order
  signer = signerFromKeyBytes("stark", key, "paradex test key");
  key.fill(0);
  emu.driver.onboard(ACCOUNT, `0x${signer.publicKey}`);
  emu.driver.fund(ACCOUNT, 100_000);
  http = new ParadexHttp(emu.url, 3000);
  session = new JwtSession({ http, clock, signer, account: ACCOUNT, chain: emu.chain });
});
afterEach(() => emu.close());

test("JWT: fetched once, reused, refreshed after 3 minutes — before the 5-minute expiry", async () => {
  const a = await session.token();
  assert.equal(await session.token(), a);
  await clock.advance(179_000);
  assert.equal(await session.token(), a);
  assert.equal(emu.driver.jwtsIssued(), 1);
  await clock.advance(2_000);
  const [b, c] = await Promise.all([session.token(), session.token()]);
  assert.equal(b, c, "concurrent callers share one fetch");
  assert.equal(emu.driver.jwtsIssued(), 2);
  // the refreshed token is accepted 4 minutes later, when the first one has expired
  await clock.advance(240_000);
  assert.deepEqual(await http.request({ method: "GET", path: "/xp/account-balance", jwt: b }), {
    account: ACCOUNT,
    balance: "0",
  });
  await assert.rejects(
    http.request({ method: "GET", path: "/xp/account-balance", jwt: a }),
    (e: unknown) =>
      e instanceof ParadexRejectError && e.code === "INVALID_TOKEN" && /jwt expired/.test(e.message),
  );
});

test("auth refused: not onboarded, wrong key, timestamp off the clock", async () => {
  const stranger = new JwtSession({ http, clock, signer, account: "0x1234", chain: emu.chain });
  await assert.rejects(stranger.token(), /NOT_ONBOARDED/);
  const other = signerFromKeyBytes("stark", Buffer.alloc(32, 1), "other");
  const wrong = new JwtSession({ http, clock, signer: other, account: ACCOUNT, chain: emu.chain });
  await assert.rejects(wrong.token(), /STARKNET_SIGNATURE_VERIFICATION_FAILED/);
  const testnet = new JwtSession({ http, clock, signer, account: ACCOUNT, chain: "PRIVATE_SN_POTC_SEPOLIA" });
  await assert.rejects(testnet.token(), /STARKNET_SIGNATURE_VERIFICATION_FAILED/, "another chain's domain");
  const ahead = new SimClock(clock.now() + 60_000);
  const skewed = new JwtSession({ http, clock: ahead, signer, account: ACCOUNT, chain: emu.chain });
  await assert.rejects(skewed.token(), /INVALID_TIMESTAMP: timestamp \d+ is more than 30s from/);
  assert.equal(emu.driver.jwtsIssued(), 0);
});

test("a signed order is accepted as sent and found by client id; XP is read per account", async () => {
  const o = order({ side: "SELL", reduceOnly: true, instruction: "POST_ONLY" });
  const ans = await placeOrder(deps(), o);
  assert.deepEqual(
    [ans.market, ans.side, ans.size, ans.price, ans.instruction, ans.status, ans.client_id, ans.flags],
    ["BTC-USD-PERP", "SELL", "0.01", "60000.5", "POST_ONLY", "NEW", o.clientId, ["REDUCE_ONLY"]],
  );
  assert.equal((await findByClientId(deps(), o.clientId))?.id, ans.id);
  assert.equal(await findByClientId(deps(), "never-sent"), undefined);
  emu.driver.setXp(ACCOUNT, "1234.5");
  assert.equal(await readXp(deps()), "1234.5");
});

test("a tampered field fails the emulator's own signature check; nothing is placed", async () => {
  const ts = clock.now();
  const td = orderTypedData(emu.chain, {
    timestampMs: ts,
    market: "BTC-USD-PERP",
    side: "BUY",
    orderType: "LIMIT",
    size: "0.01",
    price: "60000",
  });
  const signature = await signTyped(signer, td, ACCOUNT);
  const body = {
    market: "BTC-USD-PERP",
    side: "BUY",
    type: "LIMIT",
    size: "0.01",
    price: "60000",
    instruction: "GTC",
    client_id: "t1",
    signature,
    signature_timestamp: ts,
  };
  const jwt = await session.token();
  for (const [field, value] of [
    ["size", "0.02"],
    ["price", "59999"],
    ["side", "SELL"],
    ["signature_timestamp", ts + 1],
    ["market", "ETH-USD-PERP"],
  ] as const) {
    await assert.rejects(
      http.request({ method: "POST", path: "/orders", body: { ...body, [field]: value }, jwt }),
      (e: unknown) => e instanceof ParadexRejectError && e.code === "INVALID_ORDER_SIGNATURE",
      field,
    );
  }
  assert.equal(emu.driver.orders(ACCOUNT).length, 0);
  await http.request({ method: "POST", path: "/orders", body, jwt });
  assert.equal(emu.driver.orders(ACCOUNT).length, 1, "the untampered body is accepted");
});

test("fault matrix: definite refusals vs unknown outcomes, and what a later lookup finds", async () => {
  // definite: the venue answered 4xx and holds no order
  await assert.rejects(
    placeOrder(deps(), order({ price: "60000.55" })),
    (e: unknown) => e instanceof ParadexRejectError && e.code === "INVALID_PRICE_PRECISION",
  );
  const dup = order();
  await placeOrder(deps(), dup);
  await assert.rejects(placeOrder(deps(), { ...dup }), /DUPLICATED_CLIENT_ID/);
  await assert.rejects(placeOrder(deps(), order({ market: "DOGE-USD-PERP" })), /MARKET_NOT_FOUND/);
  const cases: {
    fault: Parameters<ParadexEmulator["driver"]["inject"]>[0];
    kind: string;
    landed: boolean;
  }[] = [
    { fault: { kind: "loseAck" }, kind: "timeout", landed: true },
    { fault: { kind: "executeThenTimeout", holdMs: 5000 }, kind: "timeout", landed: true },
    { fault: { kind: "serverError", status: 502 }, kind: "server_error", landed: false },
    { fault: { kind: "serverError", execute: true }, kind: "server_error", landed: true },
    { fault: { kind: "rateLimited" }, kind: "rate_limited", landed: false },
  ];
  for (const c of cases) {
    emu.driver.inject(c.fault);
    const o = order();
    await assert.rejects(
      placeOrder(deps(), o),
      (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === c.kind,
      c.fault.kind,
    );
    assert.equal(
      (await findByClientId(deps(), o.clientId)) !== undefined,
      c.landed,
      `${c.fault.kind}: landed`,
    );
  }
  assert.deepEqual(emu.driver.faultsApplied(), {
    loseAck: 1,
    executeThenTimeout: 1,
    serverError: 2,
    rateLimited: 1,
  });
});

test("per-account order budget: the request past it is HTTP 429, an unknown outcome", async () => {
  await emu.close();
  emu = await startParadexEmulator({ now: () => clock.now(), ordersPerSecond: 3 });
  emu.driver.onboard(ACCOUNT, `0x${signer.publicKey}`);
  emu.driver.fund(ACCOUNT, 100_000);
  http = new ParadexHttp(emu.url, 3000);
  session = new JwtSession({ http, clock, signer, account: ACCOUNT, chain: emu.chain });
  for (let i = 0; i < 3; i++) await placeOrder(deps(), order());
  await assert.rejects(
    placeOrder(deps(), order()),
    (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === "rate_limited",
  );
  await clock.advance(1000);
  await placeOrder(deps(), order());
  assert.equal(emu.driver.orders(ACCOUNT).length, 4, "the limited request placed nothing");
});

test("cancel: the order leaves the open list; a second cancel is a definite ORDER_IS_CLOSED", async () => {
  const a = await placeOrder(deps(), order());
  const b = await placeOrder(deps(), order({ side: "SELL", price: "61000" }));
  assert.deepEqual((await openOrders(deps())).map((o) => o.id).sort(), [a.id, b.id].sort());
  await cancelOrder(deps(), a.id);
  assert.deepEqual(
    (await openOrders(deps())).map((o) => o.id),
    [b.id],
  );
  await assert.rejects(
    cancelOrder(deps(), a.id),
    (e: unknown) => e instanceof ParadexRejectError && e.code === "ORDER_IS_CLOSED",
  );
  await assert.rejects(
    cancelOrder(deps(), "999"),
    (e: unknown) => e instanceof ParadexRejectError && e.code === "ORDER_ID_NOT_FOUND",
  );
});

test("auth: a header changed after signing (timestamp, expiration, account) fails verification", async () => {
  const ts = Math.floor(clock.now() / 1000);
  const h = await authHeaders(signer, ACCOUNT, emu.chain, ts, ts + 3600);
  for (const [k, v] of [
    ["PARADEX-TIMESTAMP", String(ts - 1)],
    ["PARADEX-SIGNATURE-EXPIRATION", String(ts + 3601)],
  ] as const)
    await assert.rejects(
      http.request({ method: "POST", path: "/auth", headers: { ...h, [k]: v } }),
      /STARKNET_SIGNATURE_VERIFICATION_FAILED/,
      k,
    );
  emu.driver.onboard("0x99", `0x${signer.publicKey}`);
  await assert.rejects(
    http.request({ method: "POST", path: "/auth", headers: { ...h, "PARADEX-STARKNET-ACCOUNT": "0x99" } }),
    /STARKNET_SIGNATURE_VERIFICATION_FAILED/,
  );
  assert.ok(await http.request({ method: "POST", path: "/auth", headers: { ...h } }));
});

test("public budget: past publicPerMinute requests from one IP the answer is 429 RATE_LIMIT_EXCEEDED, an unknown outcome", async () => {
  await emu.close();
  emu = await startParadexEmulator({ now: () => clock.now(), publicPerMinute: 3 });
  http = new ParadexHttp(emu.url, 3000);
  for (let i = 0; i < 3; i++) await http.request({ method: "GET", path: "/markets" });
  await assert.rejects(
    http.request({ method: "GET", path: "/system/time" }),
    (e: unknown) => e instanceof VenueUnknownOutcomeError && e.kind === "rate_limited",
  );
  await clock.advance(20_000);
  assert.ok(
    await http.request({ method: "GET", path: "/markets" }),
    "refilled at publicPerMinute / 60 a second",
  );
});
