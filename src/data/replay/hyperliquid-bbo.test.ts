import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MarketEvent } from "../../core/market.ts";
import { RecordedLineParser, type ReplaySource } from "./replay.ts";

/** Hyperliquid `bbo` lines (VENUES.md §1.5): read when the source asks for them, ignored otherwise. */
const hl = { format: "hyperliquid", venue: "hyperliquid", symbols: { BTC: "BTC" } } as const;
const LINES = [
  `1737918843893903000 {"channel":"bbo","data":{"coin":"BTC","time":1737918843542,"bbo":[{"px":"105055.0","sz":"3.03622","n":5},{"px":"105056.0","sz":"6.34472","n":13}]}}`,
  `1737918843900000000 {"channel":"bbo","data":{"coin":"BTC","time":1737918843600,"bbo":[null,{"px":"105056.0","sz":"1","n":1}]}}`,
  `1737918843910000000 {"channel":"bbo","data":{"coin":"ETH","time":1737918843600,"bbo":[null,null]}}`,
  `1737918843920000000 {"channel":"bbo","data":{"coin":"BTC","time":1737918843700,"bbo":[{"px":"x","sz":"1","n":1},null]}}`,
  `1737918843930000000 {"channel":"bbo","data":{"coin":"BTC","time":1737918843700,"bbo":[]}}`,
];

function parseAll(source: Omit<ReplaySource, "path">, lines: readonly string[]) {
  const parser = new RecordedLineParser(source);
  const events: MarketEvent[] = [];
  for (const [i, l] of lines.entries()) parser.parseLine(l, i + 1, events);
  return { events, parser };
}

describe("Hyperliquid bbo lines", () => {
  it("are bbo events when asked for; one-sided and other coins are ignored, bad ones counted", () => {
    const { events, parser } = parseAll({ ...hl, bbo: true }, LINES);
    assert.deepEqual(events, [
      {
        type: "bbo",
        venue: "hyperliquid",
        symbol: "BTC",
        ts: 1737918843893,
        bidPrice: 105055,
        bidSize: 3.03622,
        askPrice: 105056,
        askSize: 6.34472,
      },
    ]);
    assert.equal(parser.stats.byKind.bbo, 1);
    assert.equal(parser.stats.ignored, 2);
    assert.deepEqual(
      parser.stats.malformedLines.map((m) => m.line),
      [4, 5],
    );
    assert.match(parser.stats.malformedLines[0].reason, /bbo\.bbo\[0\]\[0\]: field "px" should be a number/);
    assert.match(parser.stats.malformedLines[1].reason, /field "bbo" should be \[bid, ask\]/);
  });

  it("take the venue's time with exchange timestamps", () => {
    const { events } = parseAll({ ...hl, bbo: true, timestamps: "exchange" }, LINES.slice(0, 1));
    assert.equal(events[0]?.ts, 1737918843542);
  });

  it("are ignored by default (the l2Book lines carry the touch)", () => {
    const { events, parser } = parseAll(hl, LINES);
    assert.deepEqual(events, []);
    assert.equal(parser.stats.ignored, LINES.length);
    assert.equal(parser.stats.malformed, 0);
  });
});
