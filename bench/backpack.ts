/**
 * Backpack, three figures on this machine:
 *
 * - sign cost per order: `orderExecute` body → signing text → ed25519 (node:crypto through the
 *   wallet signer) → headers, ours beside ccxt's `sign()` of the same order (ccxt signs with
 *   @noble/curves' pure-JS ed25519) and noble's raw sign; the two signatures must be equal
 *   (ed25519 is deterministic) or the race is moot;
 * - depth messages per second, WebSocket text to an applied book: ours (the direct reader of
 *   depth-scan.ts, BookSync's sequence check, L2Book.apply) beside ccxt pro `backpack.handleOrderBook`
 *   (JSON.parse first, as its client does) on the same messages: diffs generated here in the
 *   venue's documented shape (U/u chained, 1 to 6 levels a side, some removals), since no
 *   recorded Backpack feed is in ../shared/data;
 * - emulator round trip on loopback: a signed post-only order and its cancel through the
 *   connector (`submit`, `cancel`) against `perpbot emulate backpack`'s server, p50 and p99.
 *
 * Run alone: `node bench/run.ts --only backpack`.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import ccxt from "ccxt";
import { WallClock } from "../src/core/clock.ts";
import { BookSync } from "../src/venues/backpack/book-sync.ts";
import { instrumentOf } from "../src/venues/backpack/capabilities.ts";
import { BackpackConfigSchema } from "../src/venues/backpack/config.ts";
import { readFrame } from "../src/venues/backpack/depth-scan.ts";
import { startBackpackEmulator } from "../src/venues/backpack/emulator/start.ts";
import { MarketSchema } from "../src/venues/backpack/parse.ts";
import { signedHeaders, signingString } from "../src/venues/backpack/signing.ts";
import { BackpackVenue } from "../src/venues/backpack/venue.ts";
import { signerFromKeyBytes } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, percentile, submitCancelFigures } from "./harness.ts";

const SEED = Buffer.alloc(32, 0x5a);
const SYMBOL = "BTC_USDC_PERP";
const MARKET = {
  symbol: SYMBOL,
  baseSymbol: "BTC",
  quoteSymbol: "USDC",
  marketType: "PERP",
  filters: {
    price: { tickSize: "0.1", minPrice: "0.1", maxPrice: null },
    quantity: { stepSize: "0.00001", minQuantity: "0.00001", maxQuantity: null },
  },
  imfFunction: { type: "sqrt", base: "0.02", factor: "0.0001" },
  mmfFunction: { type: "sqrt", base: "0.01", factor: "0.0001" },
  fundingInterval: 3_600_000,
  orderBookState: "Open",
};

function timesUs(n: number, fn: (i: number) => unknown): number[] {
  for (let i = 0; i < Math.min(200, n); i++) fn(i); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out.sort((a, b) => a - b);
}

async function timesUsAsync(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out.sort((a, b) => a - b);
}

const orderOf = (i: number) => ({
  clientId: 1000 + i,
  orderType: "Limit",
  postOnly: true,
  price: (60_000 + (i % 1000) / 10).toFixed(1),
  quantity: "0.0015",
  side: "Bid",
  symbol: SYMBOL,
  timeInForce: "GTC",
});

function ccxtSigner() {
  const ex = new ccxt.backpack({
    apiKey: Buffer.from(ed25519.getPublicKey(SEED)).toString("base64"),
    secret: SEED.toString("base64"),
  });
  return (i: number, ts: number) => {
    ex.nonce = () => ts;
    return ex.sign("api/v1/order", "private", "POST", orderOf(i)) as { headers: Record<string, string> };
  };
}

async function signFigures(): Promise<BenchFigure[]> {
  const signer = signerFromKeyBytes("ed25519", SEED, "bench");
  const ts = 1_735_689_600_000;
  const ours = (i: number) => signedHeaders(signer, "orderExecute", undefined, orderOf(i), ts, 5000);
  const peer = ccxtSigner();
  // same order, same timestamp: the same signature, or the comparison is moot
  const mine = await ours(7);
  const theirs = peer(7, ts).headers;
  if (mine["X-Signature"] !== theirs["X-Signature"])
    throw new Error(`bench backpack: ccxt signed ${theirs["X-Signature"]}, we ${mine["X-Signature"]}`);
  const oursUs = await timesUsAsync(3000, ours);
  const ccxtUs = timesUs(500, (i) => peer(i, ts));
  const text = new TextEncoder().encode(signingString("orderExecute", undefined, orderOf(1), ts, 5000));
  const nobleUs = timesUs(500, () => ed25519.sign(text, SEED));
  const p50 = percentile(oursUs, 50);
  const ratio = percentile(ccxtUs, 50) / p50;
  return [
    { key: "bp_sign_order_us_p50", value: p50, unit: "µs", target: "< 50 µs", ok: p50 < 50 },
    { key: "bp_sign_order_us_p99", value: percentile(oursUs, 99), unit: "µs" },
    { key: "bp_sign_ccxt_us_p50", value: percentile(ccxtUs, 50), unit: "µs" },
    { key: "bp_sign_vs_ccxt", value: ratio, unit: "x", target: ">= 3x", ok: ratio >= 3 },
    { key: "bp_noble_ed25519_sign_us_p50", value: percentile(nobleUs, 50), unit: "µs" },
  ];
}

/** Depth diffs in the venue's shape, U/u chained from `from`, a few levels a side around 60 000. */
function depthMessages(n: number, from: number): string[] {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out: string[] = [];
  let u = from;
  for (let i = 0; i < n; i++) {
    const side = (dir: number) =>
      Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => [
        (60_000 + dir * (0.1 + Math.floor(rnd() * 200) / 10)).toFixed(1),
        rnd() < 0.2 ? "0" : (rnd() * 2).toFixed(5),
      ]);
    const U = u + 1;
    u = U + Math.floor(rnd() * 3);
    const E = 1_735_689_600_000_000 + i * 1000;
    out.push(
      JSON.stringify({
        stream: `depth.${SYMBOL}`,
        data: { e: "depth", E, s: SYMBOL, a: side(1), b: side(-1), U, u, T: E - 1 },
      }),
    );
  }
  return out;
}

