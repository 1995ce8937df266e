import assert from "node:assert/strict";
import { test } from "node:test";
import ccxt from "ccxt";
import { SimClock } from "../../core/clock.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { JwtSession } from "./auth.ts";
import { startParadexEmulator } from "./emulator/start.ts";
import { ParadexHttp } from "./http.ts";
import { authTypedData, MAINNET_CHAIN, orderTypedData, signTyped } from "./signing.ts";
import { messageHash } from "./typed-data.ts";

/**
 * Byte-for-byte cross-check against ccxt@4.5.84 `paradex.js` (a devDependency, tests only): its
 * `signOrderRequest` hashes the Order with its own Starknet typed-data encoder and signs with
 * its own Stark curve code; for the same key, account, chain, timestamp and order, our typed
 * data (typed-data.ts), hash and signature (signing.ts through the wallet signer) must be equal.
 * Stark signatures here are deterministic (RFC 6979 nonces), so the text must match exactly.
 */
const KEY = Buffer.from("0139fe4d6f02e666e86a6f58e65060f115cd3c185bd9e98bd829636931458f79", "hex");
const ACCOUNT = "0x129f3dc1b8962d8a87abc692424c78fda963ade0e1cd17bf3d1c26f8d41ee7a";

function ccxtParadex() {
  const ex = new ccxt.paradex();
  const signer = signerFromKeyBytes("stark", KEY, "ccxt cross-check");
  ex.options.paradexAccount = {
    privateKey: `0x${KEY.toString("hex")}`,
    publicKey: `0x${signer.publicKey}`,
    address: ACCOUNT,
  };
  ex.options.systemConfig = { starknet_chain_id: MAINNET_CHAIN };
  return { ex, signer };
}

for (const o of [
  { market: "BTC-USD-PERP", side: "BUY", type: "LIMIT", size: "0.01", price: "60000.5" },
  { market: "ETH-USD-PERP", side: "SELL", type: "LIMIT", size: "1.23456789", price: "3001.07" },
  { market: "BTC-USD-PERP", side: "SELL", type: "MARKET", size: "0.5", price: "0" },
] as const) {
  test(`ccxt cross-check: ${o.side} ${o.type} ${o.size} ${o.market} is signed to the same [r, s]`, async () => {
    const { ex, signer } = ccxtParadex();
    const nowS = 1_764_547_200;
    ex.nonce = () => nowS;
    const theirs = (await ex.signOrderRequest({ ...o })) as {
      signature: string;
      signature_timestamp: number;
    };
    const td = orderTypedData(MAINNET_CHAIN, {
      timestampMs: theirs.signature_timestamp,
      market: o.market,
      side: o.side,
      orderType: o.type,
      size: o.size,
      price: o.price,
    });
    const ourHash = `0x${messageHash(td, ACCOUNT).toString(16)}`;
    const theirHash = ex.starknetEncodeStructuredData(
      { name: "Paradex", chainId: MAINNET_CHAIN, version: 1 },
      {
        Order: ["timestamp", "market", "side", "orderType", "size", "price"].map((name) => ({
          name,
          type: "felt",
        })),
      },
      {
        timestamp: theirs.signature_timestamp,
        market: ex.stringToBase16(o.market),
        side: o.side === "BUY" ? "1" : "2",
        orderType: ex.stringToBase16(o.type),
        size: ex.scaleNumber(o.size),
        price: o.type === "MARKET" ? "0" : ex.scaleNumber(o.price),
      },
      ACCOUNT,
    );
    assert.equal(BigInt(ourHash), BigInt(theirHash), "message hash");
    assert.equal(await signTyped(signer, td, ACCOUNT), theirs.signature, "signature text");
  });
}

test("ccxt cross-check: the auth Request hash matches ccxt's encoder", () => {
  const { ex } = ccxtParadex();
  const td = authTypedData(MAINNET_CHAIN, 1_764_547_200, 1_764_547_200 + 86_400);
  const theirs = ex.starknetEncodeStructuredData(
    { name: "Paradex", chainId: MAINNET_CHAIN, version: 1 },
    {
      Request: [
        { name: "method", type: "felt" },
        { name: "path", type: "felt" },
        { name: "body", type: "felt" },
        { name: "timestamp", type: "felt" },
        { name: "expiration", type: "felt" },
      ],
    },
    {
      method: "POST",
      path: "/v1/auth",
      body: "",
      timestamp: 1_764_547_200,
      expiration: 1_764_547_200 + 86_400,
    },
    ACCOUNT,
  );
  assert.equal(messageHash(td, ACCOUNT), BigInt(theirs));
});

test("the emulator accepts an order ccxt signed (any standard client, not just ours), and refuses it with a field changed", async () => {
  const clock = new SimClock(1_764_547_200_000);
  const emu = await startParadexEmulator({ now: () => clock.now() });
  try {
    const { ex, signer } = ccxtParadex();
    emu.driver.onboard(ACCOUNT, `0x${signer.publicKey}`);
    emu.driver.fund(ACCOUNT, 10_000);
    ex.nonce = () => clock.now() / 1000;
    const http = new ParadexHttp(emu.url, 3000);
    const jwt = await new JwtSession({ http, clock, signer, account: ACCOUNT, chain: MAINNET_CHAIN }).token();
    const order = {
      market: "BTC-USD-PERP",
      side: "BUY",
      type: "LIMIT",
      size: "0.01",
      price: "50000",
      instruction: "GTC",
      client_id: "ccxt1",
    };
    const signed = (await ex.signOrderRequest({ ...order })) as Record<string, unknown>;
    const placed = (await http.request({ method: "POST", path: "/orders", body: signed, jwt })) as {
      status: string;
    };
    assert.equal(placed.status, "NEW");
    const tampered = {
      ...((await ex.signOrderRequest({ ...order, client_id: "ccxt2" })) as Record<string, unknown>),
      size: "0.02",
    };
    await assert.rejects(
      http.request({ method: "POST", path: "/orders", body: tampered, jwt }),
      /INVALID_ORDER_SIGNATURE/,
    );
  } finally {
    await emu.close();
  }
});
