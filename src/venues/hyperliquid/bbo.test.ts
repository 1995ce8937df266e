import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WallClock } from "../../core/clock.ts";
import type { BboUpdate, MarketEvent } from "../../core/market.ts";
import { RecordedLineParser } from "../../data/replay/replay.ts";
import { readBbo } from "./bbo.ts";
import { type HyperliquidEmulator, startHyperliquidEmulator } from "./emulator/start.ts";
import { marketsFromMeta } from "./instruments.ts";
import { MarketStreams } from "./market-streams.ts";
import { MemoryNonceStore, NonceManager } from "./nonce.ts";
import { HyperliquidVenue } from "./venue.ts";
import { HlWs } from "./ws.ts";

/**
 * The `bbo` channel end to end: the emulator sends it on subscribing and when the touch moves,
 * the connector turns it into "bbo" market events and a `bbo:<coin>` stream, and a malformed
 * message is reported, not thrown.
 */
const UNIVERSE = [{ name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 97_000 }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
const bbos = (es: readonly MarketEvent[]) => es.filter((e): e is BboUpdate => e.type === "bbo");

describe("hyperliquid bbo channel against the emulator", () => {
  let emu: HyperliquidEmulator;
  let venue: HyperliquidVenue;
  const events: MarketEvent[] = [];
  const problems: string[] = [];
  before(async () => {
    emu = await startHyperliquidEmulator({ universe: UNIVERSE, hourlyFunding: false });
    emu.driver.setBook({ coin: "BTC", bidPx: 97_000, askPx: 97_001, sz: 0.5, stepPx: 1 });
    venue = new HyperliquidVenue({
      endpoints: { url: emu.url, wsUrl: emu.wsUrl, mainnet: false },
      clock: new WallClock(),
      timeoutMs: 2000,
      nonces: new NonceManager(new MemoryNonceStore()),
      onProblem: (m) => problems.push(m),
    });
    venue.onMarket((e) => events.push(e));
    await venue.connect();
  });
  after(async () => {
    await venue?.close();
    await emu?.close();
  });

  it("sends the touch on subscribing, then a bbo event with the new prices when the touch moves", async () => {
    const release = venue.subscribe({ symbol: "BTC", channel: "bbo" });
    await until("the first bbo", () => bbos(events).length >= 1);
    const first = bbos(events)[0];
    assert.equal(first.symbol, "BTC");
    assert.equal(first.venue, venue.id);
    assert.deepEqual(
      [first.bidPrice, first.bidSize, first.askPrice, first.askSize],
      [97_000, 0.5, 97_001, 0.5],
    );

    const n = bbos(events).length;
    // a change behind the touch moves no bbo; the touch change after it is the only one to arrive
    emu.driver.addLiquidity({ coin: "BTC", side: "bid", px: 96_990, sz: 3 });
    emu.driver.setBook({ coin: "BTC", bidPx: 97_010, askPx: 97_012, sz: 0.25, stepPx: 1 });
    await until("the moved touch", () => bbos(events).some((e) => e.bidPrice === 97_010));
    const moved = bbos(events).slice(n);
    assert.equal(moved.length, 1, `one bbo for one touch change, got ${JSON.stringify(moved)}`);
    assert.deepEqual(
      [moved[0].bidPrice, moved[0].bidSize, moved[0].askPrice, moved[0].askSize],
      [97_010, 0.25, 97_012, 0.25],
    );
    assert.ok(moved[0].ts >= first.ts, "the venue's time of the update");

    const s = venue.streams().find((x) => x.stream === "bbo:BTC");
    assert.ok(s, `a bbo:BTC stream in ${JSON.stringify(venue.streams())}`);
    assert.equal(s.ready, true);
    assert.equal(s.stale, false);
    assert.ok(s.lastMessageTs !== null);
    release();
    assert.equal(
      venue.streams().some((x) => x.stream === "bbo:BTC"),
      false,
      "released: the stream is gone",
    );
  });

  it("an empty side arrives as NaN price and size 0", async () => {
    const release = venue.subscribe({ symbol: "BTC", channel: "bbo" });
    const n = bbos(events).length;
    await until("the resubscribed bbo", () => bbos(events).length > n);
    emu.driver.clearBook("BTC");
    await until("the empty book", () =>
      bbos(events)
        .slice(n)
        .some((e) => Number.isNaN(e.bidPrice)),
    );
    const last = bbos(events).at(-1)!;
    assert.ok(Number.isNaN(last.askPrice));
    assert.deepEqual([last.bidSize, last.askSize], [0, 0]);
    release();
    assert.deepEqual(problems, []);
  });

  it("a malformed bbo message is reported as a problem naming the field, and the stream goes on", async () => {
    const markets = marketsFromMeta("hyperliquid", {
      universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40 }],
    });
    const clock = new WallClock();
    const ws = new HlWs({ url: emu.wsUrl, clock });
    const seen: string[] = [];
    const streams = new MarketStreams({
      venueId: "hyperliquid",
      clock,
      ws,
      staleAfterMs: 15_000,
      markets,
      problem: (m) => seen.push(m),
    });
    const got: MarketEvent[] = [];
    streams.onMarket((e) => got.push(e));
    await ws.start();
    try {
      emu.driver.setBook({ coin: "BTC", bidPx: 97_100, askPx: 97_101, sz: 1, stepPx: 1 });
      streams.subscribe({ symbol: "BTC", channel: "bbo" });
      await until("the first bbo", () => bbos(got).length >= 1);
      const n = got.length;
      ws.receive('{"channel":"bbo","data":{"coin":"BTC","time":5,"bbo":[{"px":"abc","sz":"1","n":1},null]}}');
      ws.receive('{"channel":"bbo","data":{"coin":"BTC","bbo":[null,null]}}');
      assert.equal(got.length, n, "nothing published from the bad messages");
      assert.equal(seen.length, 2, seen.join("\n"));
      assert.match(seen[0], /hyperliquid bbo BTC: bbo\.0\.px: expected a decimal string/);
      assert.match(seen[1], /hyperliquid bbo BTC: time: /);
      emu.driver.setBook({ coin: "BTC", bidPx: 97_200, askPx: 97_201, sz: 1, stepPx: 1 });
      await until("the next good bbo", () => bbos(got).some((e) => e.bidPrice === 97_200));
    } finally {
      await ws.close();
    }
  });

  it("the replay reader reads the emulator's bbo lines as the connector's events", async () => {
    const markets = marketsFromMeta("hyperliquid", {
      universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40 }],
    });
    const clock = new WallClock();
    const ws = new HlWs({ url: emu.wsUrl, clock });
    const streams = new MarketStreams({ venueId: "hyperliquid", clock, ws, staleAfterMs: 15_000, markets });
    const live: MarketEvent[] = [];
    streams.onMarket((e) => live.push(e));
    // what a recorder writes: `<ns> <text>` per message
    const lines: string[] = [];
    ws.onText((t) => {
      if (t.includes('"channel":"bbo"')) lines.push(`${Date.now()}000000 ${t}`);
    });
    await ws.start();
    try {
      emu.driver.setBook({ coin: "BTC", bidPx: 97_300, askPx: 97_301, sz: 1, stepPx: 1 });
      streams.subscribe({ symbol: "BTC", channel: "bbo" });
      await until("the first bbo", () => bbos(live).length >= 1);
      emu.driver.setBook({ coin: "BTC", bidPx: 97_305, askPx: 97_307, sz: 2, stepPx: 1 });
      await until("the moved bbo", () => bbos(live).some((e) => e.bidPrice === 97_305));
    } finally {
      await ws.close();
    }
    const parser = new RecordedLineParser({
      format: "hyperliquid",
      venue: "hyperliquid",
      timestamps: "exchange",
      bbo: true,
    });
    const replayed: MarketEvent[] = [];
    for (const [i, l] of lines.entries()) parser.parseLine(l, i + 1, replayed);
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.deepEqual(replayed, bbos(live));
    assert.equal(parser.stats.malformed, 0);
  });

  it("readBbo refuses a message for another coin and a wrong shape", () => {
    assert.throws(
      () => readBbo({ coin: "ETH", time: 1, bbo: [null, null] }, "hl", "BTC"),
      /hl bbo BTC: a message for coin "ETH"/,
    );
    assert.throws(() => readBbo({ coin: "BTC", time: 1, bbo: [null] }, "hl", "BTC"), /hl bbo BTC: bbo/);
    assert.throws(() => readBbo("x", "hl", "BTC"), /hl bbo BTC: the message: /);
  });
});
