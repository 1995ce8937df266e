/**
 * The byte scanner (binance-scan.ts) against the JSON.parse path: same events, same stats, same
 * books, on inline samples, on generated and mutated lines, and on every line of the recordings.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import { L2Book } from "../book.ts";
import { decimalStop, NOT_DECIMAL, parseDecimal, parseQuotedDecimal } from "./decimal.ts";
import { readLineChunks } from "./lines.ts";
import { RecordedLineParser, type ReplaySource } from "./replay.ts";

const DATA = resolve(import.meta.dirname, "../../../../shared/data");
const PLAIN_DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

const ascii = (s: string) => Buffer.from(s, "latin1");

describe("parseDecimal", () => {
  it("equals Number(text) exactly on random plain decimals", () => {
    const decimal = fc.oneof(
      fc.stringMatching(/^[0-9]{1,25}(\.[0-9]{1,25})?$/),
      // venue-like: a few integer digits, a fixed number of decimals, often trailing zeros
      fc
        .tuple(fc.integer({ min: 0, max: 200_000 }), fc.nat(99_999_999), fc.integer({ min: 0, max: 8 }))
        .map(([i, f, k]) => (k === 0 ? `${i}` : `${i}.${String(f).padStart(8, "0").slice(0, k)}`)),
      fc.double({ min: 0, max: 1e9, noNaN: true }).map((d) => d.toFixed(Math.floor(d % 9))),
    );
    fc.assert(
      fc.property(decimal, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (text, pre, post) => {
        // parse it in the middle of other bytes, as the scanner does
        const bytes = ascii(`${pre}${text}"${post}`);
        const start = pre.length;
        const end = start + text.length;
        assert.ok(Object.is(parseDecimal(bytes, start, end), Number(text)), text);
        assert.ok(Object.is(parseQuotedDecimal(bytes, start, bytes.length), Number(text)), text);
        assert.equal(decimalStop(), end);
      }),
      { numRuns: 20_000 },
    );
  });

  it("refuses anything else, leaving it to a general parser", () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789.-+eE x"\\,'), maxLength: 12 });
    fc.assert(
      fc.property(text, (t) => {
        const got = parseDecimal(ascii(t), 0, t.length);
        if (PLAIN_DECIMAL.test(t)) assert.ok(Object.is(got, Number(t)), t);
        else assert.equal(got, NOT_DECIMAL, t);
        const quoted = parseQuotedDecimal(ascii(t), 0, t.length);
        const q = t.indexOf('"');
        if (q >= 0 && PLAIN_DECIMAL.test(t.slice(0, q)))
          assert.ok(Object.is(quoted, Number(t.slice(0, q))), t);
        else assert.equal(quoted, NOT_DECIMAL, t);
      }),
      { numRuns: 20_000 },
    );
    for (const t of ["", ".5", "5.", "-1", "+1", "1e5", " 1", "1 ", "0x1", "1.2.3", "Infinity", "1_0"])
      assert.equal(parseDecimal(ascii(t), 0, t.length), NOT_DECIMAL, t);
  });

  it("stays exact past 15 digits", () => {
    for (const t of [
      "0.1000000000000000055511151231257827",
      "9007199254740993",
      "123456789012345678.9",
      `1${"0".repeat(400)}`,
    ])
      assert.ok(Object.is(parseDecimal(ascii(t), 0, t.length), Number(t)), t);
  });
});

type Source = Omit<ReplaySource, "path">;

/** Both paths over the same lines: per-line events and final stats must be identical. */
function differential(source: Source, lines: readonly string[]): { scanned: number; events: MarketEvent[] } {
  const fast = new RecordedLineParser(source);
  const slow = new RecordedLineParser(source, { scan: false });
  const events: MarketEvent[] = [];
  for (const [i, line] of lines.entries()) {
    const bytes = Buffer.from(line, "utf8");
    const a: MarketEvent[] = [];
    const b: MarketEvent[] = [];
    fast.parseLineBytes(bytes, 0, bytes.length, i + 1, a);
    slow.parseLineBytes(bytes, 0, bytes.length, i + 1, b);
    assert.deepStrictEqual(a, b, `line ${i + 1}: ${line}`);
    events.push(...a);
  }
  assert.deepStrictEqual(fast.stats, slow.stats);
  assert.equal(slow.scannedLines, 0);
  return { scanned: fast.scannedLines, events };
}

const NS = "1723161255088169167";
const usdm: Source = { format: "binance", venue: "usdm" };
const depth = (U: number, u: number, extra = "") =>
  `${NS} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1723161256299,"T":1723161256298,"s":"BTCUSDT","U":${U},"u":${u},"pu":${U - 1},"b":[["61800.20","2.507"],["61739.00","0.000"]],"a":[["61800.30","3.330"]]${extra}}}`;

