/**
 * Aster figures:
 * - sign cost per order: one V3 order's full signed text (parameter string, EIP-712 digest,
 *   libsecp256k1 signature through the keystore's signer), µs each;
 * - depth messages decoded and applied per second on the real recorded USDⓈ-M feed
 *   ../shared/data/usdm-btcusdt_20240808.gz (Aster's format), from the frame's text to an
 *   applied book: ours (JSON.parse → frame check → DepthSync: zod, `pu` chain, L2Book.apply)
 *   beside ccxt pro `binanceusdm.handleOrderBook` (JSON.parse of the text first, as its client
 *   does; its book seeded from the same snapshot), target ≥ 3×;
 * - emulator round trip on loopback: the connector's submit of an IOC to its ack, p50 and p99.
 * Skips the depth figures (saying so) when ../shared is absent. Alone: `node bench/run.ts --only aster`.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import ccxt from "ccxt";
import { Instrument } from "../src/core/instrument.ts";
import { makeAsterHarness } from "../src/testing/aster-conformance.ts";
import { DepthSync } from "../src/venues/aster/depth-sync.ts";
import { FrameSchema } from "../src/venues/aster/parse.ts";
import { signedV3Text, signerAddress } from "../src/venues/aster/signing.ts";
import { orderOf } from "../src/venues/conformance/harness.ts";
import { signerFromKeyBytes } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, opsPerSecond, percentile } from "./harness.ts";

const FILE = "usdm-btcusdt_20240808.gz";

function sharedData(): string | undefined {
  const candidates = [
    process.env.PERPBOT_SHARED_DATA,
    join(import.meta.dirname, "..", "..", "shared", "data"),
  ];
  return candidates.find((d) => d !== undefined && existsSync(join(d, FILE)));
}

async function signCost(): Promise<number> {
  const signer = signerFromKeyBytes("secp256k1", randomBytes(32), "bench API wallet");
  const id = { user: `0x${"ab".repeat(20)}`, signerAddress: signerAddress(signer), signer };
  const params: [string, string][] = [
    ["symbol", "BTCUSDT"],
    ["side", "BUY"],
    ["type", "LIMIT"],
    ["timeInForce", "GTC"],
    ["quantity", "0.010"],
    ["price", "60000.0"],
    ["newClientOrderId", "pb-0000000000000000000000000001"],
    ["newOrderRespType", "RESULT"],
  ];
  let nonce = Date.now() * 1000;
  for (let i = 0; i < 200; i++) await signedV3Text(params, id, nonce++);
  const n = 3000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await signedV3Text(params, id, nonce++);
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

interface Recorded {
  readonly snapshot: Record<string, unknown>;
  /** every depth frame, as text (those older than the snapshot are dropped by both paths) */
  readonly frames: string[];
}

function recorded(dir: string): Recorded {
  let snapshot: Record<string, unknown> | undefined;
  const frames: string[] = [];
  for (const line of gunzipSync(readFileSync(join(dir, FILE)))
    .toString("utf8")
    .split("\n")) {
    const text = line.slice(line.indexOf(" ") + 1);
    if (text.startsWith('{"lastUpdateId"')) snapshot = JSON.parse(text);
    else if (text.includes("@depth")) frames.push(Buffer.from(text, "utf8").toString("utf8"));
  }
  if (snapshot === undefined) throw new Error(`bench aster: no depth snapshot in ${FILE}`);
  return { snapshot, frames };
}

const INST = new Instrument({
  venue: "aster",
  symbol: "BTCUSDT",
  base: "BTC",
  quote: "USDT",
  tickSize: "0.1",
  lotSize: "0.001",
  minNotionalUsd: 5,
  maxLeverage: 20,
  marginTiers: [],
  fundingIntervalHours: 8,
  makerFeeBps: 1,
  takerFeeBps: 3.5,
});

/** One pass of ours over the frames: a fresh book from the snapshot, then every frame's text. */
function oursPass(r: Recorded): number {
  let published = 0;
  const sync = new DepthSync(
    INST,
    "aster",
    async () => r.snapshot,
    () => published++,
  );
  sync.applySnapshot(r.snapshot);
  for (const text of r.frames) {
    const f = FrameSchema.parse(JSON.parse(text));
    sync.onDepth(f.data);
  }
  if (sync.gaps !== 0) throw new Error(`bench aster: our depth chain broke (${sync.gaps} gaps)`);
  return (INST.priceValue(sync.book.bestBidTicks() ?? 0) * 10) / 10;
}

