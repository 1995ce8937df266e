import assert from "node:assert/strict";
import { test } from "node:test";
import ccxt from "ccxt";
import { SDK_ACCOUNT } from "../fixtures/vectors.ts";
import { startExtendedEmulator } from "./start.ts";

/**
 * "A correctly signed request from any standard client of that venue must be accepted": ccxt's
 * own Extended client (its signer and settlement hash, its default builder fee folded into the
 * signed fee, its millisecond nonce) places and cancels an order on the emulator over HTTP.
 */
test("ccxt's Extended client places and cancels an order on the emulator", async () => {
  const emu = await startExtendedEmulator({ scheduledFunding: false });
  try {
    const apiKey = "ccxt-client-key-1";
    emu.driver.addAccount({ apiKey, vault: SDK_ACCOUNT.vault, starkKey: SDK_ACCOUNT.publicKey, usd: 10_000 });
    emu.driver.setBook({ symbol: "BTC-USD", bidPx: 59_990, askPx: 60_010, qty: 1 });
    const ex = new ccxt.extended({ apiKey, privateKey: SDK_ACCOUNT.privateKey });
    (ex.urls as unknown as { api: { rest: string } }).api.rest = emu.url.replace(/\/api\/v1$/, "");
    await ex.createOrder("BTC/USDC:USDC", "limit", "buy", 0.001, 59_000, { clientOrderId: "ccxt0001" });
    const placed = emu.driver.orders(apiKey);
    assert.equal(placed.length, 1);
    assert.equal(placed[0]!.externalId, "ccxt0001");
    assert.equal(placed[0]!.status, "NEW");
    await ex.cancelOrder("", "BTC/USDC:USDC", { clientOrderId: "ccxt0001" });
    assert.equal(emu.driver.orders(apiKey)[0]!.status, "CANCELLED");
  } finally {
    await emu.close();
  }
});
