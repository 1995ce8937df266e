import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import { L2Book } from "../../data/book.ts";
import { BinanceParser } from "../../data/replay/binance.ts";
import { DepthSync } from "./depth-sync.ts";
import { markEvents, streamKind, tradeEvent } from "./market.ts";
import { AsterPayloadError } from "./parse.ts";

/**
 * The connector's market-data parsers on real recordings of Binance USDⓈ-M streams (Aster's
 * format): ../shared/data/usdm-{btc,eth}usdt_20240808.gz (hftbacktest example data), each line
 * "<local ns> <json>": combined-stream frames and one REST depth snapshot recorded inline.
 */
const DATA =
  process.env.PERPBOT_SHARED_DATA ?? join(import.meta.dirname, "..", "..", "..", "..", "shared", "data");

const FEEDS = [
  { file: "usdm-btcusdt_20240808.gz", symbol: "BTCUSDT", tick: "0.1", lot: "0.001" },
  { file: "usdm-ethusdt_20240808.gz", symbol: "ETHUSDT", tick: "0.01", lot: "0.001" },
] as const;

function instrumentOf(symbol: string, tick: string, lot: string): Instrument {
  return new Instrument({
    venue: "aster",
    symbol,
    base: symbol.replace(/USDT$/, ""),
    quote: "USDT",
    tickSize: tick,
    lotSize: lot,
    minNotionalUsd: 5,
    maxLeverage: 20,
    marginTiers: [],
    fundingIntervalHours: 8,
    makerFeeBps: 1,
    takerFeeBps: 3.5,
  });
}

