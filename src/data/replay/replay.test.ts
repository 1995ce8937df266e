import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import { L2Book } from "../book.ts";
import { forEachLine, readLineBatches, readLineChunks } from "./lines.ts";
import { RecordedLineParser, type ReplaySource, replayRecording } from "./replay.ts";

const DATA = resolve(import.meta.dirname, "../../../../shared/data");

function parseAll(
  source: Omit<ReplaySource, "path">,
  lines: string[],
): { events: MarketEvent[]; parser: RecordedLineParser } {
  const parser = new RecordedLineParser(source);
  const events: MarketEvent[] = [];
  for (const [i, l] of lines.entries()) parser.parseLine(l, i + 1, events);
  return { events, parser };
}

const NS = "1723161255088169167";
const usdm = { format: "binance", venue: "aster" } as const;

describe("Binance-format lines", () => {
  it("parses depthUpdate, bookTicker (perp and spot), trade and aggTrade", () => {
    const { events, parser } = parseAll(usdm, [
      `${NS} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256299,"T":1723161256298,"s":"BTCUSDT","U":10,"u":20,"pu":9,"b":[["61800.20","2.507"],["61739.00","0.000"]],"a":[["61800.30","3.330"]]}}`,
      `${NS} {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":21,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}`,
      `${NS} {"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}`,
      `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}`,
      `${NS} {"e":"aggTrade","E":1723161256400,"s":"BTCUSDT","a":5,"p":"61800.20","q":"0.100","f":1,"l":2,"T":1723161256399,"m":true}`,
    ]);
    assert.equal(parser.stats.malformed, 0);
    assert.deepEqual(parser.stats.byKind, { book: 1, bbo: 2, trade: 2, funding: 0, mark: 0 });
    const ts = 1723161255088; // local receipt time, ns truncated to ms
    assert.deepEqual(events[0], {
      type: "book",
      venue: "aster",
      symbol: "BTCUSDT",
      ts,
      snapshot: false,
      bids: [
        { price: 61800.2, size: 2.507 },
        { price: 61739, size: 0 },
      ],
      asks: [{ price: 61800.3, size: 3.33 }],
    });
    assert.deepEqual(events[2], {
      type: "bbo",
      venue: "aster",
      symbol: "BTCUSDT",
      ts,
      bidPrice: 61837.63,
      bidSize: 3.78826,
      askPrice: 61837.64,
      askSize: 1.54698,
    });
    assert.equal(events[3].type === "trade" && events[3].side, "buy", "m=false: the buyer aggressed");
    assert.equal(events[4].type === "trade" && events[4].side, "sell", "m=true: the seller aggressed");
  });

  it("stamps exchange time when asked, and normalises markPriceUpdate funding to per hour", () => {
    const { events } = parseAll({ ...usdm, timestamps: "exchange", fundingIntervalHours: 8 }, [
      `${NS} {"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15","i":"11784.62","P":"11784.25","r":"0.00038167","T":1562306400000}`,
    ]);
    assert.deepEqual(events, [
      {
        type: "mark",
        venue: "aster",
        symbol: "BTCUSDT",
        ts: 1562305380000,
        markPrice: 11794.15,
        oraclePrice: 11784.62,
      },
      { type: "funding", venue: "aster", symbol: "BTCUSDT", ts: 1562305380000, ratePerHour: 0.00038167 / 8 },
    ]);
  });

  it("seeds the book from a recorded REST snapshot and re-applies newer diffs received before it", () => {
    const diff = (U: number, u: number, bid: string) =>
      `${NS} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":${U},"u":${u},"pu":${U - 1},"b":[["${bid}","1.000"]],"a":[]}}`;
    const { events, parser } = parseAll(usdm, [
      diff(1, 5, "100.0"), // older than the snapshot: contained in it
      diff(6, 9, "101.0"), // newer: must be applied on top of the snapshot
      `${NS} {"lastUpdateId":7,"E":2,"T":2,"bids":[["99.0","2.000"]],"asks":[["102.0","3.000"]]}`,
      diff(10, 12, "101.5"), // follows on
      diff(5, 6, "90.0"), // stale: dropped
      diff(20, 22, "101.6"), // a gap: counted
    ]);
    const books = events.filter((e) => e.type === "book");
    assert.equal(books[2].type === "book" && books[2].snapshot, true);
    assert.deepEqual(
      books.slice(3).map((b) => b.type === "book" && b.bids[0].price),
      [101, 101.5, 101.6],
    );
    assert.equal(parser.stats.ignored, 1);
    assert.equal(parser.stats.sequenceGaps, 1);
  });

  it("counts malformed lines with their numbers and carries on", () => {
    const { events, parser } = parseAll(usdm, [
      "garbage",
      `${NS} {"stream":"btcusdt@trade","data":{"e":"trade"`,
      `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","p":"abc","q":"1","m":true}}`,
      `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":1,"u":2,"b":[["1.0"]],"a":[]}}`,
      `${NS} {"stream":"btcusdt@kline_1m","data":{"e":"kline","s":"BTCUSDT"}}`,
      `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true}}`,
    ]);
    assert.equal(parser.stats.lines, 6);
    assert.equal(parser.stats.malformed, 4);
    assert.deepEqual(
      parser.stats.malformedLines.map((m) => m.line),
      [1, 2, 3, 4],
    );
    assert.match(parser.stats.malformedLines[0].reason, /timestamp/);
    assert.match(parser.stats.malformedLines[1].reason, /invalid JSON/);
    assert.match(parser.stats.malformedLines[2].reason, /"p" should be a number, got "abc"/);
    assert.match(parser.stats.malformedLines[3].reason, /depthUpdate.b\[0\]: bad level/);
    assert.equal(parser.stats.ignored, 1);
    assert.equal(events.length, 1);
  });

  it("maps symbols and skips the unmapped ones", () => {
    const line = (s: string) => `${NS} {"e":"trade","s":"${s}","p":"1.5","q":"1","m":false}`;
    const { events, parser } = parseAll({ ...usdm, symbols: { BTCUSDT: "BTC-PERP" } }, [
      line("BTCUSDT"),
      line("ETHUSDT"),
    ]);
    assert.deepEqual(
      events.map((e) => e.symbol),
      ["BTC-PERP"],
    );
    assert.equal(parser.stats.ignored, 1);
  });
});