async function depthFigures(): Promise<BenchFigure[]> {
  const market = MarketSchema.parse(MARKET);
  const inst = instrumentOf("backpack", market, { makerFeeBps: 2, takerFeeBps: 5 });
  const snapshot = {
    asks: [["60000.1", "1"]],
    bids: [["59999.9", "1"]],
    lastUpdateId: 100,
    timestamp: 1_735_689_600_000,
  };
  const messages = depthMessages(20_000, snapshot.lastUpdateId);
  let emitted = 0;
  const sync = new BookSync(
    inst,
    "backpack",
    async () => snapshot,
    () => emitted++,
  );
  await sync.resync();
  const ours = (text: string) => {
    // the socket's path (ws.ts #message: depth-scan.ts, JSON only for other forms) and the
    // venue's routing to the book (venue.ts)
    const f = readFrame(text);
    if (f !== undefined) sync.onDepth(f.data);
  };

  const ex = new ccxt.pro.backpack();
  const cm = ex.parseMarket(MARKET);
  if (cm === undefined) throw new Error("bench backpack: ccxt parsed no market");
  ex.setMarkets([cm]);
  // handleOrderBook only resolves the client's future: a stand-in with that one method
  const client = { resolve: () => undefined } as unknown as Parameters<typeof ex.handleOrderBook>[0];
  const freshCcxtBook = () => {
    const book = ex.orderBook({ bids: [[59_999.9, 1]], asks: [[60_000.1, 1]], nonce: 100 });
    ex.orderbooks[cm.symbol] = book;
  };
  const theirs = (text: string) => ex.handleOrderBook(client, JSON.parse(text));

  // one pass each, then the same end state: both books must agree or the race is moot
  for (const m of messages) ours(m);
  freshCcxtBook();
  for (const m of messages) theirs(m);
  const theirBook = ex.orderbooks[cm.symbol] as unknown as { bids: number[][]; asks: number[][] };
  const ourBid = inst.priceValue(sync.book.bestBidTicks() ?? 0);
  if (Math.abs(ourBid - (theirBook.bids[0]?.[0] ?? Number.NaN)) > 1e-9 || sync.gaps !== 0)
    throw new Error(
      `bench backpack: books differ (ours ${ourBid}, ccxt ${theirBook.bids[0]?.[0]}, gaps ${sync.gaps})`,
    );

  // each round: a fresh book, then every message once, timed as a whole; ours and ccxt's rounds
  // alternate (the machine's load shifts between them alike), the best of five each
  const round = async (feed: (t: string) => void, reset: () => Promise<void> | void) => {
    await reset();
    const t0 = process.hrtime.bigint();
    for (const m of messages) feed(m);
    return messages.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  let oursPerS = 0;
  let ccxtPerS = 0;
  for (let r = 0; r < 5; r++) {
    oursPerS = Math.max(oursPerS, await round(ours, () => sync.resync()));
    ccxtPerS = Math.max(ccxtPerS, await round(theirs, freshCcxtBook));
  }
  const ratio = oursPerS / ccxtPerS;
  void emitted;
  return [
    { key: "bp_depth_msgs_per_s", value: oursPerS, unit: "msgs/s" },
    { key: "bp_depth_ccxt_msgs_per_s", value: ccxtPerS, unit: "msgs/s" },
    { key: "bp_depth_vs_ccxt", value: ratio, unit: "x", target: ">= 3x", ok: ratio >= 3 },
  ];
}

async function roundTripFigures(): Promise<BenchFigure[]> {
  const emu = await startBackpackEmulator({ scheduledFunding: false, ipCapacity: 1e6, ipPerSecond: 1e6 });
  const venue = new BackpackVenue(
    BackpackConfigSchema.parse({ rest_url: emu.url, request_timeout_ms: 5000 }),
    new WallClock(),
  );
  try {
    const signer = signerFromKeyBytes("ed25519", SEED, "bench");
    const apiKey = Buffer.from(signer.publicKey, "hex").toString("base64");
    emu.driver.fund(apiKey, 1_000_000);
    emu.driver.setBook({ symbol: SYMBOL, bidPx: 59_999.9, askPx: 60_000, qty: 5, levels: 10, stepPx: 0.1 });
    await venue.connect();
    await venue.bindAccount({ account: "bench", identity: { apiKeyId: apiKey }, signer });
    const inst = venue.instrument(SYMBOL);
    return await submitCancelFigures("bp", venue, {
      account: "bench",
      symbol: SYMBOL,
      priceTicks: inst.price(50_000),
      sizeLots: inst.size("0.001"),
      n: 300,
      cid: (i) => String(i + 1),
    });
  } finally {
    await venue.close();
    await emu.close();
  }
}

const suite: BenchSuite = async () => [
  ...(await signFigures()),
  ...(await depthFigures()),
  ...(await roundTripFigures()),
];
export default suite;
