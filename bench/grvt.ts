/**
 * GRVT, two figures on this machine:
 *
 * - sign cost per order: the order's EIP-712 message (decimal scaling, struct hash over the
 *   generic encoder, domain separator cached) → digest → secp256k1 through the wallet signer,
 *   ours beside ccxt's `createSignedRequest` of the same order (its own EIP-712 encoder and
 *   pure-JS secp256k1); the two signatures must be equal (RFC 6979 nonces) or the race is moot;
 * - book messages decoded per second: `v1.book.s` frames (WebSocket text, generated here in the
 *   venue's shape: 50 levels a side, since no recorded GRVT feed is in ../shared/data) read as
 *   the public socket reads them (the direct reader book-scan.ts, whose odd frames would fall
 *   back to JSON.parse + zod) and applied through GrvtMarketData to its L2Book, beside ccxt pro
 *   `grvt.handleOrderBook` (after JSON.parse, as its client does) on the same frames;
 * - book deltas applied per second: a `v1.book.d` snapshot then 20 000 sequenced deltas through
 *   the connector's feed path (frame schema, GrvtMarketData, sequence check, L2Book), beside ccxt
 *   pro `handleOrderBook` on the same frames; both books must agree at the top.
 *
 * Run alone: `node bench/run.ts --only grvt`.
 */
import ccxt from "ccxt";
import { Rng } from "../src/core/random.ts";
import { BTC_INSTRUMENT } from "../src/testing/grvt-ccxt.ts";
import { scanBookFrame } from "../src/venues/grvt/book-scan.ts";
import { GRVT_DEFAULT_FEES, instrumentOf, scaleOf } from "../src/venues/grvt/capabilities.ts";
import { GrvtMarketData } from "../src/venues/grvt/market-data.ts";
import { FeedFrameSchema, InstrumentSchema } from "../src/venues/grvt/parse.ts";
import { createOrderBody, type OrderInput, signOrder } from "../src/venues/grvt/signing.ts";
import { signerFromKeyBytes } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const KEY = Buffer.alloc(32, 0x5a);
const MARKET = BTC_INSTRUMENT;
const INFO = InstrumentSchema.parse(MARKET);
const SCALES = new Map([[INFO.instrument, scaleOf(INFO)]]);

const orderOf = (i: number): OrderInput => ({
  subAccountId: "2147050003876484",
  isMarket: false,
  timeInForce: "GOOD_TILL_TIME",
  postOnly: true,
  reduceOnly: false,
  legs: [
    {
      instrument: INFO.instrument,
      size: "0.015",
      limitPrice: (90_000 + (i % 1000) / 10).toFixed(1),
      isBuyingAsset: true,
    },
  ],
  nonce: 1000 + i,
  expirationNs: 1_767_000_030_000_000_000n,
  clientOrderId: String(1000 + i),
});

async function sortedUs(n: number, fn: (i: number) => unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(50, n); i++) await fn(i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out.sort((a, b) => a - b);
}

async function signFigures(): Promise<BenchFigure[]> {
  const signer = signerFromKeyBytes("secp256k1", KEY, "bench");
  // biome-ignore lint/suspicious/noExplicitAny: ccxt's exchange classes are untyped here
  const ex = new (ccxt as any).grvt({
    privateKey: `0x${KEY.toString("hex")}`,
    options: { builderFee: false },
  });
  ex.setMarkets([ex.parseMarket(MARKET)]);
  const theirs = (i: number) => {
    const o = orderOf(i);
    const body = createOrderBody(o, {
      signer: "",
      r: "",
      s: "",
      v: 0,
      expiration: o.expirationNs.toString(),
      nonce: o.nonce,
      chain_id: "325",
    });
    return ex.createSignedRequest(body.order, "EIP712_ORDER_TYPE").signature as { r: string; s: string };
  };
  const ours = (i: number) => signOrder(signer, orderOf(i), SCALES, 325);
  const a = await ours(7);
  const b = theirs(7);
  if (a.r !== b.r || a.s !== b.s) throw new Error(`bench grvt: ccxt signed ${b.r}, we ${a.r}`);
  const oursUs = await sortedUs(3000, ours);
  const ccxtUs = await sortedUs(300, theirs);
  const p50 = percentile(oursUs, 50);
  const ratio = percentile(ccxtUs, 50) / p50;
  return [
    { key: "grvt_sign_order_us_p50", value: p50, unit: "µs", target: "< 150 µs", ok: p50 < 150 },
    { key: "grvt_sign_order_us_p99", value: percentile(oursUs, 99), unit: "µs" },
    { key: "grvt_sign_ccxt_us_p50", value: percentile(ccxtUs, 50), unit: "µs" },
    { key: "grvt_sign_vs_ccxt", value: ratio, unit: "x", target: ">= 3x", ok: ratio >= 3 },
  ];
}

