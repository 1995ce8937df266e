import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { PY_KEY } from "../fixtures/vectors.ts";
import { HlHttp } from "../http.ts";
import { MetaSchema, OpenOrdersSchema, orderOutcomes } from "../parse.ts";
import { WeightLimiter } from "../rate-limit.ts";
import { exchangeBody, fromHex, HlSigner, signApproveAgent, signL1Action } from "../signing.ts";
import { cancelByCloidAction, type OrderInput, orderAction } from "../wire.ts";
import { HlEmulator } from "./server.ts";

const META = {
  universe: [
    { name: "BTC", szDecimals: 5, maxLeverage: 40 },
    { name: "ETH", szDecimals: 4, maxLeverage: 25 },
  ],
};
const master = new HlSigner(fromHex(PY_KEY, 32));
const agent = new HlSigner(fromHex(`0x${"5a".repeat(32)}`, 32));
const stranger = new HlSigner(fromHex(`0x${"6b".repeat(32)}`, 32));
const limiter = () => new WeightLimiter({ perMinute: 100_000 });

describe("hyperliquid emulator on loopback", () => {
  const emu = new HlEmulator({ mainnet: false, meta: META, users: [master.address] });
  let http: HlHttp;
  let nonce = Date.now();
  before(async () => {
    http = new HlHttp({ baseUrl: await emu.start(), timeoutMs: 2000, limiter: limiter() });
  });
  after(() => emu.close());

  const order = (over: Partial<OrderInput> = {}): OrderInput => ({
    asset: 0,
    isBuy: true,
    limitPx: "97000",
    sz: "0.001",
    reduceOnly: false,
    orderType: { limit: { tif: "Alo" } },
    cloid: "0x0000000000000000000000000000abcd",
    ...over,
  });
  const sendL1 = async (who: HlSigner, action: Parameters<typeof signL1Action>[1], n = nonce++) => {
    const sig = signL1Action(who, action, { nonce: n, mainnet: false });
    const r = await http.exchange(exchangeBody(action, n, sig));
    assert.equal(r.kind, "answered");
    return r.kind === "answered" ? r.value : assert.fail();
  };

  it("serves meta", async () => {
    const r = await http.info({ type: "meta" }, MetaSchema);
    assert.equal(r.kind === "answered" && r.value.universe[0].name, "BTC");
  });

  it("an unapproved agent is an unknown wallet; after approveAgent its orders rest for the master", async () => {
    const before = await sendL1(agent, orderAction([order()]));
    assert.deepEqual(before, {
      status: "err",
      response: `User or API Wallet ${agent.address} does not exist.`,
    });
    const n = nonce++;
    const { action, signature } = signApproveAgent(master, {
      agentAddress: agent.address,
      nonce: n,
      mainnet: false,
    });
    const ap = await http.exchange(exchangeBody(action as never, n, signature));
    assert.deepEqual(ap.kind === "answered" && ap.value, { status: "ok", response: { type: "default" } });
    const placed = await sendL1(
      agent,
      orderAction([order(), order({ limitPx: "97000.5", cloid: undefined })]),
    );
    const out = orderOutcomes(placed, 2);
    assert.equal(out[0].kind, "resting");
    assert.deepEqual(out[1], { kind: "rejected", reason: "Price must be divisible by tick size." });
    const open = await http.info({ type: "openOrders", user: master.address }, OpenOrdersSchema);
    assert.equal(open.kind === "answered" && open.value[0].cloid, "0x0000000000000000000000000000abcd");
    const cancel = await sendL1(
      agent,
      cancelByCloidAction([{ asset: 0, cloid: "0x0000000000000000000000000000abcd" }]),
    );
    assert.deepEqual(cancel.status === "ok" && cancel.response.data?.statuses, ["success"]);
  });

  it("refuses a reused nonce, a stranger, a tampered body and a testnet signature on the wrong chain", async () => {
    const n = nonce++;
    const a = orderAction([order({ cloid: "0x0000000000000000000000000000beef" })]);
    assert.equal((await sendL1(agent, a, n)).status, "ok");
    assert.deepEqual(await sendL1(agent, orderAction([order({ cloid: undefined })]), n), {
      status: "err",
      response: "Invalid nonce: duplicate nonce.",
    });
    assert.equal((await sendL1(stranger, orderAction([order()]))).status, "err");
    const m = nonce++;
    const sig = signL1Action(agent, a, { nonce: m, mainnet: false });
    const tampered = JSON.parse(exchangeBody(a, m, sig));
    tampered.action.orders[0].s = "0.002";
    const r = await http.exchange(JSON.stringify(tampered));
    assert.match(
      r.kind === "answered" && r.value.status === "err" ? r.value.response : "",
      /^User or API Wallet 0x/,
    );
    const main = signL1Action(agent, a, { nonce: nonce, mainnet: true });
    const w = await http.exchange(exchangeBody(a, nonce++, main));
    assert.equal(w.kind === "answered" && w.value.status, "err");
  });
});

describe("hyperliquid http: failures are classified", () => {
  const modes: Record<string, (res: import("node:http").ServerResponse) => void> = {
    "/5xx/exchange": (res) => res.writeHead(502).end("bad gateway"),
    "/429/exchange": (res) => res.writeHead(429).end("{}"),
    "/html/exchange": (res) => res.writeHead(200).end("<html>"),
    "/garbage/exchange": (res) => res.writeHead(200).end('{"status":"ok","response":7}'),
    "/hang/exchange": () => {},
  };
  const server = createServer((req, res) => modes[req.url ?? ""]?.(res));
  let base = "";
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const call = (prefix: string, timeoutMs = 2000) =>
    new HlHttp({ baseUrl: `${base}${prefix}`, timeoutMs, limiter: limiter() }).exchange("{}");

  it("5xx, 429, non-JSON and unreadable answers are unknown; a timeout is unknown", async () => {
    assert.deepEqual(await call("/5xx"), {
      kind: "unknown",
      reason: "server_error",
      detail: "/exchange: HTTP 502",
    });
    const rl = await call("/429");
    assert.equal(rl.kind === "unknown" && rl.reason, "rate_limited");
    const html = await call("/html");
    assert.equal(html.kind === "unknown" && html.reason, "server_error");
    const garbage = await call("/garbage");
    assert.equal(garbage.kind === "unknown" && garbage.reason, "server_error");
    const hang = await call("/hang", 150);
    assert.equal(hang.kind === "unknown" && hang.reason, "timeout");
  });

  it("a refused connection is unavailable (nothing was sent)", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await new HlHttp({ baseUrl: `http://127.0.0.1:${port}`, limiter: limiter() }).exchange("{}");
    assert.equal(r.kind, "unavailable");
  });

  it("the limiter holds requests back when the IP budget is spent", async () => {
    let t = 0;
    const l = new WeightLimiter({ perMinute: 1200, now: () => t });
    assert.equal(l.tryTake(1200), 0);
    assert.equal(l.tryTake(20), 1000); // 20 weight refill in 1 s
    t = 1000;
    assert.equal(l.tryTake(20), 0);
    assert.throws(() => l.tryTake(1201));
  });
});
