import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { type HibachiEmulator, startHibachiEmulator } from "./start.ts";

/**
 * The emulator's WebSocket endpoints in hibachi_sdk's shapes (api_ws_market.py subscribe
 * `{method, parameters:{subscriptions:[{symbol, topic}]}}`, messages dispatched on `topic`;
 * api_ws_account.py `stream.start` → `{id, result:{accountSnapshot, listenKey}}`, `stream.ping`
 * → `{id, status: 200}`), tested with a raw socket rather than the connector.
 */
const SYMBOL = "BTC/USDT-P";

async function withEmu(fn: (emu: HibachiEmulator) => Promise<void>) {
  const emu = await startHibachiEmulator();
  emu.driver.addAccount({
    accountId: 77,
    apiKey: "key-77",
    key: { kind: "managed", secret: "s" },
    usdt: 500,
  });
  try {
    await fn(emu);
  } finally {
    await emu.close();
  }
}

function open(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const got: Record<string, unknown>[] = [];
  ws.on("message", (raw) => got.push(JSON.parse(raw.toString())));
  const next = async (pred: (m: Record<string, unknown>) => boolean, ms = 2000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      const m = got.find(pred);
      if (m !== undefined) return m;
    }
    throw new Error(`no such message in ${JSON.stringify(got).slice(0, 500)}`);
  };
  return { ws, got, next, ready: new Promise<void>((res, rej) => ws.once("open", res).once("error", rej)) };
}

test("/ws/market: a subscription gets the current book at once, then each change; unknown topics are refused", async () => {
  await withEmu(async (emu) => {
    emu.driver.setBook({ symbol: SYMBOL, bidPx: 59_999.9, askPx: 60_000, qty: 1, levels: 2, stepPx: 0.1 });
    const c = open(`${emu.wsUrl}/ws/market`);
    await c.ready;
    c.ws.send(
      JSON.stringify({
        method: "subscribe",
        parameters: {
          subscriptions: [
            { symbol: SYMBOL, topic: "orderbook" },
            { symbol: SYMBOL, topic: "klinez" },
          ],
        },
      }),
    );
    const first = await c.next((m) => m.topic === "orderbook");
    assert.equal(first.symbol, SYMBOL);
    const data = first.data as { bid: { levels: { price: string }[] }; ask: { levels: { price: string }[] } };
    assert.equal(data.bid.levels[0].price, "59999.9");
    assert.equal(data.ask.levels[0].price, "60000");
    assert.match(
      String((await c.next((m) => m.status === 400)).error),
      /unknown subscription klinez\|BTC\/USDT-P/,
    );
    emu.driver.moveMark({ symbol: SYMBOL, markPx: 61_000 });
    assert.equal(
      c.got.some((m) => m.topic === "mark_price"),
      false,
      "mark_price was not subscribed",
    );
    emu.driver.setBook({ symbol: SYMBOL, bidPx: 60_999.9, askPx: 61_000, qty: 1, levels: 2, stepPx: 0.1 });
    await c.next(
      (m) => m.topic === "orderbook" && (m.data as typeof data).bid.levels[0]?.price === "60999.9",
    );
    c.ws.terminate();
  });
});

test("/ws/account: the API key must name the accountId; stream.start gives the snapshot and a listen key; ping answers 200", async () => {
  await withEmu(async (emu) => {
    const wrong = open(`${emu.wsUrl}/ws/account?accountId=78`, { Authorization: "key-77" });
    await assert.rejects(wrong.ready, /401/);
    const c = open(`${emu.wsUrl}/ws/account?accountId=77`, { Authorization: "key-77" });
    await c.ready;
    c.ws.send(JSON.stringify({ id: 1, method: "stream.start", params: { accountId: 77 }, timestamp: 1 }));
    const start = await c.next((m) => m.id === 1);
    const result = start.result as {
      accountSnapshot: { account_id: number; balance: string };
      listenKey: string;
    };
    assert.equal(result.accountSnapshot.account_id, 77);
    assert.equal(Number(result.accountSnapshot.balance), 500);
    assert.ok(result.listenKey.length > 0);
    c.ws.send(
      JSON.stringify({
        id: 2,
        method: "stream.ping",
        params: { accountId: 77, listenKey: result.listenKey },
      }),
    );
    assert.equal((await c.next((m) => m.id === 2)).status, 200);
    // the driver cutting the account stream closes the socket and refuses new ones until thawed
    const closed = new Promise((r) => c.ws.once("close", r));
    emu.driver.freezeStream("account");
    await closed;
    const again = open(`${emu.wsUrl}/ws/account?accountId=77`, { Authorization: "key-77" });
    await assert.rejects(again.ready, /401/, "refused while frozen");
  });
});