/** lines the scanner must take (and get right) */
const SCANNED = [
  depth(10, 20),
  depth(21, 30),
  `${NS} {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":31,"u":40,"b":[["61737.63000000","0.00000000"]],"a":[]}}`,
  `${NS} {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":21,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}`,
  `${NS} {"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}`,
  `${NS} {"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}`,
  `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}`,
  `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583936,"p":"61800.30","q":"0.006","X":"INSURANCE_FUND","m":true}}`,
  `${NS} {"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}`,
  `${NS} {"e":"aggTrade","E":1723161256400,"s":"BTCUSDT","a":5,"p":"61800.20","q":"0.100","f":1,"l":2,"T":1723161256399,"m":true}`,
  `${NS} {"e":"trade","s":"ETHUSDT","p":"1.5","q":"1","m":false,"x":null,"y":-1.5e-3,"z":"\u00e9t\u00e9"}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":false,"T":1723161256399}`,
  `${NS} {"data":{"s":"BTCUSDT","e":"bookTicker","A":"1","a":"2","B":"3","b":"1"},"stream":"x"}`,
];

/** lines the scanner must leave to JSON.parse (malformed, unusual or unknown) */
const FALLBACK = [
  "garbage",
  `${NS}{"e":"trade"}`,
  `123 {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true}`,
  `0000000000000000000 {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true}`,
  `${NS} {"stream":"btcusdt@trade","data":{"e":"trade"`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"abc","q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1"}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":null}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":1.5,"q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"-1.5","q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1e3","q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"","q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":" 1.5","q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true,"m":false}`,
  `${NS} {"e":"trade","s":"BTC\\u0055SDT","p":"1.5","q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true} `,
  `${NS} { "e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true}}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true,"t":01}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true,"t":[1]}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":tru}`,
  `${NS} {"e":"trade","s":"BTCUSDT","p":"1.5","q":"1","m":true,"X":5}`,
  `${NS} {"e":7,"s":"BTCUSDT","p":"1.5","q":"1","m":true}`,
  `${NS} {"e":"kline","s":"BTCUSDT"}`,
  `${NS} {"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15","i":"11784.62","P":"11784.25","r":"0.00038167","T":1562306400000}`,
  `${NS} {"stream":"btcusdt@bookTicker","e":"trade","data":{"e":"bookTicker","s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}}`,
  `${NS} {"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"},"data":{"e":"trade"}}`,
  `${NS} {"stream":"btcusdt@bookTicker","data":null}`,
  `${NS} {"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":"1","B":"1","a":"2"}}`,
  `${NS} {"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"${"9".repeat(400)}"}}`,
  `${NS} {"stream":5,"data":{"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":1,"u":2,"b":[["1.0"]],"a":[]}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":41,"u":42,"b":[["1.0","1","2"]],"a":[]}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":41,"u":42,"b":[["0.00","1"]],"a":[]}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":41,"u":42,"b":[[1.5,"1"]],"a":[]}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":"41","u":42,"b":[],"a":[]}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":41,"u":42,"pu":40.5,"b":[],"a":[]}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":41,"u":12345678901234567,"b":[],"a":[]}}`,
  `${NS} {"stream":"btcusdt@depth","data":{"e":"depthUpdate","s":"BTCUSDT","U":41,"u":42,"b":[["1","1"],],"a":[]}}`,
  `${NS} {"lastUpdateId":25,"E":2,"T":2,"bids":[["61799.0","2.000"]],"asks":[["61802.0","3.000"]]}`,
  `${NS} {"lastUpdateId":25,"b":"1","A":"2","s":"BTCUSDT","B":"1","a":"2"}`.replace(
    '"lastUpdateId":25,',
    '"bids":[],',
  ),
];