function ccxtPass(r: Recorded): number {
  const ex = new ccxt.pro.binanceusdm({});
  ex.setMarkets([
    {
      id: "BTCUSDT",
      symbol: "BTC/USDT:USDT",
      base: "BTC",
      quote: "USDT",
      settle: "USDT",
      baseId: "BTC",
      quoteId: "USDT",
      settleId: "USDT",
      type: "swap",
      spot: false,
      margin: false,
      swap: true,
      future: false,
      option: false,
      active: true,
      contract: true,
      linear: true,
      inverse: false,
      contractSize: 1,
      precision: { price: 0.1, amount: 0.001 },
      limits: {},
      info: {},
    } as unknown as Parameters<typeof ex.setMarkets>[0][number],
  ]);
  const symbol = "BTC/USDT:USDT";
  const book = ex.orderBook({}, 1000);
  const snap = ex.parseOrderBook(r.snapshot, symbol, undefined, "bids", "asks");
  (snap as { nonce?: number }).nonce = r.snapshot.lastUpdateId as number;
  book.reset(snap);
  ex.orderbooks[symbol] = book;
  const client = { url: "wss://fstream.binance.com/ws", resolve: () => {} } as unknown as Parameters<
    typeof ex.handleOrderBook
  >[0];
  for (const text of r.frames) ex.handleOrderBook(client, JSON.parse(text).data);
  return (ex.orderbooks[symbol]?.bids?.[0]?.[0] as number | undefined) ?? 0;
}

async function roundTrip(): Promise<{ p50: number; p99: number }> {
  const h = await makeAsterHarness();
  try {
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 1000,
    });
    const ms: number[] = [];
    for (let i = 0; i < 220; i++) {
      const side = i % 2 === 0 ? "buy" : "sell";
      const price = side === "buy" ? h.referenceTicks + 1 : h.referenceTicks - 1;
      const t = process.hrtime.bigint();
      await h.venue.submit(orderOf(h, { side, priceTicks: price, sizeLots: h.unitLots, tif: "ioc" }));
      if (i >= 20) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
  } finally {
    await h.close();
  }
}

const suite: BenchSuite = async () => {
  const figures: BenchFigure[] = [{ key: "aster_sign_us_per_order", value: await signCost(), unit: "µs" }];
  const dir = sharedData();
  if (dir === undefined)
    process.stderr.write(`bench aster: depth figures skipped: ${FILE} not found (set PERPBOT_SHARED_DATA)\n`);
  else {
    const r = recorded(dir);
    const want = oursPass(r);
    if (ccxtPass(r) !== want)
      throw new Error(`bench aster: ccxt's best bid ${ccxtPass(r)} is not ours ${want}`);
    const rate: Record<string, number> = { ours: 0, ccxt: 0 };
    // short rounds taking turns, the best of each: a load swing weighs on both alike
    for (let round = 0; round < 6; round++) {
      rate.ours = Math.max(
        rate.ours,
        opsPerSecond(() => {
          oursPass(r);
          return r.frames.length;
        }, 300),
      );
      rate.ccxt = Math.max(
        rate.ccxt,
        opsPerSecond(() => {
          ccxtPass(r);
          return r.frames.length;
        }, 300),
      );
    }
    const ratio = rate.ours / rate.ccxt;
    figures.push(
      { key: "aster_depth_msgs_per_s", value: rate.ours, unit: "msg/s" },
      { key: "aster_depth_ccxt_msgs_per_s", value: rate.ccxt, unit: "msg/s" },
      {
        key: "aster_depth_vs_ccxt_x",
        value: ratio,
        unit: "x",
        target: ">= 3 (vs ccxt binanceusdm)",
        ok: ratio >= 3,
      },
    );
  }
  const rt = await roundTrip();
  figures.push(
    { key: "aster_emu_round_trip_p50_ms", value: rt.p50, unit: "ms" },
    { key: "aster_emu_round_trip_p99_ms", value: rt.p99, unit: "ms" },
  );
  return figures;
};

export default suite;
