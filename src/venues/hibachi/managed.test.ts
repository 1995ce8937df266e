import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { hmacOnlySigner } from "../../wallets/signer.ts";
import { HibachiClient } from "./client.ts";
import { startHibachiEmulator } from "./emulator/start.ts";
import { HibachiHttp, HibachiRejectError } from "./http.ts";

test("a managed account signs through its HMAC-only signer: the emulator's verifier takes the right secret and refuses another", async () => {
  const emu = await startHibachiEmulator({ ordersPerSecond: 1000 });
  try {
    const secret = "bWFuYWdlZC1zZWNyZXQtdGV4dC0yMDI2LTEyLTAxLXh4eHg=";
    emu.driver.addAccount({
      accountId: 301,
      apiKey: "key-301",
      key: { kind: "managed", secret },
      usdt: 50_000,
    });
    emu.driver.setBook({ symbol: "ETH/USDT-P", bidPx: 2999, askPx: 3001, qty: 5, stepPx: 1 });
    const http = new HibachiHttp({ tradeUrl: emu.url, dataUrl: emu.url, timeoutMs: 1000 });
    const client = (text: string) =>
      new HibachiClient({
        http,
        accountId: 301,
        apiKey: "key-301",
        auth: { kind: "managed", signer: hmacOnlySigner(Buffer.from(text, "utf8"), "test") },
        clock: new WallClock(),
      });
    const right = client(secret);
    await right.loadExchangeInfo();
    const placed = await right.place({
      symbol: "ETH/USDT-P",
      side: "BID",
      quantity: "0.1",
      price: "2900",
      maxFeesPercent: "0.001",
    });
    assert.match(placed.orderId, /^\d+$/);
    assert.equal((await right.pendingOrders()).length, 1);
    const wrong = client(`${secret.slice(0, -2)}x=`);
    await wrong.loadExchangeInfo();
    await assert.rejects(
      wrong.place({
        symbol: "ETH/USDT-P",
        side: "BID",
        quantity: "0.1",
        price: "2900",
        maxFeesPercent: "0.001",
      }),
      (e: unknown) => e instanceof HibachiRejectError && e.code === "INVALID_SIGNATURE",
    );
    await right.cancel({ orderId: placed.orderId });
    assert.equal((await right.pendingOrders()).length, 0, "the cancel, HMAC-signed too, went through");
  } finally {
    await emu.close();
  }
});