describe("Hyperliquid lines", () => {
  const hl = { format: "hyperliquid", venue: "hyperliquid", symbols: { BTC: "BTC" } } as const;
  it("parses l2Book snapshots, trades and activeAssetCtx", () => {
    const { events, parser } = parseAll(hl, [
      `1737918843893903000 {"channel":"l2Book","data":{"coin":"BTC","levels":[[{"n":5,"px":"105055.0","sz":"3.03622"},{"n":1,"px":"105054.0","sz":"0.1428"}],[{"n":13,"px":"105056.0","sz":"6.34472"}]],"time":1737918843542}}`,
      `1737918844167767000 {"channel":"trades","data":[{"coin":"BTC","hash":"0xde","px":"105056.0","side":"B","sz":"0.00219","tid":1,"time":1737918794873,"users":["0xa","0xb"]},{"coin":"BTC","px":"105055.0","side":"A","sz":"0.00035","tid":2,"time":1737918797023}]}`,
      `1737918844200000000 {"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"funding":"0.0000125","markPx":"105050.0","oraclePx":"105061.0"}}}`,
      `1737918844300000000 {"channel":"subscriptionResponse","data":{"method":"subscribe"}}`,
      `1737918844400000000 {"channel":"trades","data":[{"coin":"BTC","px":"1","side":"X","sz":"1"}]}`,
    ]);
    assert.deepEqual(parser.stats.byKind, { book: 1, trade: 2, bbo: 0, funding: 1, mark: 1 });
    assert.equal(parser.stats.ignored, 1);
    assert.deepEqual(parser.stats.malformedLines, [
      { line: 5, reason: 'trades[0]: side "X" is not "A" or "B"' },
    ]);
    const book = events[0];
    assert.ok(book.type === "book" && book.snapshot);
    assert.deepEqual(book.bids, [
      { price: 105055, size: 3.03622 },
      { price: 105054, size: 0.1428 },
    ]);
    assert.deepEqual(
      events.filter((e) => e.type === "trade").map((e) => e.type === "trade" && e.side),
      ["buy", "sell"],
    );
    const funding = events.find((e) => e.type === "funding");
    assert.equal(funding?.type === "funding" && funding.ratePerHour, 0.0000125);
  });
});