describe("Binance scanner against the JSON.parse path", () => {
  it("takes the common line kinds and reads them the same", () => {
    for (const timestamps of ["local", "exchange"] as const) {
      const { scanned, events } = differential({ ...usdm, timestamps }, SCANNED);
      assert.equal(scanned, SCANNED.length);
      assert.ok(events.length >= 10);
    }
    // symbol mapping: unmapped symbols are ignored the same way
    const { scanned } = differential({ ...usdm, symbols: { BTCUSDT: "BTC-PERP" } }, SCANNED);
    assert.equal(scanned, SCANNED.length);
  });

  it("leaves malformed, unusual and unknown lines to JSON.parse, with the same outcome", () => {
    for (const line of FALLBACK) {
      // after a diff and a snapshot, so depth lines meet sequencing state too
      const { scanned } = differential(usdm, [depth(10, 20), line, depth(21, 30)]);
      assert.equal(scanned, 2, line);
    }
    const { scanned } = differential(usdm, [depth(10, 20), ...FALLBACK, ...SCANNED]);
    assert.equal(scanned, SCANNED.length + 1);
  });

  it("agrees on generated messages, well-formed or mutated", () => {
    // mostly well-formed values, sometimes an odd one
    const often = <T, U>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) =>
      fc.oneof({ weight: 20, arbitrary: good }, { weight: 1, arbitrary: odd });
    const dec = often(
      fc.stringMatching(/^[0-9]{1,6}(\.[0-9]{1,8})?$/),
      fc.constantFrom("0.000", "0", "-1", "1e3", "", " 1", "abc", "1.", ".5", "1\\u0030", 1.5, null, true),
    );
    const int = often(fc.integer({ min: 0, max: 60 }), fc.constantFrom(-1, 1.5, "7", null, 2 ** 60, 1e21));
    const ts = often(fc.integer({ min: 1, max: 2e12 }), fc.constantFrom(1.5, "1", null, -3));
    const sym = often(fc.constantFrom("BTCUSDT", "ETHUSDT"), fc.constantFrom(5, null, "x\\y", "\u00e9", ""));
    const level = often(fc.tuple(dec, dec), fc.constantFrom([], ["1"], ["1", "2", "3"], "x", null));
    const levels = often(fc.array(level, { maxLength: 5 }), fc.constantFrom(null, "1", 3));
    const bool = often(fc.boolean(), fc.constantFrom(null, 0, "true"));
    const extra = fc.dictionary(
      fc.constantFrom("t", "f", "l", "M", "x", "stream", "data", "lastUpdateId", "bids", "\u00e9"),
      fc.oneof(
        fc.integer(),
        fc.double(),
        fc.string({ maxLength: 4 }),
        fc.boolean(),
        fc.constant(null),
        fc.constant([1]),
      ),
      { maxKeys: 2 },
    );
    const depthMsg = fc.record(
      { e: fc.constant("depthUpdate"), E: ts, T: ts, s: sym, U: int, u: int, pu: int, b: levels, a: levels },
      { requiredKeys: ["e", "s", "U", "u", "b", "a"] },
    );
    const bboMsg = fc.record(
      {
        e: fc.constantFrom("bookTicker", undefined),
        u: int,
        s: sym,
        b: dec,
        B: dec,
        a: dec,
        A: dec,
        T: ts,
        E: ts,
      },
      { requiredKeys: ["s", "b", "B", "a", "A"] },
    );
    const tradeMsg = fc.record(
      {
        e: fc.constantFrom("trade", "aggTrade"),
        E: ts,
        T: ts,
        s: sym,
        t: int,
        p: dec,
        q: dec,
        X: fc.constantFrom("MARKET", "MARKET", "ADL", 3),
        m: bool,
        a: int,
      },
      { requiredKeys: ["e", "s", "p", "q", "m"] },
    );
    const otherMsg = fc.record({
      e: fc.constantFrom("markPriceUpdate", "kline", 1),
      s: sym,
      p: dec,
      i: dec,
      r: dec,
      lastUpdateId: int,
      bids: levels,
      asks: levels,
    });
    const snapshotMsg = fc.record({ lastUpdateId: int, E: ts, bids: levels, asks: levels });
    const message = fc
      .tuple(fc.oneof(depthMsg, bboMsg, tradeMsg, otherMsg, snapshotMsg), extra)
      .chain(([m, x]) => {
        const entries = Object.entries({ ...x, ...m });
        return fc
          .oneof(
            { weight: 8, arbitrary: fc.shuffledSubarray(entries, { minLength: entries.length }) },
            { weight: 1, arbitrary: fc.shuffledSubarray(entries) },
          )
          .map((kept) => Object.fromEntries(kept));
      });
    const line = fc
      .tuple(
        message,
        fc.constantFrom(undefined, "btcusdt@bookTicker", "btcusdt@depth@0ms", "btcusdt@trade"),
        fc.boolean(),
        often(fc.constant(NS), fc.constantFrom("1723161255088", "12", "x", "+1723161255088169167")),
      )
      .map(([m, stream, wrap, ns]) => {
        const json = wrap
          ? JSON.stringify(stream === undefined ? { data: m } : { stream, data: m })
          : JSON.stringify(m);
        return `${ns} ${json}`;
      });
    // a mutation: delete, insert or replace one character
    const mutated = fc
      .tuple(line, fc.nat(), fc.nat(2), fc.constantFrom(...'{}[]":,. 0123456789-eE\\tfnx\u00e9'))
      .map(([l, at, op, ch]) => {
        const i = at % (l.length + 1);
        if (op === 0) return l.slice(0, i) + l.slice(i + 1);
        return l.slice(0, i) + ch + l.slice(op === 1 ? i : i + 1);
      });
    const sources = fc.record({ timestamps: fc.constantFrom("local", "exchange"), mapped: fc.boolean() });
    let lines = 0;
    let scanned = 0;
    fc.assert(
      fc.property(
        sources,
        fc.array(fc.oneof({ weight: 2, arbitrary: line }, { weight: 1, arbitrary: mutated }), {
          minLength: 1,
          maxLength: 20,
        }),
        (src, ls) => {
          const symbols = src.mapped ? { symbols: { BTCUSDT: "B" } } : {};
          scanned += differential({ ...usdm, timestamps: src.timestamps, ...symbols }, ls).scanned;
          lines += ls.length;
        },
      ),
      { numRuns: 3000 },
    );
    // not vacuous: a good share of the lines must have gone through the scanner
    assert.ok(scanned > lines / 10, `the scanner took only ${scanned} of ${lines} generated lines`);
  });
});

