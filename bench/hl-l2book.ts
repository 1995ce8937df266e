/**
 * Hyperliquid `l2Book` throughput, raw WebSocket text to an applied order book, on the real
 * recorded lines of ../shared/data/hyperliquid-btcusd_20250126.gz (`<ts_ns> <json>`), measured in
 * one run beside two peers on the same messages:
 *
 * - ours: HlWs.receive (l2book-scan.ts reads the text directly, JSON.parse only for other
 *   forms; routing by channel and coin) → MarketStreams → L2Book snapshot apply → the market
 *   event published;
 * - `@nktkas/hyperliquid` 0.33: its WebSocketTransport's own message path (the message event its
 *   reconnecting socket dispatches → JSON → channel event → the l2Book subscription's coin
 *   filter → listener). nk validates requests only and keeps no book, so its listener applies
 *   the levels it hands over to the same L2Book ours uses (the end state must be a book);
 * - ccxt pro `hyperliquid.handleOrderBook` (JSON.parse of the text first, as its client does).
 *
 * The ratio is against the faster peer. Skips (saying so) when ../shared is absent.
 * Run alone: `node bench/run.ts --only hll2book`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { WebSocketTransport } from "@nktkas/hyperliquid";
import { l2Book } from "@nktkas/hyperliquid/api/subscription";
import ccxt from "ccxt";
import { WallClock } from "../src/core/clock.ts";
import { L2Book } from "../src/data/book.ts";
import { startHyperliquidEmulator } from "../src/venues/hyperliquid/emulator/start.ts";
import { marketsFromMeta } from "../src/venues/hyperliquid/instruments.ts";
import { MarketStreams } from "../src/venues/hyperliquid/market-streams.ts";
import { HlWs } from "../src/venues/hyperliquid/ws.ts";
import { type BenchFigure, type BenchSuite, opsPerSecond } from "./harness.ts";

const FILE = "hyperliquid-btcusd_20250126.gz";
const BTC = { name: "BTC", szDecimals: 5, maxLeverage: 40 };
/** BTC's price step at szDecimals 5: 10^-(6 − 5) */
const TICK = 0.1;
const priceOf = (ticks: number | undefined) => Math.round((ticks ?? 0) * TICK * 10) / 10;

function sharedData(): string | undefined {
  const candidates = [
    process.env.PERPBOT_SHARED_DATA,
    join(import.meta.dirname, "..", "..", "shared", "data"),
  ];
  return candidates.find((d) => d !== undefined && existsSync(join(d, FILE)));
}

/** The recorded l2Book lines' JSON text (the timestamp column dropped). */
function recordedBooks(dir: string): string[] {
  return (
    gunzipSync(readFileSync(join(dir, FILE)))
      .toString("utf8")
      .split("\n")
      .map((l) => l.slice(l.indexOf(" ") + 1))
      .filter((t) => t.startsWith('{"channel":"l2Book"'))
      // each as its own flat string, as a socket hands over a frame (not a slice of the whole file)
      .map((t) => Buffer.from(t, "utf8").toString("utf8"))
  );
}

type Feed = (text: string) => void;

function ours(): { feed: Feed; best: () => number } {
  const clock = new WallClock();
  const ws = new HlWs({ url: "ws://127.0.0.1:9/ws", clock });
  const markets = marketsFromMeta("hyperliquid", { universe: [BTC] });
  const streams = new MarketStreams({ venueId: "hyperliquid", clock, ws, staleAfterMs: 15_000, markets });
  streams.subscribe({ channel: "book", symbol: "BTC" });
  let published = 0;
  streams.onMarket(() => published++);
  const book = streams.book("BTC");
  return { feed: (t) => ws.receive(t), best: () => (published > 0 ? priceOf(book.bestBidTicks()) : 0) };
}

