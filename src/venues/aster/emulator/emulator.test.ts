import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { paramString, signedV1Text, signedV3Text, signerAddress, type V3Identity } from "../signing.ts";
import { type AsterEmulator, startAsterEmulator } from "./start.ts";

/**
 * The emulator as a client sees it, over raw HTTP on 127.0.0.1: what it accepts and what it
 * refuses (signatures, nonces, windows, weights, order counts), in the venue's codes. Requests
 * are signed with the connector's signing module; the emulator checks them with its own code.
 */

const ORDER: [string, string][] = [
  ["symbol", "BTCUSDT"],
  ["side", "BUY"],
  ["type", "LIMIT"],
  ["timeInForce", "GTC"],
  ["quantity", "0.010"],
  ["price", "59000.0"],
];

async function world(opts: Parameters<typeof startAsterEmulator>[0] = {}) {
  const emu = await startAsterEmulator({ scheduledFunding: false, ...opts });
  const key = randomBytes(32);
  const signer = signerFromKeyBytes("secp256k1", key, "emulator test wallet");
  const user = `0x${randomBytes(20).toString("hex")}`;
  const id: V3Identity = { user, signerAddress: signerAddress(signer), signer };
  emu.driver.fund(user, 10_000);
  emu.driver.approveSigner(user, id.signerAddress);
  return { emu, id, user };
}

async function post(emu: AsterEmulator, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    weight: res.headers.get("x-mbx-used-weight-1m"),
  };
}

const nowUs = () => Date.now() * 1000;

