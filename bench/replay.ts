/**
 * Replay throughput: recorded lines (gunzip + line split + JSON + parse + apply to L2Books) and
 * pre-decoded events applied to books. Uses ../shared/data when present, else synthetic lines in
 * the same `<ns> <json>` Binance format; the unit string says which.
 *
 * Run alone: `node bench/run.ts --only replay`.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { Instrument } from "../src/core/instrument.ts";
import type { MarketEvent } from "../src/core/market.ts";
import { L2Book } from "../src/data/book.ts";
import { type ReplaySource, replayRecording } from "../src/data/replay/replay.ts";
import { SyntheticMarket } from "../src/data/synthetic.ts";
import { syntheticInstrument } from "../src/data/synthetic-instruments.ts";
import { type BenchSuite, opsPerSecond } from "./harness.ts";

const DATA = resolve(import.meta.dirname, "../../shared/data");
const TICKS: Record<string, string> = {
  "usdm:BTCUSDT": "0.1",
  "usdm:ETHUSDT": "0.01",
  "spot:BTCUSDT": "0.01",
};

function bookFor(books: Map<string, L2Book>, venue: string, symbol: string): L2Book {
  const key = `${venue}:${symbol}`;
  let book = books.get(key);
  if (book === undefined) {
    const tickSize = TICKS[key] ?? "0.00001";
    const spec = { venue, symbol, base: symbol, quote: "USD", tickSize, lotSize: "0.00001" };
    const instrument = new Instrument({
      ...spec,
      minNotionalUsd: 0,
      maxLeverage: 1,
      marginTiers: [],
      fundingIntervalHours: 8,
      makerFeeBps: 0,
      takerFeeBps: 0,
    });
    book = new L2Book(instrument);
    books.set(key, book);
  }
  return book;
}

function applyAll(events: readonly MarketEvent[], books: Map<string, L2Book>): number {
  let touched = 0;
  for (const e of events) {
    if (e.type === "book") bookFor(books, e.venue, e.symbol).apply(e);
    else touched += e.ts & 1; // other kinds are delivered, not stored: keep the loop honest
  }
  return touched;
}

/** Synthetic recording in the Binance combined-stream format, for machines without ../shared. */
function writeSyntheticRecording(dir: string): string {
  const instrument = syntheticInstrument("usdm", "BTC", "binance");
  const market = new SyntheticMarket({
    seed: 1,
    instruments: [instrument],
    startMs: Date.UTC(2024, 7, 8),
    stepMs: 100,
  });
  const lines: string[] = [];
  let u = 1;
  for (let i = 0; i < 30_000; i++) {
    for (const e of market.step()) {
      const ns = `${e.ts}000000`;
      const lv = (ls: readonly { price: number; size: number }[]) =>
        ls.map((l) => [String(l.price), String(l.size)]);
      if (e.type === "book") {
        const data = {
          e: "depthUpdate",
          E: e.ts,
          s: "BTCUSDT",
          U: u,
          u: u + 1,
          pu: u - 1,
          b: lv(e.bids),
          a: lv(e.asks),
        };
        u += 2;
        lines.push(`${ns} ${JSON.stringify({ stream: "btcusdt@depth@0ms", data })}`);
        const bid = e.bids[0] ?? { price: 1, size: 1 };
        const ask = e.asks[0] ?? { price: 2, size: 1 };
        const bt = {
          e: "bookTicker",
          s: "BTCUSDT",
          b: `${bid.price}`,
          B: `${bid.size}`,
          a: `${ask.price}`,
          A: `${ask.size}`,
        };
        for (let k = 0; k < 8; k++)
          lines.push(`${ns} ${JSON.stringify({ stream: "btcusdt@bookTicker", data: bt })}`);
      } else if (e.type === "trade") {
        const data = {
          e: "trade",
          E: e.ts,
          s: "BTCUSDT",
          p: `${e.price}`,
          q: `${e.size}`,
          m: e.side === "sell",
        };
        lines.push(`${ns} ${JSON.stringify({ stream: "btcusdt@trade", data })}`);
      }
    }
  }
  const path = join(dir, "synthetic-usdm-btcusdt.gz");
  writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
  return path;
}

const suite: BenchSuite = async () => {
  let sources: ReplaySource[];
  let what: string;
  let tmp: string | undefined;
  if (existsSync(join(DATA, "usdm-btcusdt_20240808.gz"))) {
    what = "recorded ../shared/data usdm btc+eth, spot btc";
    sources = [
      { path: join(DATA, "usdm-btcusdt_20240808.gz"), format: "binance", venue: "usdm" },
      { path: join(DATA, "usdm-ethusdt_20240808.gz"), format: "binance", venue: "usdm" },
      { path: join(DATA, "spot-btcusdt_20240808.gz"), format: "binance", venue: "spot" },
    ];
  } else {
    tmp = mkdtempSync(join(tmpdir(), "perpbot-bench-"));
    what = "synthetic Binance-format lines (../shared/data absent)";
    sources = [
      {
        path: writeSyntheticRecording(tmp),
        format: "binance",
        venue: "usdm",
        symbols: { BTCUSDT: "BTCUSDT" },
      },
    ];
  }
  try {
    // 1. raw lines, end to end; two passes, the best one counts (the first warms the JIT)
    const decoded: MarketEvent[] = [];
    let linesPerS = 0;
    for (let pass = 0; pass < 2; pass++) {
      const books = new Map<string, L2Book>();
      let lines = 0;
      const start = process.hrtime.bigint();
      for (const source of sources) {
        const stats = await replayRecording(source, (events) => {
          applyAll(events, books);
          if (pass === 0) for (const e of events) decoded.push(e);
        });
        lines += stats.lines;
        if (stats.malformed > 0)
          throw new Error(`bench/replay: ${stats.malformed} malformed lines in ${source.path}`);
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      linesPerS = Math.max(linesPerS, lines / seconds);
    }
    // 2. pre-decoded events applied to fresh books each round
    const eventsPerS = opsPerSecond(() => {
      applyAll(decoded, new Map());
      return decoded.length;
    }, 2000);
    return [
      {
        key: "replay_lines_per_s",
        value: linesPerS,
        unit: `lines/s (gunzip+parse+apply; ${what})`,
        target: ">= 300k/s",
        ok: linesPerS >= 300e3,
      },
      {
        key: "replay_events_per_s",
        value: eventsPerS,
        unit: `events/s (pre-decoded, ${decoded.length} events, books applied)`,
        target: ">= 3M/s",
        ok: eventsPerS >= 3e6,
      },
    ];
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
};

export default suite;
