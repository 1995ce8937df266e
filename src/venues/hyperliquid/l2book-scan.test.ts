import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { WallClock } from "../../core/clock.ts";
import { L2Book } from "../../data/book.ts";
import { marketsFromMeta } from "./instruments.ts";
import { scanL2Book } from "./l2book-scan.ts";
import { MarketStreams } from "./market-streams.ts";
import { HlWs } from "./ws.ts";

/** The direct l2Book reader gives what JSON.parse and Number give, or steps aside. */
const asJson = (text: string) => {
  const d = JSON.parse(text).data as {
    coin: string;
    time?: number;
    levels: { px: string; sz: string; n: number }[][];
  };
  const side = (i: number) => d.levels[i].map((l) => ({ price: Number(l.px), size: Number(l.sz) }));
  return { scanned: true, coin: d.coin, time: d.time, bids: side(0), asks: side(1) };
};

const FILE = join(
  process.env.PERPBOT_SHARED_DATA ?? join(import.meta.dirname, "..", "..", "..", "..", "shared", "data"),
  "hyperliquid-btcusd_20250126.gz",
);

const recorded = () =>
  gunzipSync(readFileSync(FILE))
    .toString("utf8")
    .split("\n")
    .map((l) => l.slice(l.indexOf(" ") + 1))
    .filter((l) => l.startsWith('{"channel":"l2Book"'));

/** every level of both sides, touch outward, as [ticks, size] */
const ladder = (b: { walk: L2Book["walk"] }) => {
  const out: Record<"bid" | "ask", [number, number][]> = { bid: [], ask: [] };
  for (const side of ["bid", "ask"] as const)
    b.walk(side, (t, s) => {
      out[side].push([t, s]);
      return true;
    });
  return out;
};

describe("l2Book direct reader", () => {
  it("reads every recorded l2Book line exactly as JSON.parse + Number do", (t) => {
    if (!existsSync(FILE)) {
      t.skip(`${FILE} absent (set PERPBOT_SHARED_DATA)`);
      return;
    }
    const lines = recorded();
    assert.ok(lines.length > 40, `${lines.length} lines`);
    for (const line of lines) assert.deepEqual(scanL2Book(line), asJson(line));
  });

  it("builds, line after line, the same book as the peer path (JSON.parse → Number → L2Book.apply)", (t) => {
    if (!existsSync(FILE)) {
      t.skip(`${FILE} absent (set PERPBOT_SHARED_DATA)`);
      return;
    }
    const clock = new WallClock();
    const ws = new HlWs({ url: "ws://127.0.0.1:9/ws", clock });
    const markets = marketsFromMeta("hyperliquid", {
      universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40 }],
    });
    const streams = new MarketStreams({ venueId: "hyperliquid", clock, ws, staleAfterMs: 15_000, markets });
    streams.subscribe({ channel: "book", symbol: "BTC" });
    const ours = streams.book("BTC");
    // the bench's nktkas listener: the venue's levels, as numbers, applied as a snapshot
    const peer = new L2Book(markets.get("BTC")!.instrument);
    const lines = recorded();
    assert.ok(lines.length > 40, `${lines.length} lines`);
    for (const [n, line] of lines.entries()) {
      ws.receive(line);
      const d = asJson(line);
      peer.apply({
        type: "book",
        venue: "hyperliquid",
        symbol: "BTC",
        ts: d.time ?? 0,
        snapshot: true,
        bids: d.bids,
        asks: d.asks,
      });
      const mine = ladder(ours);
      assert.deepEqual(mine, ladder(peer), `line ${n}`);
      assert.equal(mine.bid.length, d.bids.length, `line ${n}: every bid level is in the book`);
      assert.equal(mine.ask.length, d.asks.length, `line ${n}: every ask level is in the book`);
      assert.equal(ours.lastUpdateTs, peer.lastUpdateTs, `line ${n}`);
    }
  });

  it("reads keys in any order, empty sides, integers and long fractions to the same doubles", () => {
    const text =
      '{"channel":"l2Book","data":{"time":1737918843893,"levels":[[{"sz":"0.00000001","n":1,"px":"0.1"},{"px":"123456789.123456","sz":"7","n":12}],[]],"coin":"kPEPE"}}';
    assert.deepEqual(scanL2Book(text), asJson(text));
    assert.equal(scanL2Book(text)?.bids[1].price, 123456789.123456);
  });

  it("steps aside (undefined) for any other form, so the caller parses JSON", () => {
    const ok =
      '{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[{"px":"1.5","sz":"2","n":1}],[]]}}';
    assert.ok(scanL2Book(ok));
    const variants = [
      ok.replace('"coin":"BTC"', '"coin": "BTC"'), // whitespace
      ok.replace('"px":"1.5"', '"px":"1.5e3"'), // exponent
      ok.replace('"px":"1.5"', '"px":"-1.5"'), // sign
      ok.replace('"px":"1.5"', '"px":"1."'), // a point without digits
      ok.replace('"px":"1.5"', '"px":"1234567890.1234567"'), // more than 15 digits
      ok.replace('"coin":"BTC"', '"coin":"B\\u0054C"'), // an escape
      ok.replace('"coin":"BTC"', '"coin":"BTÇ"'), // not ASCII (bytes and characters part)
      ok.replace('"px":"1.5"', '"px":"1.\uff15"'), // a fullwidth digit
      ok.replace('"n":1}', '"n":1,"extra":2}'), // another key
      ok.replace('"time":1,', '"time":1,"spread":"0.1",'),
      ok.replace('"levels":[[', '"levels":[[],[],['), // three sides
      ok.replace('"px":"1.5",', ""), // no price
      `${ok} `,
      ok.slice(0, -1),
      '{"channel":"trades","data":[]}',
    ];
    for (const v of variants) assert.equal(scanL2Book(v), undefined, v);
  });

  it("HlWs: both forms reach the l2Book subscription; the JSON path still takes the others", () => {
    const ws = new HlWs({ url: "ws://127.0.0.1:9/ws", clock: new WallClock() });
    const got: unknown[] = [];
    ws.subscribe({ type: "l2Book", coin: "BTC" }, (d) => got.push(d));
    const direct =
      '{"channel":"l2Book","data":{"coin":"BTC","time":5,"levels":[[{"px":"2","sz":"1","n":1}],[]]}}';
    const spaced = direct.replace('"time":5', '"time": 6');
    ws.receive(direct);
    ws.receive(spaced);
    ws.receive(direct.replace('"BTC"', '"ETH"')); // not subscribed: dropped
    assert.equal(got.length, 2);
    assert.deepEqual((got[0] as { bids: unknown }).bids, [{ price: 2, size: 1 }]);
    assert.deepEqual((got[1] as { time: number; levels: unknown }).time, 6);
    assert.deepEqual((got[1] as { levels: unknown }).levels, [[{ px: "2", sz: "1", n: 1 }], []]);
  });
});