/** `v1.book.s` snapshot frames around 90 000, 50 levels a side, sizes varying. */
function bookFrames(n: number): string[] {
  let seed = 4242;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const mid = 90_000 + Math.floor(rnd() * 20) / 10;
    const side = (dir: number) =>
      Array.from({ length: 50 }, (_, k) => ({
        price: (mid + dir * (0.1 + k / 10)).toFixed(1),
        size: (0.001 + rnd() * 3).toFixed(3),
        num_orders: 1 + Math.floor(rnd() * 20),
      }));
    const feed = {
      event_time: `${1_767_292_408_400 + i}000000`,
      instrument: MARKET.instrument,
      bids: side(-1),
      asks: side(1),
    };
    out.push(
      JSON.stringify({
        stream: "v1.book.s",
        selector: `${MARKET.instrument}@500-50`,
        sequence_number: String(i + 1),
        feed,
        prev_sequence_number: String(i),
      }),
    );
  }
  return out;
}

/** A frame's text as the public socket reads it (ws.ts): the direct reader, else JSON + zod. */
const frameOf = (text: string) => scanBookFrame(text) ?? FeedFrameSchema.parse(JSON.parse(text));

async function bookFigures(): Promise<BenchFigure[]> {
  const inst = instrumentOf("grvt", INFO, GRVT_DEFAULT_FEES);
  const md = new GrvtMarketData("grvt", (s) => (s === inst.symbol ? inst : undefined));
  const book = md.book(inst);
  const frames = bookFrames(2000);
  // the figure is the direct reader's (book-scan.ts): every generated frame must take it
  if (frames.some((f) => scanBookFrame(f) === undefined))
    throw new Error("bench grvt: a generated frame fell back to JSON + zod");
  const ours = (text: string) => md.onFrame(frameOf(text));
  // biome-ignore lint/suspicious/noExplicitAny: ccxt's exchange classes are untyped here
  const ex = new (ccxt as any).pro.grvt();
  ex.setMarkets([ex.parseMarket(MARKET)]);
  const client = { resolve: () => undefined };
  const theirs = (text: string) => ex.handleOrderBook(client, JSON.parse(text));
  for (const m of frames) ours(m);
  for (const m of frames) theirs(m);
  const theirBook = ex.orderbooks[ex.markets_by_id?.[MARKET.instrument]?.[0]?.symbol ?? "BTC/USDT:USDT"] as {
    bids: number[][];
  };
  const ourBid = inst.priceValue(book.bestBidTicks() ?? 0);
  if (Math.abs(ourBid - (theirBook?.bids[0]?.[0] ?? Number.NaN)) > 1e-9)
    throw new Error(`bench grvt: books differ (ours ${ourBid}, ccxt ${theirBook?.bids[0]?.[0]})`);
  const round = (feed: (t: string) => void) => {
    const t0 = process.hrtime.bigint();
    for (const m of frames) feed(m);
    return frames.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  let oursPerS = 0;
  let ccxtPerS = 0;
  for (let r = 0; r < 5; r++) {
    oursPerS = Math.max(oursPerS, round(ours));
    ccxtPerS = Math.max(ccxtPerS, round(theirs));
  }
  return [
    { key: "grvt_book_msgs_per_s", value: oursPerS, unit: "msgs/s" },
    { key: "grvt_book_ccxt_msgs_per_s", value: ccxtPerS, unit: "msgs/s" },
    { key: "grvt_book_vs_ccxt", value: oursPerS / ccxtPerS, unit: "x" },
  ];
}

/**
 * `v1.book.d` frames: a 50-level snapshot (sequence 0), then deltas 1, 2, … each changing four
 * levels near the top (a size, or "0" removing a level that a later delta puts back).
 */
function deltaFrames(n: number): string[] {
  const rng = new Rng(99);
  const rnd = () => rng.next();
  const px = (dir: number, k: number) => (90_000 + dir * (0.1 + k / 10)).toFixed(1);
  const lv = (dir: number, k: number, zero: boolean) => ({
    price: px(dir, k),
    size: zero ? "0" : (0.001 + rnd() * 3).toFixed(3),
    num_orders: 1,
  });
  const wrap = (seq: number, bids: unknown[], asks: unknown[]) =>
    JSON.stringify({
      stream: "v1.book.d",
      selector: `${MARKET.instrument}@100`,
      sequence_number: String(seq),
      feed: { event_time: `${1_767_292_408_400 + seq}000000`, instrument: MARKET.instrument, bids, asks },
      prev_sequence_number: String(Math.max(0, seq - 1)),
    });
  const full = (dir: number) => Array.from({ length: 50 }, (_, k) => lv(dir, k, false));
  const out = [wrap(0, full(-1), full(1))];
  for (let i = 1; i < n; i++) {
    const pick = (dir: number) => lv(dir, Math.floor(rnd() * 20), rnd() < 0.2);
    out.push(wrap(i, [pick(-1), pick(-1)], [pick(1), pick(1)]));
  }
  return out;
}

/** Deltas applied per second through the connector's feed path (GrvtMarketData), beside ccxt pro. */
async function deltaFigures(): Promise<BenchFigure[]> {
  const inst = instrumentOf("grvt", INFO, GRVT_DEFAULT_FEES);
  const frames = deltaFrames(20_001);
  const deltas = frames.length - 1;
  const fresh = () => new GrvtMarketData("grvt", (s) => (s === inst.symbol ? inst : undefined));
  const oursRound = () => {
    const md = fresh();
    for (const m of frames) md.onFrame(frameOf(m));
    return md;
  };
  // biome-ignore lint/suspicious/noExplicitAny: ccxt's exchange classes are untyped here
  const ex = new (ccxt as any).pro.grvt();
  ex.setMarkets([ex.parseMarket(MARKET)]);
  const client = { resolve: () => undefined };
  const theirsRound = () => {
    for (const m of frames) ex.handleOrderBook(client, JSON.parse(m));
  };
  const md = oursRound();
  theirsRound();
  const sync = md.deltas(inst, `${MARKET.instrument}@100`);
  if (sync.applied !== deltas || sync.gaps !== 0)
    throw new Error(`bench grvt: ${sync.applied} of ${deltas} deltas applied, ${sync.gaps} gaps`);
  const theirBook = ex.orderbooks[Object.keys(ex.orderbooks)[0]] as { bids: number[][]; asks: number[][] };
  const book = md.book(inst);
  const ourTop = [book.bestBidTicks(), book.bestAskTicks()].map((t) => inst.priceValue(t ?? 0));
  if (Math.abs(ourTop[0] - theirBook.bids[0][0]) > 1e-9 || Math.abs(ourTop[1] - theirBook.asks[0][0]) > 1e-9)
    throw new Error(
      `bench grvt: delta books differ (ours ${ourTop}, ccxt ${theirBook.bids[0][0]}/${theirBook.asks[0][0]})`,
    );
  const time = (fn: () => unknown) => {
    const t0 = process.hrtime.bigint();
    fn();
    return deltas / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  let oursPerS = 0;
  let ccxtPerS = 0;
  for (let r = 0; r < 5; r++) {
    oursPerS = Math.max(oursPerS, time(oursRound));
    ccxtPerS = Math.max(ccxtPerS, time(theirsRound));
  }
  return [
    { key: "grvt_book_deltas_per_s", value: oursPerS, unit: "deltas/s" },
    { key: "grvt_book_deltas_ccxt_per_s", value: ccxtPerS, unit: "deltas/s" },
    { key: "grvt_book_deltas_vs_ccxt", value: oursPerS / ccxtPerS, unit: "x" },
  ];
}

const suite: BenchSuite = async () => [
  ...(await signFigures()),
  ...(await bookFigures()),
  ...(await deltaFigures()),
];
export default suite;
