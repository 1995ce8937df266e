import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { WallClock } from "../../../core/clock.ts";
import { VenueUnknownOutcomeError } from "../../../core/venue.ts";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { evmAddress } from "../../eip712/evm.ts";
import { bookOf } from "../book-scan.ts";
import { scaleOf } from "../capabilities.ts";
import { GrvtConfigSchema, hostsOf } from "../config.ts";
import { GrvtHttp, GrvtRejectError } from "../http.ts";
import {
  FillsAnswer,
  InstrumentsAnswer,
  OrderAnswer,
  OrdersAnswer,
  PositionsAnswer,
  parseAs,
} from "../parse.ts";
import { createOrderBody, type OrderInput, randomNonce, signOrder } from "../signing.ts";
import { GrvtSocket } from "../ws.ts";
import { type GrvtEmulator, startGrvtEmulator } from "./start.ts";

const SUB = "2147050003876484";
const BTC = "BTC_USDT_Perp";
let emu: GrvtEmulator;
let http: GrvtHttp;
const key = randomBytes(32);
const signer = signerFromKeyBytes("secp256k1", key, "emulator test");
const scales = new Map();

before(async () => {
  emu = await startGrvtEmulator({ scheduledFunding: false });
  emu.driver.fund(SUB, evmAddress(signer), 100_000);
  const cfg = GrvtConfigSchema.parse({ rest_url: emu.url });
  http = new GrvtHttp({ hosts: hostsOf(cfg), timeoutMs: 1500, clock: new WallClock(), chainId: 325 });
  const list = parseAs(
    InstrumentsAnswer,
    await http.publicCall("/full/v1/all_instruments", { is_active: true }),
    "instruments",
  );
  for (const m of list.result) scales.set(m.instrument, scaleOf(m));
  emu.driver.setBook({ symbol: BTC, bidPx: 89_990, askPx: 90_010, qty: 1 });
});
after(async () => {
  await emu.close();
});

let cid = 1000;
function order(o: Partial<OrderInput> & { side: "buy" | "sell"; price?: string; size?: string }): OrderInput {
  return {
    subAccountId: SUB,
    isMarket: false,
    timeInForce: "GOOD_TILL_TIME",
    postOnly: false,
    reduceOnly: false,
    legs: [{ instrument: BTC, size: o.size ?? "0.01", limitPrice: o.price, isBuyingAsset: o.side === "buy" }],
    nonce: randomNonce(),
    expirationNs: BigInt(Date.now() + 30_000) * 1_000_000n,
    clientOrderId: String(++cid),
    ...o,
  };
}
async function place(o: OrderInput, tamper?: (b: Record<string, unknown>) => void) {
  const body = createOrderBody(o, await signOrder(signer, o, scales, 325));
  tamper?.(body.order as Record<string, unknown>);
  return parseAs(OrderAnswer, await http.privateCall(signer, "/full/v1/create_order", body), "create_order")
    .result;
}

test("wallet login gives a session; a resting order lists, streams on v1.order and cancels", async () => {
  const frames: unknown[] = [];
  const session = await http.session(signer);
  assert.match(session.cookie, /^gravity=/);
  const sock = new GrvtSocket(
    emu.wsUrl.concat("/ws/full"),
    { onFrame: (f) => frames.push(f), onUp() {}, onDown() {} },
    async () => ({
      Cookie: session.cookie,
      "X-Grvt-Account-Id": session.accountId,
    }),
  );
  sock.subscribe("v1.order", SUB);
  await sock.connect();
  after(() => sock.close());
  const o = await place(order({ side: "buy", price: "89000.0" }));
  assert.equal(o.state.status, "OPEN");
  const open = parseAs(
    OrdersAnswer,
    await http.privateCall(signer, "/full/v1/open_orders", { sub_account_id: SUB }),
    "open",
  ).result;
  assert.deepEqual(
    open.map((x) => x.metadata.client_order_id),
    [o.metadata.client_order_id],
  );
  await http.privateCall(signer, "/full/v1/cancel_order", {
    sub_account_id: SUB,
    client_order_id: o.metadata.client_order_id,
  });
  await new Promise((r) => setTimeout(r, 100));
  const statuses = frames.map((f) => (f as { feed: { state: { status: string } } }).feed.state.status);
  assert.deepEqual(statuses, ["OPEN", "CANCELLED"]);
  await sock.close();
});

