import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type WebSocket, WebSocketServer } from "ws";
import { WallClock } from "../../core/clock.ts";
import type { StreamStatusChange } from "../../core/venue-streams.ts";
import { marketsFromMeta } from "./instruments.ts";
import { MarketStreams } from "./market-streams.ts";
import { HlWs } from "./ws.ts";

/**
 * The WebSocket transport against a real `ws` server on 127.0.0.1 speaking Hyperliquid's framing
 * (VENUES.md §1.5): subscriptionResponse, channel messages, pong; the server cuts sockets and
 * falls silent to rehearse a drop and a stale stream.
 */
interface Conn {
  readonly socket: WebSocket;
  readonly received: { method: string; subscription?: { type: string; coin?: string } }[];
}

let server: WebSocketServer;
let url: string;
const conns: Conn[] = [];
/** answer pings (a dead server does not) */
let answerPings = true;

before(async () => {
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => server.once("listening", () => r()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  server.on("connection", (socket) => {
    const c: Conn = { socket, received: [] };
    conns.push(c);
    socket.on("message", (raw) => {
      const m = JSON.parse(raw.toString()) as Conn["received"][number];
      c.received.push(m);
      if (m.method === "ping" && answerPings) socket.send(JSON.stringify({ channel: "pong" }));
      if (m.method === "subscribe")
        socket.send(
          JSON.stringify({
            channel: "subscriptionResponse",
            data: { method: "subscribe", subscription: m.subscription },
          }),
        );
    });
  });
});
after(async () => {
  for (const c of conns) c.socket.terminate();
  await new Promise<void>((r) => server.close(() => r()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
const last = () => conns[conns.length - 1];
const book = (coin: string, px: string) =>
  JSON.stringify({
    channel: "l2Book",
    data: {
      coin,
      time: Date.now(),
      levels: [[{ px, sz: "1.5", n: 2 }], [{ px: String(Number(px) + 1), sz: "2", n: 1 }]],
    },
  });

describe("hyperliquid ws transport", () => {
  it("subscribes once per subscription, routes by channel and coin, pings, reconnects and resubscribes", async (t) => {
    const clock = new WallClock();
    const ws = new HlWs({ url, clock, pingMs: 100, minBackoffMs: 20, maxBackoffMs: 200 });
    t.after(() => ws.close());
    const states: boolean[] = [];
    ws.onState((up) => states.push(up));
    assert.equal(await ws.start(2000), true);
    const btc: unknown[] = [];
    const eth: unknown[] = [];
    const stopBtc = ws.subscribe({ type: "l2Book", coin: "BTC" }, (d) => btc.push(d));
    const stopBtc2 = ws.subscribe({ type: "l2Book", coin: "BTC" }, () => {});
    ws.subscribe({ type: "l2Book", coin: "ETH" }, (d) => eth.push(d));
    const first = last();
    await until("two subscribes", () => first.received.filter((m) => m.method === "subscribe").length === 2);
    await until("confirmed", () => ws.isLive({ type: "l2Book", coin: "BTC" }));
    first.socket.send(book("BTC", "97000"));
    first.socket.send(book("ETH", "3400"));
    await until("routed", () => btc.length === 1 && eth.length === 1);
    assert.equal((btc[0] as { coin: string }).coin, "BTC");
    assert.ok(ws.lastMessageTs({ type: "l2Book", coin: "BTC" })! > 0);
    await until("a ping", () => first.received.some((m) => m.method === "ping"));

    // the network cuts the socket: the client reconnects and sends every held subscription again
    first.socket.terminate();
    await until("reconnected", () => conns.length >= 2 && ws.up);
    const second = last();
    await until("resubscribed", () => second.received.filter((m) => m.method === "subscribe").length === 2);
    assert.deepEqual(
      second.received
        .filter((m) => m.method === "subscribe")
        .map((m) => m.subscription?.coin)
        .sort(),
      ["BTC", "ETH"],
    );
    assert.deepEqual(states.slice(0, 3), [true, false, true]);
    second.socket.send(book("BTC", "97001"));
    await until("data after the reconnect", () => btc.length === 2);

    // counted: the second holder keeps it; the last one out unsubscribes
    stopBtc();
    await sleep(50);
    assert.equal(second.received.filter((m) => m.method === "unsubscribe").length, 0);
    stopBtc2();
    await until("unsubscribe", () => second.received.some((m) => m.method === "unsubscribe"));
    await ws.close();
    assert.equal(ws.up, false);
    const n = conns.length;
    await sleep(100);
    assert.equal(conns.length, n, "no reconnect after close()");
  });

  it("a socket silent past the dead window (no pong) is reopened", async () => {
    answerPings = false;
    try {
      const ws = new HlWs({ url, clock: new WallClock(), pingMs: 50, deadAfterMs: 120, minBackoffMs: 20 });
      await ws.start(2000);
      const n = ws.connects;
      await until("reopened", () => ws.connects > n, 3000);
      await ws.close();
    } finally {
      answerPings = true;
    }
  });

  it("market streams: ready, stale after the window with an event, recovered when data returns", async (t) => {
    const clock = new WallClock();
    const ws = new HlWs({ url, clock, pingMs: 1000, minBackoffMs: 20 });
    const markets = marketsFromMeta("hl", { universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40 }] });
    const streams = new MarketStreams({ venueId: "hl", clock, ws, staleAfterMs: 300, markets });
    const changes: StreamStatusChange[] = [];
    streams.onStatus((c) => changes.push(c));
    const seen: string[] = [];
    streams.onMarket((e) => seen.push(e.type));
    await ws.start(2000);
    streams.start();
    t.after(async () => {
      streams.stop();
      await ws.close();
    });
    const stop = streams.subscribe({ symbol: "BTC", channel: "book" });
    const c = last();
    await until("subscribed", () => c.received.some((m) => m.method === "subscribe"));
    c.socket.send(book("BTC", "97000"));
    await until("a book event", () => seen.includes("book"));
    const status = () => streams.streams().find((s) => s.stream === "book:BTC")!;
    assert.deepEqual([status().ready, status().stale], [true, false]);
    assert.equal(streams.book("BTC").bestBidTicks(), 970_000);
    assert.equal(streams.book("BTC").bestAskTicks(), 970_010);
    await until("stale", () => status().stale, 2000);
    await until("a stale event", () =>
      changes.some((x) => x.stream === "book:BTC" && x.stale && x.ready && x.venue === "hl"),
    );
    c.socket.send(book("BTC", "97002"));
    await until("recovered", () => !status().stale);
    assert.equal(changes.at(-1)?.stale, false);
    // a drop is stale at once (not ready)
    c.socket.terminate();
    await until("dropped", () => !status().ready && status().stale);
    await until("a drop event", () => changes.some((x) => x.stream === "book:BTC" && !x.ready));
    stop();
  });
});
