import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { WallClock } from "../../../core/clock.ts";
import { signerFromKeyBytes, withHmac } from "../../../wallets/signer.ts";
import { marketsOf } from "../capabilities.ts";
import { EdgexHttp, EdgexRejectError } from "../http.ts";
import { orderBody } from "../orders.ts";
import { MetaDataSchema, parseAs } from "../parse.ts";
import { authHeaders, signerAddress } from "../signing.ts";
import { type EdgexEmulator, startEdgexEmulator } from "./start.ts";

const SECRET = "ZW11bGF0b3Itc2VjcmV0LWZvci10ZXN0cw";
const ACCOUNT = "543429922866069763";

describe("edgex emulator over real HTTP and WebSocket", () => {
  let emu: EdgexEmulator;
  const signer = withHmac(
    signerFromKeyBytes("secp256k1", Buffer.alloc(32, 9), "emu test"),
    Buffer.from(SECRET),
    "base64-text",
  );
  const auth = { signer, apiKey: "api-key-1", passphrase: "pp-1" };
  const clock = new WallClock();
  let http: EdgexHttp;

  before(async () => {
    emu = await startEdgexEmulator({ scheduledFunding: false });
    emu.driver.register({
      accountId: ACCOUNT,
      apiKey: auth.apiKey,
      passphrase: auth.passphrase,
      secret: SECRET,
      tradingAddress: signerAddress(signer),
      usd: 10_000,
    });
    http = new EdgexHttp(emu.url, 2000, clock);
  });
  after(() => emu.close());

  async function market() {
    const meta = parseAs(
      MetaDataSchema,
      await http.request({ method: "GET", path: "/api/v2/public/meta/getMetaData" }),
      "meta",
    );
    const [m] = marketsOf("edgex", meta, ["BTCUSD"]);
    const domain = {
      chainId: BigInt(meta.global.nativeChainId ?? "0"),
      verifyingContract: meta.global.contractAddress,
    };
    return { m, domain };
  }

  it("takes a signed order, fills it against the book and reports the position", async () => {
    const { m, domain } = await market();
    emu.driver.setBook({ symbol: "BTCUSD", bidPx: 59_990, askPx: 60_010, qty: 1 });
    const body = await orderBody(
      m,
      domain,
      { accountId: ACCOUNT, signer },
      {
        clientOrderId: "101",
        account: "w",
        symbol: "BTCUSD",
        side: "buy",
        type: "limit",
        priceTicks: m.instrument.price("60010"),
        sizeLots: m.instrument.size("0.01"),
        tif: "ioc",
        reduceOnly: false,
      },
      clock.now(),
      86_400_000,
    );
    const data = (await http.request({
      method: "POST",
      path: "/api/v2/private/order/createOrder",
      body,
      auth,
    })) as { orderId: string };
    assert.match(data.orderId, /^\d+$/);
    assert.equal(emu.driver.position(ACCOUNT, "BTCUSD"), "0.01");
    assert.equal(emu.driver.fills(ACCOUNT).length, 1);
  });

  it("refuses a tampered order with the venue's code, and an order signed by another key", async () => {
    const { m, domain } = await market();
    const o = {
      clientOrderId: "102",
      account: "w",
      symbol: "BTCUSD",
      side: "sell" as const,
      type: "limit" as const,
      priceTicks: m.instrument.price("61000"),
      sizeLots: m.instrument.size("0.01"),
      tif: "gtc" as const,
      reduceOnly: false,
    };
    const body = await orderBody(m, domain, { accountId: ACCOUNT, signer }, o, clock.now(), 86_400_000);
    await assert.rejects(
      http.request({
        method: "POST",
        path: "/api/v2/private/order/createOrder",
        body: { ...body, side: "BUY" },
        auth,
      }),
      (e: Error) => e instanceof EdgexRejectError && e.code === "L2_SIGNATURE_INVALID",
    );
    const stranger = signerFromKeyBytes("secp256k1", Buffer.alloc(32, 5), "stranger");
    const forged = await orderBody(
      m,
      domain,
      { accountId: ACCOUNT, signer: stranger },
      o,
      clock.now(),
      86_400_000,
    );
    await assert.rejects(
      http.request({ method: "POST", path: "/api/v2/private/order/createOrder", body: forged, auth }),
      (e: Error) => e instanceof EdgexRejectError && e.code === "L2_SIGNATURE_INVALID",
    );
    assert.equal(emu.driver.orders(ACCOUNT).filter((x) => x.clientOrderId === "102").length, 0);
  });

  it("refuses a request whose HMAC is not the account's secret", async () => {
    const wrong = withHmac(
      signerFromKeyBytes("secp256k1", Buffer.alloc(32, 9), "w"),
      Buffer.from("not-the-secret"),
      "base64-text",
    );
    await assert.rejects(
      http.request({
        method: "GET",
        path: "/api/v2/private/account/getAccountAsset",
        query: { accountId: ACCOUNT },
        auth: { ...auth, signer: wrong },
      }),
      (e: Error) => e instanceof EdgexRejectError && e.code === "SIGNATURE_INVALID",
    );
  });

  it("streams the account's trade events on the authenticated private socket", async () => {
    const { m, domain } = await market();
    const ts = String(clock.now());
    const headers = authHeaders(
      auth,
      ts,
      "GET",
      "/api/v1/private/ws",
      `accountId=${ACCOUNT}&timestamp=${ts}`,
    );
    const ws = new WebSocket(`${emu.wsUrl}/api/v1/private/ws?accountId=${ACCOUNT}&timestamp=${ts}`, {
      headers,
    });
    const got: Record<string, unknown>[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    ws.on("message", (raw) => got.push(JSON.parse(raw.toString()) as Record<string, unknown>));
    const body = await orderBody(
      m,
      domain,
      { accountId: ACCOUNT, signer },
      {
        clientOrderId: "103",
        account: "w",
        symbol: "BTCUSD",
        side: "buy",
        type: "limit",
        priceTicks: m.instrument.price("59000"),
        sizeLots: m.instrument.size("0.01"),
        tif: "gtc",
        reduceOnly: false,
      },
      clock.now(),
      86_400_000,
    );
    await http.request({ method: "POST", path: "/api/v2/private/order/createOrder", body, auth });
    await new Promise((r) => setTimeout(r, 100));
    ws.terminate();
    const ev = got.find((g) => g.type === "trade-event") as
      | { content: { data: { order: { clientOrderId: string; status: string }[] } } }
      | undefined;
    assert.ok(ev !== undefined, "a trade-event arrived");
    assert.equal(ev.content.data.order[0].clientOrderId, "103");
    assert.equal(ev.content.data.order[0].status, "OPEN");
    // a handshake signed with a wrong secret is refused
    const bad = new WebSocket(`${emu.wsUrl}/api/v1/private/ws?accountId=${ACCOUNT}&timestamp=${ts}`, {
      headers: { ...headers, "X-edgeX-Signature": "00".repeat(32) },
    });
    const status = await new Promise<number>((resolve) => {
      bad.on("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0));
      bad.on("error", () => undefined);
    });
    assert.equal(status, 401);
  });
});

describe("edgex emulator heartbeat", () => {
  it("pings every socket; one that never pongs is closed after 5 pings, one that pongs stays", async () => {
    const emu = await startEdgexEmulator({ scheduledFunding: false, pingMs: 30 });
    try {
      const open = (pong: boolean) =>
        new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
          const ws = new WebSocket(`${emu.wsUrl}/api/v1/public/ws?timestamp=${Date.now()}`);
          const closed = new Promise<number>((r) => ws.once("close", () => r(Date.now())));
          ws.on("message", (raw) => {
            const m = JSON.parse(raw.toString()) as { type: string; time?: string };
            if (pong && m.type === "ping") ws.send(JSON.stringify({ type: "pong", time: m.time }));
          });
          ws.once("open", () => resolve({ ws, closed }));
          ws.once("error", reject);
        });
      const silent = await open(false);
      const polite = await open(true);
      const started = Date.now();
      const at = await silent.closed;
      assert.ok(at - started >= 100, `closed after several pings, not at once (${at - started} ms)`);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(polite.ws.readyState, WebSocket.OPEN, "the socket that answers stays open");
      polite.ws.terminate();
    } finally {
      await emu.close();
    }
  });
});