describe("aster emulator: V3 EIP-712 requests", () => {
  it("accepts a signed order, refuses a tampered byte, an unapproved API wallet, a replayed and a stale nonce", async () => {
    const { emu, id } = await world();
    try {
      const text = await signedV3Text(ORDER, id, nowUs());
      const ok = await post(emu, "/fapi/v3/order", text);
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.equal(ok.json.status, "NEW");
      assert.equal(ok.json.symbol, "BTCUSDT");
      // the same text again: the nonce was used
      const replay = await post(emu, "/fapi/v3/order", text);
      assert.deepEqual([replay.status, replay.json.code], [400, -1021]);
      // one byte changed after signing: another address recovers, not the signer
      const tampered = (await signedV3Text(ORDER, id, nowUs())).replace("59000.0", "59001.0");
      const bad = await post(emu, "/fapi/v3/order", tampered);
      assert.deepEqual([bad.status, bad.json.code], [400, -1022]);
      // an API wallet the user never approved
      const other = signerFromKeyBytes("secp256k1", randomBytes(32), "stranger");
      const stranger = await post(
        emu,
        "/fapi/v3/order",
        await signedV3Text(ORDER, { ...id, signer: other, signerAddress: signerAddress(other) }, nowUs()),
      );
      assert.deepEqual([stranger.status, stranger.json.code], [401, -2015]);
      // a nonce 20 s old is outside the ±10 s window
      const old = await post(emu, "/fapi/v3/order", await signedV3Text(ORDER, id, nowUs() - 20_000_000));
      assert.deepEqual([old.status, old.json.code], [400, -1021]);
      assert.equal(emu.driver.orders(id.user).length, 1, "only the first order landed");
    } finally {
      await emu.close();
    }
  });

  it("GET requests are signed over their query string", async () => {
    const { emu, id } = await world();
    try {
      const text = await signedV3Text([["symbol", "BTCUSDT"]], id, nowUs());
      const res = await fetch(`${emu.url}/fapi/v3/openOrders?${text}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), []);
    } finally {
      await emu.close();
    }
  });
});

describe("aster emulator: V1 HMAC requests", () => {
  it("accepts Binance's scheme; refuses a wrong secret, a stale timestamp and a recvWindow over 60 s", async () => {
    const { emu, user } = await world();
    try {
      emu.driver.addHmacKey(user, "key-1", "secret-1");
      const headers = { "X-MBX-APIKEY": "key-1" };
      const ok = await post(
        emu,
        "/fapi/v1/order",
        signedV1Text(ORDER, "secret-1", Date.now(), 5000),
        headers,
      );
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.equal(ok.json.status, "NEW");
      const wrong = await post(
        emu,
        "/fapi/v1/order",
        signedV1Text(ORDER, "secret-2", Date.now(), 5000),
        headers,
      );
      assert.deepEqual([wrong.status, wrong.json.code], [400, -1022]);
      const stale = await post(
        emu,
        "/fapi/v1/order",
        signedV1Text(ORDER, "secret-1", Date.now() - 10_000, 5000),
        headers,
      );
      assert.deepEqual([stale.status, stale.json.code], [400, -1021]);
      const wide = await post(
        emu,
        "/fapi/v1/order",
        signedV1Text(ORDER, "secret-1", Date.now(), 70_000),
        headers,
      );
      assert.deepEqual([wide.status, wide.json.code], [400, -1131]);
      const noKey = await post(emu, "/fapi/v1/order", signedV1Text(ORDER, "secret-1", Date.now(), 5000));
      assert.deepEqual([noKey.status, noKey.json.code], [401, -2014]);
      assert.equal(emu.driver.orders(user).length, 1);
    } finally {
      await emu.close();
    }
  });
});

describe("aster emulator: WebSocket", () => {
  it("closes a connection that sends more than 10 messages a second", async () => {
    const emu = await startAsterEmulator({ scheduledFunding: false });
    try {
      const ws = new WebSocket(`${emu.wsUrl}/stream`);
      await new Promise((r) => ws.addEventListener("open", r, { once: true }));
      const closed = new Promise<number>((r) =>
        ws.addEventListener("close", (e) => r(e.code), { once: true }),
      );
      for (let i = 0; i < 12; i++)
        ws.send(JSON.stringify({ method: "SUBSCRIBE", params: [`s${i}@trade`], id: i }));
      assert.equal(await closed, 1008);
      assert.equal(emu.driver.floodClosures(), 1);
    } finally {
      await emu.close();
    }
  });
});

describe("aster emulator: limits", () => {
  it("REQUEST_WEIGHT per IP: over the minute's budget is HTTP 429 -1003, the used weight in a header", async () => {
    const emu = await startAsterEmulator({ scheduledFunding: false, ipWeightPerMinute: 12 });
    try {
      const statuses: number[] = [];
      let header: string | null = null;
      for (let i = 0; i < 3; i++) {
        // depth with limit 100 weighs 5: two fit in 12, the third does not
        const res = await fetch(
          `${emu.url}/fapi/v3/depth?${paramString([
            ["symbol", "BTCUSDT"],
            ["limit", 100],
          ])}`,
        );
        statuses.push(res.status);
        header = res.headers.get("x-mbx-used-weight-1m");
        const body = (await res.json()) as { code?: number };
        if (res.status === 429) assert.equal(body.code, -1003);
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.equal(header, "10");
    } finally {
      await emu.close();
    }
  });

  it("an IP that keeps sending after 429s is banned: HTTP 418 until the ban ends, whatever the weight", async () => {
    const emu = await startAsterEmulator({
      scheduledFunding: false,
      ipWeightPerMinute: 2,
      banAfter429s: 2,
      banMs: 300,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${emu.url}/fapi/v3/ping`)).status);
      assert.deepEqual(statuses, [200, 200, 429, 429, 429, 418]);
      await new Promise((r) => setTimeout(r, 350));
      assert.equal(
        (await fetch(`${emu.url}/fapi/v3/ping`)).status,
        429,
        "the ban ended; the weight is still spent",
      );
    } finally {
      await emu.close();
    }
  });

  it("ORDERS per account: the third order in a minute is HTTP 429 -1015 and is not placed", async () => {
    const { emu, id } = await world({ ordersPerMinute: 2 });
    try {
      const codes: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await post(emu, "/fapi/v3/order", await signedV3Text(ORDER, id, nowUs() + i));
        codes.push(r.status === 200 ? 200 : r.json.code);
      }
      assert.deepEqual(codes, [200, 200, -1015]);
      assert.equal(emu.driver.orders(id.user).length, 2);
    } finally {
      await emu.close();
    }
  });

  it("refusals in the venue's codes: unknown symbol, tick size, duplicate client id, post-only crossing", async () => {
    const { emu, id } = await world();
    try {
      emu.driver.setBook({ symbol: "BTCUSDT", bidPx: 59_999.9, askPx: 60_000, qty: 1 });
      const send = async (over: Record<string, string>) => {
        const params = ORDER.map(([k, v]) => [k, over[k] ?? v] as [string, string]);
        for (const [k, v] of Object.entries(over)) if (!params.some(([n]) => n === k)) params.push([k, v]);
        return (await post(emu, "/fapi/v3/order", await signedV3Text(params, id, nowUs()))).json;
      };
      assert.equal((await send({ symbol: "NOPEUSDT" })).code, -1121);
      assert.equal((await send({ price: "59000.05" })).code, -4014);
      assert.equal((await send({ newClientOrderId: "dup-1" })).status, "NEW");
      assert.equal((await send({ newClientOrderId: "dup-1" })).code, -4116);
      assert.equal((await send({ newClientOrderId: "bad id!" })).code, -1100);
      assert.equal((await send({ timeInForce: "GTX", price: "60000.0" })).code, -5022);
    } finally {
      await emu.close();
    }
  });
});