test("a crossing buy fills against the book: position, fill history", async () => {
  const o = await place(order({ side: "buy", price: "90010.0", timeInForce: "IMMEDIATE_OR_CANCEL" }));
  assert.equal(o.state.status, "FILLED");
  assert.equal(emu.driver.position(SUB, BTC), "0.01");
  const pos = parseAs(
    PositionsAnswer,
    await http.privateCall(signer, "/full/v1/positions", { sub_account_id: SUB }),
    "positions",
  ).result;
  assert.equal(pos[0].size, "0.01");
  const fills = parseAs(
    FillsAnswer,
    await http.privateCall(signer, "/full/v1/fill_history", { sub_account_id: SUB }),
    "fills",
  ).result;
  assert.equal(fills.length, 1);
  assert.equal(fills[0].client_order_id, o.metadata.client_order_id);
  assert.equal(fills[0].price, "90010.0");
  assert.equal(fills[0].is_taker, true);
});

test("the public book stream sends a snapshot on subscribe and after a change", async () => {
  const books: string[] = [];
  const sock = new GrvtSocket(`${emu.wsUrl}/ws/full`, {
    onFrame: (f) => books.push(bookOf(f, "book").bids[0]?.price ?? "-"),
    onUp() {},
    onDown() {},
  });
  sock.subscribe("v1.book.s", `${BTC}@500-10`);
  try {
    await sock.connect();
    await new Promise((r) => setTimeout(r, 80));
    emu.driver.setBook({ symbol: BTC, bidPx: 89_900, askPx: 90_100, qty: 1 });
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(books, ["89990.0", "89900.0"]);
  } finally {
    await sock.close();
  }
});

test("the venue's refusals: tampered leg 2002, unfunded signer 2003, no session 1000, grid 2064/2065", async () => {
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 0;
    } catch (e) {
      assert.ok(e instanceof GrvtRejectError, String(e));
      return e.code;
    }
  };
  const tampered = place(order({ side: "sell", price: "95000.0" }), (b) => {
    (b.legs as { size: string }[])[0].size = "0.02";
  });
  assert.equal(await code(tampered), 2002);
  assert.equal(await code(place(order({ side: "sell", price: "95000.05" }))), 2064);
  assert.equal(await code(place(order({ side: "sell", price: "95000.0", size: "0.0105" }))), 2065);
  const other = signerFromKeyBytes("secp256k1", randomBytes(32), "other");
  const o = order({ side: "sell", price: "95000.0" });
  const body = createOrderBody(o, await signOrder(other, o, scales, 325));
  assert.equal(await code(http.privateCall(other, "/full/v1/create_order", body)), 2003);
  const res = await fetch(`${emu.url}/full/v1/open_orders`, {
    method: "POST",
    body: JSON.stringify({ sub_account_id: SUB }),
  });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { code: number }).code, 1000);
});

test("faults: a 5xx and a lost answer are unknown outcomes; the lost order exists", async () => {
  emu.driver.inject({ kind: "serverError" });
  await assert.rejects(
    place(order({ side: "sell", price: "96000.0" })),
    (e) => e instanceof VenueUnknownOutcomeError && e.kind === "server_error",
  );
  emu.driver.inject({ kind: "loseAck" });
  const lost = order({ side: "sell", price: "96000.0" });
  await assert.rejects(place(lost), (e) => e instanceof VenueUnknownOutcomeError && e.kind === "timeout");
  assert.ok(
    emu.driver.orders(SUB).some((x) => x.clientOrderId === lost.clientOrderId && x.status === "OPEN"),
  );
});

test("v1.trade prints every fill with the taker's side and nothing of the account", async () => {
  const prints: Record<string, unknown>[] = [];
  const sock = new GrvtSocket(`${emu.wsUrl}/ws/full`, {
    onFrame: (f) => prints.push(f.feed as Record<string, unknown>),
    onUp() {},
    onDown() {},
  });
  sock.subscribe("v1.trade", `${BTC}@50`);
  try {
    await sock.connect();
    emu.driver.setBook({ symbol: BTC, bidPx: 89_990, askPx: 90_010, qty: 1 });
    const o = await place(order({ side: "sell", price: "89990.0", timeInForce: "IMMEDIATE_OR_CANCEL" }));
    assert.equal(o.state.status, "FILLED");
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(prints.length, 1);
    assert.equal(prints[0].is_taker_buyer, false);
    assert.equal(prints[0].price, "89990.0");
    assert.equal(prints[0].size, "0.01");
    for (const k of ["sub_account_id", "client_order_id", "order_id"])
      assert.equal(prints[0][k], undefined, k);
  } finally {
    await sock.close();
  }
});
