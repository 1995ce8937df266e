import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WebSocketServer } from "ws";
import { WallClock } from "../../core/clock.ts";
import { ParadexConfigSchema } from "./config.ts";
import { startParadexEmulator } from "./emulator/start.ts";
import { BOOK_CHANNEL_SUFFIX } from "./public-feed.ts";
import { ParadexVenue } from "./venue.ts";

/**
 * A stream message that does not parse is dropped and reported as a venue notice naming the
 * channel and the field; the socket goes on and the next good message is read. REST from the
 * emulator, the socket from a WebSocket server of this test on 127.0.0.1 sending what it says.
 */
test("paradex: a book message that does not parse is a notice naming channel and field; the next one is read", async () => {
  const emu = await startParadexEmulator({ scheduledFunding: false });
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const port = (wss.address() as AddressInfo).port;
  const channel = `order_book.BTC-USD-PERP${BOOK_CHANNEL_SUFFIX}`;
  const book = (price: unknown) =>
    JSON.stringify({
      jsonrpc: "2.0",
      method: "subscription",
      params: {
        channel,
        data: {
          seq_no: 1,
          market: "BTC-USD-PERP",
          last_updated_at: 1_764_547_200_000,
          update_type: "s",
          inserts: [
            { side: "BUY", price, size: "1" },
            { side: "SELL", price: "60000.1", size: "1" },
          ],
          updates: [],
          deletes: [],
        },
      },
    });
  wss.on("connection", (ws) => {
    ws.on("message", (raw) => {
      const m = JSON.parse(raw.toString()) as { id: number };
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: m.id, result: { channel } }));
      ws.send(book(59_999.9));
      ws.send(book("59999.9"));
    });
  });
  const venue = new ParadexVenue(
    ParadexConfigSchema.parse({ rest_url: emu.url, ws_url: `ws://127.0.0.1:${port}` }),
    new WallClock(),
  );
  try {
    await venue.connect();
    const seen: number[] = [];
    venue.onMarket((e) => {
      if (e.type === "book") seen.push(e.bids[0]?.price ?? Number.NaN);
    });
    venue.subscribe({ channel: "book", symbol: "BTC-USD-PERP" });
    const end = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, [59_999.9], "the good message after the bad one is read");
    assert.deepEqual(venue.notices(), [
      {
        venue: "paradex",
        key: `payload:${channel}`,
        text: `a ${channel} message was dropped: paradex: ${channel} did not parse at inserts.0.price: Invalid input: expected string, received number`,
      },
    ]);
  } finally {
    await venue.close();
    await new Promise<void>((r) => wss.close(() => r()));
    await emu.close();
  }
});
