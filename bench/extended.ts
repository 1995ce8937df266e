/**
 * Extended, two figures on this machine:
 *
 * - sign cost per order: OrderRequest → POST /user/order body (amounts, SNIP-12 rev 1 Poseidon
 *   message hash, Stark ECDSA through the wallet signer), ours beside ccxt's
 *   `createOrderSettlementData` (its own Poseidon hash and @scure/starknet-based signer) for the
 *   same order; both are RFC 6979 deterministic, so the two r values must be equal or the race
 *   is moot;
 * - book messages decoded per second, WebSocket text to an applied book: ours (BookStream:
 *   the direct reader book-scan.ts, whose odd frames would fall back to JSON.parse + zod; seq
 *   check, L2Book.apply) beside ccxt pro `extended.handleOrderBook`
 *   (JSON.parse first, as its client does) on the same frames: a SNAPSHOT then DELTAs in the
 *   venue's shape (seq +1 each, 1 to 6 levels a side, some removals), generated here since no
 *   recorded Extended feed is in ../shared/data. The books are not compared: ccxt stores a
 *   delta's `q` as the level's size, the official SDK (and we) add it as a change.
 *
 * Run alone: `node bench/run.ts --only extended`.
 */
import ccxt from "ccxt";
import { L2Book } from "../src/data/book.ts";
import { scanBookFrame } from "../src/venues/extended/book-scan.ts";
import { BookStream } from "../src/venues/extended/book-stream.ts";
import { instrumentOf } from "../src/venues/extended/capabilities.ts";
import { MARKETS } from "../src/venues/extended/fixtures/payloads.ts";
import { orderBody } from "../src/venues/extended/orders.ts";
import { MarketSchema } from "../src/venues/extended/parse.ts";
import { MAINNET_DOMAIN } from "../src/venues/extended/signing.ts";
import { signerFromKeyBytes } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const KEY = Buffer.from("07a7ff6fd3cab02ccdcd4a572563f5976f8976899b03a39773795a3c486d4986", "hex");
const market = MarketSchema.parse(MARKETS.data[0]);
const inst = instrumentOf("extended", market, { makerFeeBps: 0, takerFeeBps: 2.5 });
const EXPIRY = 1_735_689_600_000;

async function timesUs(n: number, fn: (i: number) => unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(50, n); i++) await fn(i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out.sort((a, b) => a - b);
}

const orderOf = (i: number) => ({
  clientOrderId: `pb${String(i).padStart(30, "0")}`,
  account: "bench",
  symbol: "BTC-USD",
  side: "buy" as const,
  type: "limit" as const,
  priceTicks: inst.price(60_000) + (i % 1000),
  sizeLots: inst.size("0.0015"),
  tif: "post_only" as const,
  reduceOnly: false,
});

async function signFigures(): Promise<BenchFigure[]> {
  const signer = signerFromKeyBytes("stark", KEY, "bench");
  const ctx = (i: number) => ({
    inst,
    market,
    vault: 10002,
    signer,
    domain: MAINNET_DOMAIN,
    maxFeeRate: "0.0005",
    expiryEpochMillis: EXPIRY,
    nonce: 1000 + i,
  });
  const ours = (i: number) => orderBody(orderOf(i), ctx(i));
  const ex = new ccxt.extended();
  ex.privateKey = `0x${KEY.toString("hex")}`;
  const theirs = (i: number) =>
    ex.createOrderSettlementData(
      true,
      inst.sizeText(orderOf(i).sizeLots),
      inst.priceText(orderOf(i).priceTicks),
      {
        totalFee: "0.0005",
        settlementExpiration: Math.ceil(EXPIRY / 1000) + 14 * 86_400,
        nonce: 1000 + i,
        starkKey: `0x${signer.publicKey}`,
        collateralPosition: "10002",
        syntheticId: market.l2Config.syntheticId,
        collateralId: market.l2Config.collateralId,
        syntheticResolution: market.l2Config.syntheticResolution,
        collateralResolution: market.l2Config.collateralResolution,
      },
    );
  const mine = (await ours(7)).settlement.signature.r;
  const their = (theirs(7) as { r: string }).r;
  if (BigInt(mine) !== BigInt(their)) throw new Error(`bench extended: ccxt signed r=${their}, we r=${mine}`);
  const oursUs = await timesUs(1500, ours);
  const ccxtUs = await timesUs(300, theirs);
  const p50 = percentile(oursUs, 50);
  return [
    { key: "xt_sign_order_us_p50", value: p50, unit: "µs" },
    { key: "xt_sign_order_us_p99", value: percentile(oursUs, 99), unit: "µs" },
    { key: "xt_sign_ccxt_us_p50", value: percentile(ccxtUs, 50), unit: "µs" },
    { key: "xt_sign_vs_ccxt", value: percentile(ccxtUs, 50) / p50, unit: "x" },
  ];
}