const lines = (file: string) =>
  gunzipSync(readFileSync(join(DATA, file)))
    .toString("utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l.slice(l.indexOf(" ") + 1)) as Record<string, unknown>);

const ladder = (b: L2Book) => {
  const out: Record<"bid" | "ask", [number, number][]> = { bid: [], ask: [] };
  for (const side of ["bid", "ask"] as const)
    b.walk(side, (t, s) => {
      out[side].push([t, s]);
      return true;
    });
  return out;
};

/** The replay reader (src/data/replay/binance.ts) into its own L2Book: the peer path. */
function peerOf(inst: Instrument, symbol: string) {
  const parser = new BinanceParser();
  const book = new L2Book(inst);
  const out: MarketEvent[] = [];
  const ctx = {
    venue: "aster",
    localMs: 0,
    timestamps: "exchange" as const,
    fundingIntervalHours: 8,
    symbolFor: (s: string) => (s === symbol ? s : undefined),
  };
  return {
    book,
    feed(m: Record<string, unknown>) {
      out.length = 0;
      parser.parse(m, ctx, out);
      for (const e of out) if (e.type === "book") book.apply(e);
    },
  };
}

/**
 * Feed a recording through DepthSync the way the live connector sees it: the stream's updates
 * buffer until the snapshot's answer arrives (at the snapshot line's place in the recording).
 * `skip` drops one update (a lost message); the resync it causes is answered one message later
 * with a fresh snapshot: the peer path's book as the venue had it then, with that update's id.
 */
async function replayDepth(msgs: Record<string, unknown>[], inst: Instrument, symbol: string, skip?: number) {
  const peer = peerOf(inst, symbol);
  let answer: ((v: unknown) => void) | undefined;
  const sync = new DepthSync(
    inst,
    "aster",
    () =>
      new Promise((r) => {
        answer = r;
      }),
    () => {},
  );
  let depth = 0;
  let lastU = 0;
  const text = (side: "bid" | "ask") => {
    const rows: [string, string][] = [];
    peer.book.walk(side, (t, s) => {
      rows.push([inst.priceText(t), String(s)]);
      return true;
    });
    return rows;
  };
  for (const m of msgs) {
    const frame = m as { stream?: string; data?: Record<string, unknown> };
    const isDepth = frame.stream !== undefined && streamKind(frame.stream).kind === "depth";
    if (isDepth && answer !== undefined && sync.gaps > 0) {
      // the fresh snapshot: the venue's book before this update, with the last update's id
      answer({ lastUpdateId: lastU, bids: text("bid"), asks: text("ask") });
      answer = undefined;
      await new Promise((r) => setImmediate(r));
    }
    peer.feed(m);
    if (typeof m.lastUpdateId === "number") {
      answer?.(m);
      answer = undefined;
      await new Promise((r) => setImmediate(r));
      continue;
    }
    if (!isDepth) continue;
    lastU = frame.data?.u as number;
    if (depth++ === skip) continue;
    sync.onDepth(frame.data);
    await Promise.resolve();
  }
  return { sync, depth, peer: peer.book };
}

for (const feed of FEEDS) {
  const file = join(DATA, feed.file);
  const skip = existsSync(file) ? false : `${file} absent (set PERPBOT_SHARED_DATA)`;

  describe(`aster market data on ${feed.file}`, { skip }, () => {
    const inst = instrumentOf(feed.symbol, feed.tick, feed.lot);

    it("depth sync: snapshot, stale updates dropped, pu chained, the same book as the replay parser builds", async () => {
      const msgs = lines(feed.file);
      const { sync, depth, peer } = await replayDepth(msgs, inst, feed.symbol);
      assert.ok(depth > 1000, `${depth} depth updates`);
      assert.ok(sync.synced);
      assert.equal(sync.gaps, 0, "the recorded chain has no gap");
      assert.ok(sync.stale > 0, "updates older than the snapshot were dropped");
      assert.equal(sync.stale + sync.applied, depth, "every update either dropped as stale or applied");
      assert.ok(!sync.book.isCrossed(), "the book is not crossed");
      assert.deepEqual(ladder(sync.book), ladder(peer));
    });

    it("a lost update breaks the pu chain: the book resyncs from a new snapshot", async () => {
      const msgs = lines(feed.file);
      const { sync, peer } = await replayDepth(msgs, inst, feed.symbol, 500);
      assert.equal(sync.gaps, 1, "the gap was seen once");
      assert.ok(sync.synced, "synced again");
      assert.deepEqual(ladder(sync.book), ladder(peer), "and the rebuilt book is the venue's");
    });

    it("every trade parses; the aggressor side follows `m`", () => {
      let n = 0;
      let sells = 0;
      for (const m of lines(feed.file)) {
        const frame = m as { stream?: string; data?: Record<string, unknown> };
        if (frame.stream === undefined || streamKind(frame.stream).kind !== "trade") continue;
        const t = tradeEvent("aster", feed.symbol, frame.data);
        n++;
        assert.ok(t.price > 0 && t.size > 0, JSON.stringify(frame.data));
        assert.equal(t.price, Number(frame.data?.p));
        assert.equal(t.side, frame.data?.m ? "sell" : "buy");
        if (t.side === "sell") sells++;
      }
      assert.ok(n > 1000 && sells > 0 && sells < n, `${n} trades, ${sells} sells`);
    });
  });
}

describe("aster market data: bad payloads", () => {
  const inst = instrumentOf("BTCUSDT", "0.1", "0.001");

  it("a depthUpdate with a bad field names venue, symbol and field", () => {
    const sync = new DepthSync(
      inst,
      "aster",
      async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      () => {},
    );
    assert.throws(
      () => sync.onDepth({ e: "depthUpdate", E: 1, s: "BTCUSDT", U: 1, u: 2, pu: "x", b: [], a: [] }),
      (e: unknown) =>
        e instanceof AsterPayloadError && /aster: depthUpdate of BTCUSDT .* at pu/.test(e.message),
    );
  });

  it("a bad level names its side, index and column; nothing of the message is applied", () => {
    const sync = new DepthSync(
      inst,
      "aster",
      async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      () => {},
    );
    sync.applySnapshot({ lastUpdateId: 10, bids: [["60000.0", "1"]], asks: [["60000.1", "1"]] });
    const msg = (b: unknown) => ({ e: "depthUpdate", E: 1, s: "BTCUSDT", U: 9, u: 11, pu: 8, b, a: [] });
    assert.throws(
      () =>
        sync.onDepth(
          msg([
            ["60000.0", "2"],
            ["59999.9", "x"],
          ]),
        ),
      /did not parse at b\.1\.1: a decimal string, got "x"/,
    );
    assert.throws(() => sync.onDepth(msg([["60000.0"]])), /at b\.0: expected \[price, size\]/);
    assert.equal(
      sync.book.sizeAt("bid", inst.price("60000.0")),
      1,
      "the good level of the bad message was not applied",
    );
    sync.onDepth(msg([["60000.0", "2"]]));
    assert.equal(sync.book.sizeAt("bid", inst.price("60000.0")), 2);
  });

  it("markPriceUpdate: the interval's rate becomes a rate per hour", () => {
    const { mark, funding } = markEvents(
      "aster",
      "BTCUSDT",
      { e: "markPriceUpdate", E: 5, s: "BTCUSDT", p: "60000.5", i: "60001", r: "0.0004", T: 28_800_000 },
      4,
    );
    assert.equal(mark.markPrice, 60000.5);
    assert.equal(mark.oraclePrice, 60001);
    assert.equal(funding.ratePerHour, 0.0001);
    assert.throws(
      () => markEvents("aster", "BTCUSDT", { e: "markPriceUpdate", E: 5, s: "BTCUSDT" }, 8),
      /at p/,
    );
  });
});
