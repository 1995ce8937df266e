// biome-ignore-all lint/suspicious/noExplicitAny: JSON answers read field by field
import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { starkAmounts } from "../amounts.ts";
import { SDK_ACCOUNT, SDK_BTC_USD, SDK_ORDERS } from "../fixtures/vectors.ts";
import { MAINNET_DOMAIN, settlementExpirationS, signOrder } from "../signing.ts";
import { COLLATERAL_ID } from "./engine.ts";
import { startExtendedEmulator } from "./start.ts";
import { checkSettlementSignature, expectedOrderHash } from "./verify.ts";

const API_KEY = "emulator-test-key-1";
const key = Buffer.from(SDK_ACCOUNT.privateKey.slice(2).padStart(64, "0"), "hex");

test("the emulator's own hashing reproduces python_sdk's order ids and accepts its signatures", () => {
  for (const v of SDK_ORDERS) {
    const h = expectedOrderHash(
      {
        side: v.side,
        qty: v.qty,
        price: v.price,
        fee: v.fee,
        nonce: String(v.nonce),
        expiryEpochMillis: v.expiryEpochMillis,
      },
      SDK_BTC_USD,
      SDK_ACCOUNT.vault,
      SDK_ACCOUNT.publicKey,
      "SN_SEPOLIA",
    );
    assert.ok("hash" in h);
    assert.equal(String(h.hash), v.id, v.test);
    assert.ok(checkSettlementSignature({ r: v.r, s: v.s }, h.hash, SDK_ACCOUNT.publicKey));
    assert.ok(!checkSettlementSignature({ r: v.s, s: v.r }, h.hash, SDK_ACCOUNT.publicKey));
  }
});

async function signedBody(
  over: Record<string, unknown> = {},
  sign: Partial<{ qty: string; price: string }> = {},
) {
  const signer = signerFromKeyBytes("stark", key, "test key");
  const expiry = Date.now() + 3_600_000;
  const qty = sign.qty ?? "0.001";
  const price = sign.price ?? "59000";
  const a = starkAmounts({
    side: "BUY",
    qty,
    price,
    feeRate: "0.0005",
    syntheticResolution: 1_000_000,
    collateralResolution: 1_000_000,
  });
  const { settlement } = await signOrder(
    signer,
    {
      positionId: SDK_ACCOUNT.vault,
      baseAssetId: SDK_BTC_USD.syntheticId,
      baseAmount: a.base,
      quoteAssetId: COLLATERAL_ID,
      quoteAmount: a.quote,
      feeAssetId: COLLATERAL_ID,
      feeAmount: a.fee,
      expirationS: settlementExpirationS(expiry),
      salt: 42n,
    },
    MAINNET_DOMAIN,
  );
  return {
    id: "pbtest0001",
    market: "BTC-USD",
    type: "LIMIT",
    side: "BUY",
    qty: "0.001",
    price: "59000",
    reduceOnly: false,
    postOnly: false,
    timeInForce: "GTT",
    expiryEpochMillis: expiry,
    fee: "0.0005",
    nonce: "42",
    selfTradeProtectionLevel: "ACCOUNT",
    settlement,
    ...over,
  };
}

test("a signed order is placed; a tampered field, a foreign key or an unknown API key is refused", async () => {
  const emu = await startExtendedEmulator({ scheduledFunding: false });
  try {
    emu.driver.addAccount({
      apiKey: API_KEY,
      vault: SDK_ACCOUNT.vault,
      starkKey: SDK_ACCOUNT.publicKey,
      usd: 10_000,
    });
    emu.driver.setBook({ symbol: "BTC-USD", bidPx: 59_990, askPx: 60_010, qty: 1 });
    const post = (body: unknown, apiKey = API_KEY) =>
      fetch(`${emu.url}/user/order`, {
        method: "POST",
        headers: { "X-Api-Key": apiKey, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, any> }));
    const good = await post(await signedBody());
    assert.equal(good.status, 200, JSON.stringify(good.json));
    assert.equal(good.json.data.externalId, "pbtest0001");
    const tampered = await post({ ...(await signedBody({ id: "pbtest0002" })), price: "59001" });
    assert.deepEqual([tampered.status, tampered.json.error.code], [400, 1101]);
    const qty = await post({ ...(await signedBody({ id: "pbtest0003" })), qty: "0.002" });
    assert.equal(qty.json.error.code, 1101);
    const other = await signedBody({ id: "pbtest0004" });
    const foreign = await post({ ...other, settlement: { ...other.settlement, starkKey: "0x1234" } });
    assert.equal(foreign.json.error.code, 1100);
    const dup = await post(await signedBody());
    assert.equal(dup.json.error.code, 1134);
    const unknown = await post(await signedBody({ id: "pbtest0005" }), "not-a-key-at-all");
    assert.equal(unknown.status, 401);
    const open = await fetch(`${emu.url}/user/orders`, { headers: { "X-Api-Key": API_KEY } }).then((r) =>
      r.json(),
    );
    assert.deepEqual(
      (open as { data: { externalId: string }[] }).data.map((o) => o.externalId),
      ["pbtest0001"],
    );
  } finally {
    await emu.close();
  }
});

test("streams: a book snapshot on connect and on replacement; the account stream needs a known API key", async () => {
  const emu = await startExtendedEmulator({ scheduledFunding: false });
  try {
    emu.driver.addAccount({ apiKey: API_KEY, vault: 1, starkKey: SDK_ACCOUNT.publicKey, usd: 1000 });
    emu.driver.setBook({ symbol: "BTC-USD", bidPx: 59_990, askPx: 60_010, qty: 1, levels: 2 });
    const ws = new WebSocket(`${emu.wsUrl}/orderbooks/BTC-USD`);
    const frames: any[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on("message", (m) => {
        frames.push(JSON.parse(String(m)));
        if (frames.length === 2) resolve();
      });
      ws.on("error", reject);
      ws.on("open", () =>
        emu.driver.setBook({ symbol: "BTC-USD", bidPx: 59_990, askPx: 60_010, qty: 2, levels: 2 }),
      );
    });
    ws.close();
    assert.equal(frames[0].type, "SNAPSHOT");
    assert.equal(frames[0].data.b.length, 2);
    assert.equal(frames[1].type, "SNAPSHOT");
    assert.equal(frames[1].seq, frames[0].seq + 1);
    assert.ok(
      frames[1].data.b.every((l: { q: string }) => l.q === "2"),
      "the replaced book, whole",
    );
    const refused = await new Promise<number>((resolve) => {
      const a = new WebSocket(`${emu.wsUrl}/account`, { headers: { "X-Api-Key": "nope-nope-nope" } });
      a.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      a.on("open", () => resolve(101));
    });
    assert.equal(refused, 401);
  } finally {
    await emu.close();
  }
});
