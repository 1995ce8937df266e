import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WebSocketServer } from "ws";
import { WallClock } from "../../core/clock.ts";
import { BackpackConfigSchema } from "./config.ts";
import { startBackpackEmulator } from "./emulator/start.ts";
import { BackpackVenue } from "./venue.ts";

/**
 * A market stream message that does not parse is dropped and reported as a venue notice naming
 * the stream and the field; the socket and the process go on, and the next good message is read
 * (times as digit strings, ccxt's captured form, are good). REST from the emulator, the stream
 * from a WebSocket server of this test on 127.0.0.1 that sends what the test says.
 */
test("backpack: a stream message that does not parse is a notice naming stream and field; the next one is read", async () => {
  const emu = await startBackpackEmulator({ scheduledFunding: false });
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const port = (wss.address() as AddressInfo).port;
  const mark = (E: unknown, p: unknown) =>
    JSON.stringify({
      stream: "markPrice.BTC_USDC_PERP",
      data: { e: "markPrice", E, s: "BTC_USDC_PERP", p, f: "0.0001", i: "61000" },
    });
  wss.on("connection", (ws) => {
    ws.on("message", () => {
      // after the SUBSCRIBE: a bad price, then a good mark with its time as digits
      ws.send(mark(1735689600000000, 61000));
      ws.send(mark("1735689601000000", "61234.5"));
    });
  });
  const venue = new BackpackVenue(
    BackpackConfigSchema.parse({ rest_url: emu.url, ws_url: `ws://127.0.0.1:${port}` }),
    new WallClock(),
  );
  try {
    await venue.connect();
    const seen: number[] = [];
    venue.onMarket((e) => {
      if (e.type === "mark") seen.push(e.markPrice);
    });
    venue.subscribe({ channel: "mark", symbol: "BTC_USDC_PERP" });
    const end = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, [61234.5], "the good message after the bad one is read");
    assert.equal(venue.markPrice("BTC_USDC_PERP"), 61234.5);
    assert.deepEqual(venue.notices(), [
      {
        venue: "backpack",
        key: "payload:markPrice.BTC_USDC_PERP",
        text: "a markPrice.BTC_USDC_PERP message was dropped: backpack: markPrice.BTC_USDC_PERP did not parse at p: Invalid input: expected string, received number",
      },
    ]);
  } finally {
    await venue.close();
    await new Promise<void>((r) => wss.close(() => r()));
    await emu.close();
  }
});