async function nktkas(
  wsUrl: string,
): Promise<{ feed: Feed; best: () => number; close: () => Promise<void> }> {
  const transport = new WebSocketTransport({ url: wsUrl });
  await transport.ready();
  const book = new L2Book(marketsFromMeta("hyperliquid", { universe: [BTC] }).get("BTC")!.instrument);
  const level = (l: { px: string; sz: string }) => ({ price: Number(l.px), size: Number(l.sz) });
  await l2Book({ transport }, { coin: "BTC" }, (e) => {
    book.apply({
      type: "book",
      venue: "hyperliquid",
      symbol: "BTC",
      ts: e.time,
      snapshot: true,
      bids: e.levels[0].map(level),
      asks: e.levels[1].map(level),
    });
  });
  // the socket's own message event, as @nktkas/rews dispatches it for each frame received
  const socket = transport.socket;
  return {
    feed: (t) => socket.dispatchEvent(new MessageEvent("message", { data: t })),
    best: () => priceOf(book.bestBidTicks()),
    close: async () => {
      await transport.close();
    },
  };
}

function ccxtPro(): { feed: Feed; best: () => number } {
  const ex = new ccxt.pro.hyperliquid({});
  const market = ex.parseMarket({ ...BTC, baseId: 0, markPx: "105000" });
  if (!market?.symbol) throw new Error("bench hll2book: ccxt parsed no market");
  ex.setMarkets([market]);
  // handleOrderBook only resolves the client's futures with the book: a stand-in that takes them
  const client = { resolve: () => {} } as unknown as Parameters<typeof ex.handleOrderBook>[0];
  const symbol = market.symbol;
  return {
    feed: (t) => ex.handleOrderBook(client, JSON.parse(t)),
    best: () => (ex.orderbooks[symbol]?.bids?.[0]?.[0] as number | undefined) ?? 0,
  };
}

const suite: BenchSuite = async () => {
  const dir = sharedData();
  if (dir === undefined) {
    process.stderr.write(`bench hll2book: skipped: ${FILE} not found (set PERPBOT_SHARED_DATA)\n`);
    return [];
  }
  const lines = recordedBooks(dir);
  if (lines.length === 0) throw new Error(`bench hll2book: no l2Book line in ${FILE}`);
  const emu = await startHyperliquidEmulator({
    universe: [{ ...BTC, markPx: 105_000 }],
    hourlyFunding: false,
  });
  const nk = await nktkas(emu.wsUrl);
  const peers = { ours: ours(), nktkas: nk, ccxt: ccxtPro() };
  // every path must have built the last recorded book before its figure means anything
  const last = JSON.parse(lines[lines.length - 1]).data.levels[0][0].px as string;
  const rate: Record<string, number> = {};
  // short rounds, the paths taking turns, the best of each: a load swing on the shared machine
  // then weighs on every path alike instead of on whichever ran during it
  for (let round = 0; round < 8; round++) {
    for (const [name, p] of Object.entries(peers)) {
      const r = opsPerSecond(() => {
        for (const t of lines) p.feed(t);
        return lines.length;
      }, 400);
      if (p.best() !== Number(last))
        throw new Error(`bench hll2book: ${name}'s best bid ${p.best()} is not the recorded ${last}`);
      rate[name] = Math.max(rate[name] ?? 0, r);
    }
  }
  await nk.close();
  await emu.close();
  const peerName = rate.nktkas >= rate.ccxt ? "nktkas" : "ccxt";
  const ratio = rate.ours / rate[peerName];
  const figures: BenchFigure[] = [
    { key: "hl_l2book_msgs_per_s", value: rate.ours, unit: "msg/s" },
    { key: "hl_l2book_nktkas_msgs_per_s", value: rate.nktkas, unit: "msg/s" },
    { key: "hl_l2book_ccxt_msgs_per_s", value: rate.ccxt, unit: "msg/s" },
    {
      // a stable key whichever peer was faster; the peer's name is in the target text
      key: "hl_l2book_vs_peer_x",
      value: ratio,
      unit: "x",
      target: `>= 3 (vs ${peerName}, the faster peer)`,
      ok: ratio >= 3,
    },
    { key: "hl_l2book_vs_ccxt_x", value: rate.ours / rate.ccxt, unit: "x" },
  ];
  return figures;
};

export default suite;