describe("Binance scanner on the recordings in ../shared/data", () => {
  const cases = [
    { file: "usdm-btcusdt_20240808.gz", format: "binance", tick: "0.1" },
    { file: "usdm-ethusdt_20240808.gz", format: "binance", tick: "0.01" },
    { file: "spot-btcusdt_20240808.gz", format: "binance", tick: "0.01" },
    { file: "hyperliquid-btcusd_20250126.gz", format: "hyperliquid", tick: "1" },
  ] as const;
  for (const c of cases) {
    it(`${c.file}: every line gives the same events both ways, and the same books`, async (t) => {
      const path = join(DATA, c.file);
      if (!existsSync(path)) {
        t.skip("../shared/data absent: recorded differential skipped");
        return;
      }
      const source: Source = { format: c.format, venue: "rec" };
      const fast = new RecordedLineParser(source);
      const slow = new RecordedLineParser(source, { scan: false });
      const books = { fast: new Map<string, L2Book>(), slow: new Map<string, L2Book>() };
      let lineNo = 0;
      const a: MarketEvent[] = [];
      const b: MarketEvent[] = [];
      for await (const chunk of readLineChunks(path)) {
        let start = 0;
        while (start < chunk.length) {
          let nl = chunk.indexOf(10, start);
          if (nl < 0) nl = chunk.length;
          const end = nl > start && chunk[nl - 1] === 13 ? nl - 1 : nl;
          if (end > start) {
            lineNo++;
            a.length = 0;
            b.length = 0;
            fast.parseLineBytes(chunk, start, end, lineNo, a);
            slow.parseLineBytes(chunk, start, end, lineNo, b);
            assert.deepStrictEqual(a, b, `line ${lineNo}`);
            apply(a, books.fast, c.tick);
            apply(b, books.slow, c.tick);
          }
          start = nl + 1;
        }
      }
      assert.deepStrictEqual(fast.stats, slow.stats);
      assert.equal(fast.stats.malformed, 0);
      if (c.format === "binance") {
        // all but the REST snapshot line(s) went through the scanner
        assert.ok(
          fast.scannedLines >= fast.stats.lines - 1,
          `${fast.scannedLines} of ${fast.stats.lines} scanned`,
        );
      }
      assert.equal(books.fast.size, 1);
      for (const [symbol, book] of books.fast) {
        const other = books.slow.get(symbol);
        assert.ok(other !== undefined);
        for (const side of ["bid", "ask"] as const) {
          assert.deepStrictEqual(levelsOf(book, side), levelsOf(other, side));
          assert.ok(book.levelCount(side) > 10);
        }
        assert.equal(book.lastUpdateTs, other.lastUpdateTs);
      }
    });
  }
});

function apply(events: readonly MarketEvent[], books: Map<string, L2Book>, tick: string): void {
  for (const e of events) {
    if (e.type !== "book") continue;
    let book = books.get(e.symbol);
    if (book === undefined) {
      book = new L2Book(
        new Instrument({
          venue: "rec",
          symbol: e.symbol,
          base: "BTC",
          quote: "USD",
          tickSize: tick,
          lotSize: "0.00001",
          minNotionalUsd: 0,
          maxLeverage: 50,
          marginTiers: [],
          fundingIntervalHours: 8,
          makerFeeBps: 0,
          takerFeeBps: 0,
        }),
      );
      books.set(e.symbol, book);
    }
    book.apply(e);
  }
}

function levelsOf(book: L2Book, side: "bid" | "ask"): [number, number][] {
  const out: [number, number][] = [];
  book.walk(side, (ticks, size) => {
    out.push([ticks, size]);
    return true;
  });
  return out;
}
