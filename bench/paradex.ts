/**
 * Paradex, three figures on this machine:
 *
 * - sign cost per order: the Order typed data (SNIP-12 rev 0) → Pedersen message hash → Stark
 *   ECDSA through the wallet signer → `["r","s"]`, ours (typed-data.ts, signing.ts) beside ccxt's
 *   `signOrderRequest` of the same order; the two signatures must be equal (RFC 6979 nonces) or
 *   the race is moot;
 * - book messages per second, socket text to an applied book: ours (ws.ts readFrame, public-feed.ts
 *   with its zod schema, L2Book.apply) beside ccxt pro `paradex.handleOrderBook` (JSON.parse first,
 *   as its client does) on the same `order_book.{m}.snapshot@15@100ms` messages, generated here in
 *   the published shape (15 levels a side; no recorded Paradex feed is in ../shared/data);
 * - emulator round trip on loopback: a signed post-only order (answer + the socket's OPEN) and its
 *   cancel through the connector against `perpbot emulate paradex`'s server, p50 and p99.
 *
 * Run alone: `node bench/run.ts --only paradex`.
 */
import ccxt from "ccxt";
import { WallClock } from "../src/core/clock.ts";
import { L2Book } from "../src/data/book.ts";
import { instrumentOf } from "../src/venues/paradex/capabilities.ts";
import { ParadexConfigSchema } from "../src/venues/paradex/config.ts";
import { startParadexEmulator } from "../src/venues/paradex/emulator/start.ts";
import { perpMarket } from "../src/venues/paradex/emulator/state.ts";
import { MarketSchema } from "../src/venues/paradex/parse.ts";
import { BOOK_CHANNEL_SUFFIX, PublicFeed } from "../src/venues/paradex/public-feed.ts";
import { MAINNET_CHAIN, orderTypedData, signTyped } from "../src/venues/paradex/signing.ts";
import { ParadexVenue } from "../src/venues/paradex/venue.ts";
import { readFrame } from "../src/venues/paradex/ws.ts";
import { signerFromKeyBytes } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";
import { submitCancelFigures } from "./venue-round-trip.ts";

const KEY = Buffer.alloc(32, 0x03);
const ACCOUNT = "0x129f3dc1b8962d8a87abc692424c78fda963ade0e1cd17bf3d1c26f8d41ee7a";
const SYMBOL = "BTC-USD-PERP";
const MARKET = perpMarket("BTC", "0.001", "0.1");

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
  market: SYMBOL,
  side: "BUY" as const,
  type: "LIMIT" as const,
  size: "0.01",
  price: (60_000 + (i % 1000) / 10).toFixed(1),
});

async function signFigures(): Promise<BenchFigure[]> {
  const signer = signerFromKeyBytes("stark", KEY, "bench");
  const ts = 1_764_547_200_000;
  const ours = (i: number) => {
    const o = orderOf(i);
    return signTyped(
      signer,
      orderTypedData(MAINNET_CHAIN, {
        timestampMs: ts,
        market: o.market,
        side: o.side,
        orderType: o.type,
        size: o.size,
        price: o.price,
      }),
      ACCOUNT,
    );
  };
  const ex = new ccxt.paradex();
  ex.options.paradexAccount = {
    privateKey: `0x${KEY.toString("hex")}`,
    publicKey: `0x${signer.publicKey}`,
    address: ACCOUNT,
  };
  ex.options.systemConfig = { starknet_chain_id: MAINNET_CHAIN };
  ex.nonce = () => ts / 1000;
  const theirs = async (i: number) =>
    ((await ex.signOrderRequest({ ...orderOf(i) })) as { signature: string }).signature;
  if ((await ours(7)) !== (await theirs(7)))
    throw new Error("bench paradex: ccxt and we signed the same order differently");
  const oursUs = await timesUs(500, ours);
  const ccxtUs = await timesUs(200, theirs);
  const p50 = percentile(oursUs, 50);
  const ratio = percentile(ccxtUs, 50) / p50;
  return [
    { key: "pdx_sign_order_us_p50", value: p50, unit: "µs" },
    { key: "pdx_sign_order_us_p99", value: percentile(oursUs, 99), unit: "µs" },
    { key: "pdx_sign_ccxt_us_p50", value: percentile(ccxtUs, 50), unit: "µs" },
    { key: "pdx_sign_vs_ccxt", value: ratio, unit: "x", target: ">= 1x", ok: ratio >= 1 },
  ];
}