describe("readLineBatches", () => {
  it("splits gzipped input across chunk boundaries, with CRLF and no final newline", async () => {
    // long enough that the 64-byte gunzip chunks cut lines in the middle
    const text = `1 a\r\n\n2 ${"b".repeat(100)}\n3 ccc`;
    const gz = gzipSync(text);
    // feed the raw file in 3-byte chunks through the same gunzip path as a file
    const { createGunzip } = await import("node:zlib");
    const chunks: Buffer[] = [];
    for (let i = 0; i < gz.length; i += 3) chunks.push(gz.subarray(i, i + 3));
    const lines: string[] = [];
    for await (const batch of readLineBatches(Readable.from(chunks).pipe(createGunzip({ chunkSize: 64 }))))
      lines.push(...batch);
    assert.deepEqual(lines, ["1 a", `2 ${"b".repeat(100)}`, "3 ccc"]);
  });
});

describe("readLineChunks", () => {
  it("yields whole lines only, whatever the chunking", async () => {
    const line = fc.oneof(
      fc.constant(""),
      fc.string({ unit: fc.constantFrom(...'ab {}"é\r'), maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        async (ls, final, size) => {
          const text = ls.join("\n") + (final ? "\n" : "");
          const bytes = Buffer.from(text, "utf8");
          const chunks: Buffer[] = [];
          for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
          const got: string[] = [];
          const endsLine: boolean[] = [];
          for await (const chunk of readLineChunks(Readable.from(chunks))) {
            endsLine.push(chunk[chunk.length - 1] === 10);
            forEachLine(chunk, (b, s, e) => {
              got.push(b.toString("utf8", s, e));
            });
          }
          // every chunk ends a line, but the last when the input has no final newline
          assert.deepEqual(
            endsLine,
            endsLine.map((_, i) => i < endsLine.length - 1 || text.endsWith("\n")),
          );
          const want = text
            .split("\n")
            .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l))
            .filter((l) => l !== "");
          assert.deepEqual(got, want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("recorded files in ../shared/data", () => {
  const cases = [
    {
      file: "usdm-btcusdt_20240808.gz",
      format: "binance",
      tick: "0.1",
      kinds: { book: 6554, trade: 21313, bbo: 66089 },
    },
    {
      file: "usdm-ethusdt_20240808.gz",
      format: "binance",
      tick: "0.01",
      kinds: { book: 6588, trade: 14076, bbo: 53992 },
    },
    {
      file: "spot-btcusdt_20240808.gz",
      format: "binance",
      tick: "0.01",
      kinds: { book: 3453, trade: 9757, bbo: 28040 },
    },
    {
      file: "hyperliquid-btcusd_20250126.gz",
      format: "hyperliquid",
      tick: "1",
      kinds: { book: 46, trade: 64, bbo: 0 },
    },
  ] as const;
  for (const c of cases) {
    it(`${c.file}: every line parses, books stay uncrossed, time never goes back`, async (t) => {
      const path = join(DATA, c.file);
      if (!existsSync(path)) {
        t.skip("../shared/data absent");
        return;
      }
      const books = new Map<string, L2Book>();
      let lastTs = 0;
      let crossed = 0;
      const stats = await replayRecording({ path, format: c.format, venue: "rec" }, (events) => {
        for (const e of events) {
          assert.ok(e.ts >= lastTs, `time went back: ${e.ts} < ${lastTs}`);
          lastTs = e.ts;
          if (e.type !== "book") continue;
          let book = books.get(e.symbol);
          if (book === undefined) {
            book = new L2Book(instrument(e.symbol, c.tick));
            books.set(e.symbol, book);
          }
          book.apply(e); // throws on an off-grid price
          if (book.isCrossed()) crossed++;
        }
      });
      assert.equal(stats.malformed, 0, JSON.stringify(stats.malformedLines.slice(0, 3)));
      assert.equal(stats.sequenceGaps, 0);
      assert.deepEqual(
        { book: stats.byKind.book, trade: stats.byKind.trade, bbo: stats.byKind.bbo },
        { ...c.kinds },
      );
      assert.equal(crossed, 0);
      assert.equal(books.size, 1);
      for (const book of books.values())
        assert.ok(book.levelCount("bid") > 10 && book.levelCount("ask") > 10);
    });
  }
});

function instrument(symbol: string, tickSize: string): Instrument {
  return new Instrument({
    venue: "rec",
    symbol,
    base: "BTC",
    quote: "USD",
    tickSize,
    lotSize: "0.00001",
    minNotionalUsd: 0,
    maxLeverage: 50,
    marginTiers: [],
    fundingIntervalHours: 8,
    makerFeeBps: 0,
    takerFeeBps: 0,
  });
}
