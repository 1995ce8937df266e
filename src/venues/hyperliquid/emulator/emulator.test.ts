/**
 * The emulator over real HTTP and WebSocket on 127.0.0.1: info answers read by the connector's
 * schemas, the order lifecycle against another account, the venue's refusals, streams.
 * Requests are signed with the connector's signing.ts (verified by the emulator's own verify.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import {
  AllMidsSchema,
  ClearinghouseStateSchema,
  ExchangeResponseSchema,
  FrontendOpenOrdersSchema,
  L2BookSchema,
  MetaSchema,
  OpenOrdersSchema,
  OrderStatusSchema,
  UserFillsSchema,
  UserFundingSchema,
  UserRateLimitSchema,
} from "../parse.ts";
import { exchangeBody, fromHex, HlSigner, signL1Action } from "../signing.ts";
import { cancelByCloidAction, modifyAction, type OrderInput, orderAction } from "../wire.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./start.ts";

const alice = new HlSigner(fromHex(`0x${"a1".repeat(32)}`, 32));
const bob = new HlSigner(fromHex(`0x${"b2".repeat(32)}`, 32));
let nonce = Date.now();

// biome-ignore lint/suspicious/noExplicitAny: JSON answers
type Any = any;

async function post(url: string, path: string, body: unknown): Promise<{ status: number; json: Any }> {
  const r = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json };
}

function signed(who: HlSigner, action: Any, n = nonce++, expiresAfter?: number): string {
  return exchangeBody(
    action,
    n,
    signL1Action(who, action, { nonce: n, mainnet: false, expiresAfter }),
    undefined,
    expiresAfter,
  );
}

class Ws {
  readonly msgs: Any[] = [];
  readonly ws: WebSocket;
  closed = false;
  #wake: (() => void)[] = [];
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("message", (d) => {
      this.msgs.push(JSON.parse(String(d)));
      for (const w of this.#wake.splice(0)) w();
    });
    this.ws.on("close", () => {
      this.closed = true;
      for (const w of this.#wake.splice(0)) w();
    });
  }
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
  }
  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }
  /** The first message (from `from` on) matching `pred`, waiting up to `ms`. */
  async next(pred: (m: Any) => boolean, ms = 2000, from = 0): Promise<Any> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.msgs.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > deadline || this.closed)
        throw new Error(`no such message; got ${JSON.stringify(this.msgs)}`);
      await new Promise<void>((r) => {
        this.#wake.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

const order = (o: Partial<OrderInput> = {}): OrderInput => ({
  asset: 0,
  isBuy: true,
  limitPx: "96995",
  sz: "0.001",
  reduceOnly: false,
  orderType: { limit: { tif: "Gtc" } },
  ...o,
});

describe("hyperliquid emulator: info, orders, streams", () => {
  let emu: HyperliquidEmulator;
  const place = async (who: HlSigner, os: OrderInput[]) => {
    const r = await post(emu.url, "/exchange", signed(who, orderAction(os)));
    assert.equal(r.status, 200);
    ExchangeResponseSchema.parse(r.json);
    return r.json;
  };
  before(async () => {
    emu = await startHyperliquidEmulator({ hourlyFunding: false });
    emu.driver.fund(alice.address, 100_000);
    emu.driver.fund(bob.address, 100_000);
    emu.driver.setBook({ coin: "BTC", bidPx: 96990, askPx: 97010, sz: "0.01", levels: 3, stepPx: 10 });
  });
  after(() => emu.close());

  it("every info answer parses with the connector's schemas", async () => {
    const info = async (body: Any) => {
      const r = await post(emu.url, "/info", body);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json;
    };
    const meta = MetaSchema.parse(await info({ type: "meta" }));
    assert.deepEqual(
      meta.universe.map((u) => [u.name, u.szDecimals]),
      [
        ["BTC", 5],
        ["ETH", 4],
        ["SOL", 2],
      ],
    );
    const [m2, ctxs] = await info({ type: "metaAndAssetCtxs" });
    MetaSchema.parse(m2);
    assert.equal(ctxs.length, 3);
    assert.equal(ctxs[0].markPx, "97000");
    assert.equal(AllMidsSchema.parse(await info({ type: "allMids" })).BTC, "97000");
    const book = L2BookSchema.parse(await info({ type: "l2Book", coin: "BTC" }));
    assert.deepEqual(book.levels[0][0], { px: "96990", sz: "0.01", n: 1 });
    assert.deepEqual(
      book.levels[1].map((l) => l.px),
      ["97010", "97020", "97030"],
    );
    const user = alice.address;
    const ch = ClearinghouseStateSchema.parse(await info({ type: "clearinghouseState", user }));
    assert.equal(ch.marginSummary.accountValue, "100000");
    OpenOrdersSchema.parse(await info({ type: "openOrders", user }));
    FrontendOpenOrdersSchema.parse(await info({ type: "frontendOpenOrders", user }));
    assert.deepEqual(OrderStatusSchema.parse(await info({ type: "orderStatus", user, oid: 1 })), {
      status: "unknownOid",
    });
    UserFillsSchema.parse(await info({ type: "userFills", user }));
    UserFillsSchema.parse(await info({ type: "userFillsByTime", user, startTime: 0 }));
    UserFundingSchema.parse(await info({ type: "userFunding", user, startTime: 0 }));
    UserRateLimitSchema.parse(await info({ type: "userRateLimit", user }));
    const pf = await info({ type: "predictedFundings" });
    assert.equal(pf[0][0], "BTC");
    assert.equal(pf[0][1][0][0], "HlPerp");
    const bad = await post(emu.url, "/info", { type: "l2Book", coin: "NOPE" });
    assert.equal(bad.status, 422);
  });

  it("a resting order fills against another account's crossing order; fills and updates stream", async () => {
    const ws = new Ws(emu.wsUrl);
    await ws.open();
    ws.send({ method: "subscribe", subscription: { type: "userFills", user: alice.address } });
    ws.send({ method: "subscribe", subscription: { type: "orderUpdates", user: alice.address } });
    ws.send({ method: "subscribe", subscription: { type: "trades", coin: "BTC" } });
    const snap = await ws.next((m) => m.channel === "userFills");
    assert.equal(snap.data.isSnapshot, true);
    await ws.next((m) => m.channel === "subscriptionResponse" && m.data.subscription.type === "trades");
    const cloid = "0x000000000000000000000000000000a1";
    const placed = await place(alice, [order({ cloid })]);
    const oid = placed.response.data.statuses[0].resting.oid;
    assert.deepEqual(placed.response.data.statuses[0], { resting: { oid, cloid } });
    await ws.next(
      (m) => m.channel === "orderUpdates" && m.data[0].status === "open" && m.data[0].order.oid === oid,
    );
    // bob sells through alice's bid (best bid 96995 ahead of the market's 96990)
    const taken = await place(bob, [
      order({ isBuy: false, limitPx: "96990", orderType: { limit: { tif: "Ioc" } } }),
    ]);
    assert.deepEqual(taken.response.data.statuses[0].filled.totalSz, "0.001");
    assert.equal(taken.response.data.statuses[0].filled.avgPx, "96995");
    const fills = await ws.next((m) => m.channel === "userFills" && !m.data.isSnapshot);
    assert.equal(fills.data.fills[0].oid, oid);
    assert.equal(fills.data.fills[0].px, "96995");
    assert.equal(fills.data.fills[0].crossed, false);
    assert.equal(fills.data.fills[0].dir, "Open Long");
    assert.equal(fills.data.fills[0].cloid, cloid);
    UserFillsSchema.parse(fills.data.fills);
    await ws.next((m) => m.channel === "orderUpdates" && m.data[0].status === "filled");
    const trade = await ws.next((m) => m.channel === "trades");
    assert.equal(trade.data[0].side, "A");
    assert.equal(emu.driver.position(alice.address, "BTC"), "0.001");
    assert.equal(emu.driver.position(bob.address, "BTC"), "-0.001");
    const st = await post(emu.url, "/info", { type: "orderStatus", user: alice.address, oid: cloid });
    assert.equal(OrderStatusSchema.parse(st.json).status, "order");
    assert.equal(st.json.order.status, "filled");
    ws.ws.close();
  });

  it("refuses a crossing post-only, a growing reduce-only, an IOC with nothing to match, off-rule prices", async () => {
    const r = await place(alice, [
      order({ limitPx: "97010", orderType: { limit: { tif: "Alo" } } }),
      order({ reduceOnly: true, orderType: { limit: { tif: "Ioc" } }, limitPx: "97010" }),
      order({ limitPx: "96000", orderType: { limit: { tif: "Ioc" } } }),
      order({ limitPx: "97000.5" }),
      order({ sz: "0.0001" }),
      order({ sz: "0.000001" }),
      order({ limitPx: "15000" }),
      order({ sz: "100" }),
    ]);
    assert.deepEqual(r.response.data.statuses, [
      { error: "Post only order would have immediately matched, bbo was 96990@97010. asset=0" },
      { error: "Reduce only order would increase position." },
      { error: "Order could not immediately match against any resting orders. asset=0" },
      { error: "Price must be divisible by tick size." },
      { error: "Order must have minimum value of $10." },
      { error: "Order has invalid size." },
      { error: "Order price cannot be more than 80% away from the reference price" },
      { error: "Insufficient margin to place order. asset=0" },
    ]);
    assert.deepEqual(emu.driver.openOrders(alice.address), []);
  });

  it("an IOC's remainder is canceled; cancelByCloid and modify act on resting orders", async () => {
    const cloid = "0x000000000000000000000000000000b1";
    const ioc = await place(alice, [
      order({ sz: "0.03", limitPx: "97020", cloid, orderType: { limit: { tif: "Ioc" } } }),
    ]);
    assert.equal(ioc.response.data.statuses[0].filled.totalSz, "0.02");
    const st = await post(emu.url, "/info", { type: "orderStatus", user: alice.address, oid: cloid });
    assert.equal(st.json.order.status, "canceled");
    const c2 = "0x000000000000000000000000000000b2";
    const rest = await place(alice, [order({ limitPx: "96000", cloid: c2 })]);
    const oid = rest.response.data.statuses[0].resting.oid;
    const mod = await post(
      emu.url,
      "/exchange",
      signed(alice, modifyAction(c2, order({ limitPx: "96100", cloid: c2 }))),
    );
    assert.deepEqual(mod.json, { status: "ok", response: { type: "default" } });
    const open = (await post(emu.url, "/info", { type: "openOrders", user: alice.address })).json;
    assert.equal(open.length, 1);
    assert.equal(open[0].limitPx, "96100");
    assert.equal(open[0].cloid, c2);
    assert.notEqual(open[0].oid, oid, "a modify is a cancel and a new order");
    const old = await post(emu.url, "/info", { type: "orderStatus", user: alice.address, oid });
    assert.equal(old.json.order.status, "canceled");
    const cancel = () =>
      post(emu.url, "/exchange", signed(alice, cancelByCloidAction([{ asset: 0, cloid: c2 }])));
    assert.deepEqual((await cancel()).json.response.data.statuses, ["success"]);
    assert.deepEqual((await cancel()).json.response.data.statuses, [
      { error: "Order was never placed, already canceled, or filled." },
    ]);
    assert.deepEqual(emu.driver.openOrders(alice.address), []);
  });

  it("WS: ping, post info and post action, l2Book on change, a frozen stream and dropped sockets", async () => {
    const ws = new Ws(emu.wsUrl);
    await ws.open();
    ws.send({ method: "ping" });
    await ws.next((m) => m.channel === "pong");
    ws.send({ method: "post", id: 7, request: { type: "info", payload: { type: "l2Book", coin: "ETH" } } });
    const info = await ws.next((m) => m.channel === "post" && m.data.id === 7);
    assert.equal(info.data.response.type, "info");
    assert.equal(info.data.response.payload.type, "l2Book");
    const body = JSON.parse(signed(alice, orderAction([order({ limitPx: "95000" })])));
    ws.send({ method: "post", id: 8, request: { type: "action", payload: body } });
    const act = await ws.next((m) => m.channel === "post" && m.data.id === 8);
    assert.equal(act.data.response.type, "action");
    assert.ok(act.data.response.payload.response.data.statuses[0].resting);
    ws.send({ method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } });
    await ws.next((m) => m.channel === "l2Book");
    ws.send({ method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } });
    await ws.next((m) => m.channel === "error" && m.data.startsWith("Already subscribed"));
    emu.driver.freezeStream("l2Book:BTC");
    const mark = ws.msgs.length;
    emu.driver.addLiquidity({ coin: "BTC", side: "bid", px: 96900, sz: 1 });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(ws.msgs.slice(mark).filter((m) => m.channel === "l2Book").length, 0, "frozen: nothing sent");
    emu.driver.thawStream("l2Book:BTC");
    const snap = await ws.next((m) => m.channel === "l2Book", 2000, mark);
    assert.ok(snap.data.levels[0].some((l: Any) => l.px === "96900"));
    emu.driver.dropSockets();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(ws.closed, true);
    assert.equal(emu.driver.connections(), 0);
  });

  it("funding settles into userFunding and the userFundings stream", async () => {
    const ws = new Ws(emu.wsUrl);
    await ws.open();
    ws.send({ method: "subscribe", subscription: { type: "userFundings", user: alice.address } });
    assert.equal((await ws.next((m) => m.channel === "userFundings")).data.isSnapshot, true);
    emu.driver.settleFunding({ coin: "BTC", ratePerHour: 0.0001 });
    const f = await ws.next((m) => m.channel === "userFundings" && !m.data.isSnapshot);
    assert.equal(f.data.fundings[0].coin, "BTC");
    assert.ok(Number(f.data.fundings[0].usdc) < 0, "a long pays a positive rate");
    const hist = await post(emu.url, "/info", { type: "userFunding", user: alice.address, startTime: 0 });
    assert.equal(UserFundingSchema.parse(hist.json)[0].delta.coin, "BTC");
    ws.ws.close();
  });
});