/** order_book snapshots in the published shape: 15 levels a side around 60 000, sizes moving. */
function bookMessages(n: number): string[] {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const channel = `order_book.${SYMBOL}${BOOK_CHANNEL_SUFFIX}`;
  return Array.from({ length: n }, (_, i) => {
    const mid = 60_000 + Math.floor(rnd() * 20) / 10;
    const side = (s: "BUY" | "SELL", dir: number) =>
      Array.from({ length: 15 }, (_, k) => ({
        side: s,
        price: (mid + dir * (0.1 + k * 0.1)).toFixed(1),
        size: (0.001 + rnd() * 2).toFixed(3),
      }));
    const data = {
      seq_no: 1000 + i,
      market: SYMBOL,
      last_updated_at: 1_764_547_200_000 + i * 100,
      update_type: "s",
      inserts: [...side("BUY", -1), ...side("SELL", 1)],
      updates: [],
      deletes: [],
    };
    return JSON.stringify({ jsonrpc: "2.0", method: "subscription", params: { channel, data } });
  });
}

async function bookFigures(): Promise<BenchFigure[]> {
  const inst = instrumentOf("paradex", MarketSchema.parse(MARKET), { makerFeeBps: 0, takerFeeBps: 2 });
  const book = new L2Book(inst);
  const feed = new PublicFeed({
    venueId: "paradex",
    instrument: () => inst,
    book: () => book,
    subscribed: () => true,
    message: () => undefined,
    setMark: () => undefined,
    setFunding: () => undefined,
    publish: () => undefined,
  });
  const ours = (text: string) => {
    const f = readFrame(text);
    if (typeof f !== "string" && "params" in f) feed.onData(f.params.channel, f.params.data);
  };
  const ex = new ccxt.pro.paradex();
  const cm = ex.parseMarket(MARKET);
  if (cm === undefined) throw new Error("bench paradex: ccxt parsed no market");
  ex.setMarkets([cm]);
  const client = { resolve: () => undefined } as unknown as Parameters<typeof ex.handleOrderBook>[0];
  const theirs = (text: string) => ex.handleOrderBook(client, JSON.parse(text));
  const messages = bookMessages(5000);
  for (const m of messages) ours(m);
  for (const m of messages) theirs(m);
  const theirBook = ex.orderbooks[cm.symbol] as unknown as { bids: number[][] };
  if (Math.abs(inst.priceValue(book.bestBidTicks() ?? 0) - (theirBook.bids[0]?.[0] ?? Number.NaN)) > 1e-9)
    throw new Error("bench paradex: the two books differ");
  const round = (feedFn: (t: string) => void) => {
    const t0 = process.hrtime.bigint();
    for (const m of messages) feedFn(m);
    return messages.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  let oursPerS = 0;
  let ccxtPerS = 0;
  for (let r = 0; r < 5; r++) {
    oursPerS = Math.max(oursPerS, round(ours));
    ccxtPerS = Math.max(ccxtPerS, round(theirs));
  }
  return [
    { key: "pdx_book_msgs_per_s", value: oursPerS, unit: "msgs/s" },
    { key: "pdx_book_ccxt_msgs_per_s", value: ccxtPerS, unit: "msgs/s" },
    {
      key: "pdx_book_vs_ccxt",
      value: oursPerS / ccxtPerS,
      unit: "x",
      target: ">= 1x",
      ok: oursPerS >= ccxtPerS,
    },
  ];
}

async function roundTripFigures(): Promise<BenchFigure[]> {
  const emu = await startParadexEmulator({
    scheduledFunding: false,
    ordersPerSecond: 1e6,
    getsPerSecond: 1e6,
  });
  const signer = signerFromKeyBytes("stark", KEY, "bench");
  emu.driver.onboard(ACCOUNT, `0x${signer.publicKey}`);
  emu.driver.fund(ACCOUNT, 1_000_000);
  emu.driver.setBook({ symbol: SYMBOL, bidPx: 59_999.9, askPx: 60_000, qty: 5, levels: 10, stepPx: 0.1 });
  const venue = new ParadexVenue(
    ParadexConfigSchema.parse({ rest_url: emu.url, request_timeout_ms: 5000 }),
    new WallClock(),
  );
  try {
    await venue.connect();
    await venue.bindAccount({ account: "bench", identity: { address: ACCOUNT }, signer });
    const inst = venue.instrument(SYMBOL);
    return await submitCancelFigures(venue, {
      account: "bench",
      symbol: SYMBOL,
      priceTicks: inst.price(50_000),
      sizeLots: inst.size("0.001"),
      prefix: "pdx",
      rounds: 200,
      cid: (i) => `pbbench${i}`,
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
