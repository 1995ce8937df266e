/**
 * Hibachi, three figures on this machine:
 *
 * - sign cost per order: the order's bytes (signing.ts `orderPayload`) → sha256 → secp256k1
 *   through the wallet signer → hex, beside ccxt's `orderMessage` + `signMessage` of the same
 *   order (ccxt hashes and signs in pure JS); both must give the same signature (RFC 6979
 *   deterministic) or the race is moot;
 * - book messages per second: `/ws/market` orderbook messages (full snapshots, 10 levels a side,
 *   in the emulator's shape) from text to an applied book through the connector's path
 *   (JSON.parse, zod, L2Book.apply in market-feed.ts). ccxt has no Hibachi WebSocket client, so
 *   there is no ccxt figure beside it;
 * - emulator round trip on loopback: a signed post-only order and its cancel through the
 *   connector against `perpbot emulate hibachi`'s server, p50 and p99.
 *
 * Run alone: `node bench/run.ts --only hibachi`.
 */
import ccxt from "ccxt";
import { WallClock } from "../src/core/clock.ts";
import { instrumentOf } from "../src/venues/hibachi/capabilities.ts";
import { HibachiConfigSchema } from "../src/venues/hibachi/config.ts";
import { startHibachiEmulator } from "../src/venues/hibachi/emulator/start.ts";
import { ETH_CONTRACT, ETH_SCALE } from "../src/venues/hibachi/fixtures/eth-contract.ts";
import { MarketFeed } from "../src/venues/hibachi/market-feed.ts";
import { ContractSchema, ExchangeInfoSchema } from "../src/venues/hibachi/parse.ts";
import { orderPayload, walletSignature } from "../src/venues/hibachi/signing.ts";
import { HibachiVenue } from "../src/venues/hibachi/venue.ts";
import { StreamHealth } from "../src/venues/kit/stream-health.ts";
import { signerFromKeyBytes } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";
import { submitCancelFigures } from "./venue-round-trip.ts";

const KEY = Buffer.alloc(32, 0x4b);
const ETH_INFO = ETH_CONTRACT;
const ETH = ETH_SCALE;

async function timesUs(n: number, fn: (i: number) => unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(100, n); i++) await fn(i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out.sort((a, b) => a - b);
}

const fieldsOf = (i: number) => ({
  nonce: 1_754_047_202_955_000n + BigInt(i),
  quantity: "0.5",
  side: "BID" as const,
  price: (2800 + (i % 1000) / 100).toFixed(2),
  maxFeesPercent: "0.001",
});

async function signFigures(): Promise<BenchFigure[]> {
  const signer = signerFromKeyBytes("secp256k1", KEY, "bench");
  const ours = (i: number) => walletSignature(signer, orderPayload(ETH, fieldsOf(i)));
  // biome-ignore lint/suspicious/noExplicitAny: ccxt's exchange classes are untyped here
  const ex = new (ccxt as any).hibachi({ privateKey: `0x${KEY.toString("hex")}` });
  ex.setMarkets([ex.parseMarket(ETH_INFO)]);
  const market = ex.market("ETH/USDT:USDT");
  const theirs = (i: number) => {
    const f = fieldsOf(i);
    const msg = ex.orderMessage(market, Number(f.nonce), 0.001, "limit", "buy", 0.5, Number(f.price));
    return ex.signMessage(msg, `0x${KEY.toString("hex")}`) as string;
  };
  if ((await ours(7)) !== theirs(7)) throw new Error("bench hibachi: ccxt and perpbot signatures differ");
  const oursUs = await timesUs(3000, ours);
  const ccxtUs = await timesUs(300, theirs);
  const p50 = percentile(oursUs, 50);
  const ratio = percentile(ccxtUs, 50) / p50;
  return [
    { key: "hb_sign_order_us_p50", value: p50, unit: "µs", target: "< 150 µs", ok: p50 < 150 },
    { key: "hb_sign_order_us_p99", value: percentile(oursUs, 99), unit: "µs" },
    { key: "hb_sign_ccxt_us_p50", value: percentile(ccxtUs, 50), unit: "µs" },
    { key: "hb_sign_vs_ccxt", value: ratio, unit: "x", target: ">= 3x", ok: ratio >= 3 },
  ];
}

function bookMessages(n: number): Record<string, unknown>[] {
  let seed = 4242;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: n }, () => {
    const mid = 3000 + Math.floor(rnd() * 100) / 100;
    const side = (dir: number) => ({
      levels: Array.from({ length: 10 }, (_, k) => ({
        price: (mid + dir * (0.01 + k * 0.01)).toFixed(2),
        quantity: (rnd() * 5).toFixed(4),
      })),
    });
    return { topic: "orderbook", symbol: "ETH/USDT-P", data: { ask: side(1), bid: side(-1) } };
  });
}

async function bookFigures(): Promise<BenchFigure[]> {
  const info = ExchangeInfoSchema.parse({
    feeConfig: { tradeMakerFeeRate: "0", tradeTakerFeeRate: "0.00045" },
    futureContracts: [ContractSchema.parse({ ...ETH_INFO, tickSize: "0.01", stepSize: "0.0001" })],
    status: "NORMAL",
  });
  const inst = instrumentOf("hibachi", info.futureContracts[0], info);
  const clock = new WallClock();
  const feed = new MarketFeed({
    venueId: "hibachi",
    url: "ws://127.0.0.1:1/ws/market",
    clock,
    health: new StreamHealth(clock, "hibachi", 60_000),
    instrument: () => inst,
    problem: (_s, e) => {
      throw e;
    },
  });
  feed.add(inst);
  feed.subscribe({ symbol: inst.symbol, channel: "book" }, `book:${inst.symbol}`);
  const texts = bookMessages(20_000).map((m) => JSON.stringify(m));
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (const t of texts) feed.handle(JSON.parse(t));
    best = Math.max(best, texts.length / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  if (feed.book(inst.symbol)?.bestBidTicks() === undefined) throw new Error("bench hibachi: no book");
  await feed.close();
  return [{ key: "hb_book_msgs_per_s", value: best, unit: "msgs/s" }];
}

async function roundTripFigures(): Promise<BenchFigure[]> {
  const emu = await startHibachiEmulator({ ordersPerSecond: 1e6 });
  const venue = new HibachiVenue(
    HibachiConfigSchema.parse({ trade_url: emu.url, request_timeout_ms: 5000 }),
    new WallClock(),
  );
  try {
    const signer = signerFromKeyBytes("secp256k1", KEY, "bench");
    emu.driver.addAccount({
      accountId: 9,
      apiKey: "bench-key",
      key: { kind: "trustless", publicKeyHex: signer.publicKey },
      usdt: 1e6,
    });
    emu.driver.setBook({
      symbol: "BTC/USDT-P",
      bidPx: 59_999.9,
      askPx: 60_000,
      qty: 5,
      levels: 10,
      stepPx: 0.1,
    });
    await venue.connect();
    await venue.bindAccount({
      account: "bench",
      identity: { subAccount: "9", apiKeyId: "bench-key" },
      signer,
    });
    const inst = venue.instrument("BTC/USDT-P");
    return await submitCancelFigures(venue, {
      account: "bench",
      symbol: inst.symbol,
      priceTicks: inst.price(50_000),
      sizeLots: inst.size("0.001"),
      prefix: "hb",
    });
  } finally {
    await venue.close();
    await emu.close();
  }
}

const suite: BenchSuite = async () => [
  ...(await signFigures()),
  ...(await bookFigures()),
  ...(await roundTripFigures()),
];
export default suite;