/** A SNAPSHOT then DELTAs (level-size changes, seq +1) around 60 000. */
function bookFrames(n: number): string[] {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const level = (dir: number) => (60_000 + dir * (0.1 + Math.floor(rnd() * 200) / 10)).toFixed(1);
  const snap = (dir: number) =>
    Array.from({ length: 200 }, (_, i) => ({ p: (60_000 + dir * (0.1 + i / 10)).toFixed(1), q: "1" }));
  const out = [
    JSON.stringify({ ts: 1, type: "SNAPSHOT", data: { m: "BTC-USD", b: snap(-1), a: snap(1) }, seq: 1 }),
  ];
  for (let i = 0; i < n; i++) {
    const side = (dir: number) =>
      Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => ({
        p: level(dir),
        q: (rnd() * 0.5).toFixed(5),
      }));
    out.push(
      JSON.stringify({
        ts: 2 + i,
        type: "DELTA",
        data: { m: "BTC-USD", b: side(-1), a: side(1) },
        seq: i + 2,
      }),
    );
  }
  return out;
}

async function bookFigures(): Promise<BenchFigure[]> {
  const frames = bookFrames(20_000);
  // the figure is the direct reader's (book-scan.ts): every generated frame must take it
  if (frames.some((f) => scanBookFrame(f) === undefined))
    throw new Error("bench extended: a generated frame fell back to JSON + zod");
  let stream = new BookStream(new L2Book(inst), inst, "extended");
  const ours = (text: string) => {
    if (stream.onText(text) === "gap") throw new Error("bench extended: gap in generated frames");
  };
  const ex = new ccxt.pro.extended();
  const cm = ex.parseMarket(MARKETS.data[0] as unknown as Record<string, unknown>);
  if (cm === undefined) throw new Error("bench extended: ccxt parsed no market");
  ex.setMarkets([cm]);
  const client = {
    resolve: () => undefined,
    reject: () => undefined,
    subscriptions: {},
  } as unknown as Parameters<typeof ex.handleOrderBook>[0];
  const theirs = (text: string) => ex.handleOrderBook(client, JSON.parse(text));
  const round = (feed: (t: string) => void, reset: () => void) => {
    reset();
    const t0 = process.hrtime.bigint();
    for (const f of frames) feed(f);
    return frames.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  let oursPerS = 0;
  let ccxtPerS = 0;
  for (let r = 0; r < 5; r++) {
    oursPerS = Math.max(
      oursPerS,
      round(ours, () => {
        stream = new BookStream(new L2Book(inst), inst, "extended");
      }),
    );
    ccxtPerS = Math.max(
      ccxtPerS,
      round(theirs, () => {
        delete ex.orderbooks[cm.symbol];
      }),
    );
  }
  return [
    { key: "xt_book_msgs_per_s", value: oursPerS, unit: "msgs/s" },
    { key: "xt_book_ccxt_msgs_per_s", value: ccxtPerS, unit: "msgs/s" },
    { key: "xt_book_vs_ccxt", value: oursPerS / ccxtPerS, unit: "x" },
  ];
}

const suite: BenchSuite = async () => [...(await signFigures()), ...(await bookFigures())];
export default suite;
