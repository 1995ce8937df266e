/**
 * Lighter: the official signer's cost per order (WASM `SignCreateOrder` plus our read-back of the
 * signed tx_info), book messages decoded and applied per second (ours: the direct reader of
 * book-scan.ts, the nonce-chain check, L2Book; beside ccxt pro `lighter.handleOrderBook` on the same texts), and the
 * emulator's `sendTx` round trip on loopback. No recorded Lighter feed exists in ../shared/data,
 * so the book messages are synthetic, in the venue's shape (ccxt pro's own sample), 10 changed
 * levels each around a 20-level book. ccxt's Lighter signing is not raced: with this WASM build
 * it signs nonce 0 (VENUES.md §0), so its figure would be for a wrong transaction.
 *
 * Run alone: `node bench/run.ts --only lighter`.
 */
import ccxt from "ccxt";
import { readMessage } from "../src/venues/lighter/book-scan.ts";
import { BookSync } from "../src/venues/lighter/book-sync.ts";
import { instrumentOf } from "../src/venues/lighter/capabilities.ts";
import { startLighterEmulator } from "../src/venues/lighter/emulator/start.ts";
import { ORDER_BOOK_DETAILS } from "../src/venues/lighter/fixtures/payloads.ts";
import { generateApiKey, LighterTxSigner } from "../src/venues/lighter/signing.ts";
import { signerFromKeyBytes } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, opsPerSecond, percentile } from "./harness.ts";

function timesUs(n: number, fn: (i: number) => void | Promise<void>): Promise<number[]> | number[] {
  const out: number[] = [];
  const first = fn(0);
  if (first instanceof Promise)
    return (async () => {
      await first;
      for (let i = 1; i < n; i++) {
        const t = process.hrtime.bigint();
        await fn(i);
        out.push(Number(process.hrtime.bigint() - t) / 1e3);
      }
      return out.sort((a, b) => a - b);
    })();
  for (let i = 1; i < Math.min(200, n); i++) fn(i); // warm-up
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out.sort((a, b) => a - b);
}

/** A snapshot and `n` updates of market 0, each continuing the previous nonce. */
function bookTexts(n: number): string[] {
  const lv = (p: number, s: number) => ({ price: p.toFixed(2), size: s.toFixed(4) });
  const out: string[] = [];
  const bids = Array.from({ length: 20 }, (_, i) => lv(3000 - i * 0.01, 1 + i));
  const asks = Array.from({ length: 20 }, (_, i) => lv(3000.01 + i * 0.01, 1 + i));
  let nonce = 1000;
  out.push(
    JSON.stringify({
      type: "subscribed/order_book",
      channel: "order_book:0",
      offset: 1,
      order_book: { code: 0, asks, bids, offset: 1, nonce, begin_nonce: nonce },
      timestamp: 1,
    }),
  );
  for (let k = 0; k < n; k++) {
    const b = Array.from({ length: 5 }, (_, i) =>
      lv(3000 - ((k + i) % 20) * 0.01, ((k * 7 + i) % 13) + (k % 3 === 0 && i === 4 ? 0 : 0.5)),
    );
    const a = Array.from({ length: 5 }, (_, i) =>
      lv(3000.01 + ((k + i) % 20) * 0.01, ((k * 5 + i) % 11) + 0.25),
    );
    const begin = nonce;
    nonce += 3;
    out.push(
      JSON.stringify({
        type: "update/order_book",
        channel: "order_book:0",
        offset: k + 2,
        order_book: { code: 0, asks: a, bids: b, offset: k + 2, nonce, begin_nonce: begin },
        timestamp: k + 2,
      }),
    );
  }
  return out;
}

const suite: BenchSuite = async () => {
  // ---- signing
  const key = await generateApiKey();
  const signer = await LighterTxSigner.create({
    holder: signerFromKeyBytes("ecgfp5", key.privateKey, "bench"),
    accountIndex: 100,
    apiKeyIndex: 3,
    chainId: 300,
    url: "http://127.0.0.1:1",
  });
  key.privateKey.fill(0);
  const expiry = Date.now() + 3_600_000;
  const order = (i: number) => ({
    marketIndex: 0,
    clientOrderIndex: i + 1,
    baseAmount: 100,
    price: 300_000 + (i % 1000),
    isAsk: 0 as const,
    type: 0,
    timeInForce: 1,
    reduceOnly: 0 as const,
    triggerPrice: 0,
    orderExpiry: expiry,
  });
  const signUs = (await timesUs(3000, (i) => void signer.createOrder(order(i), i))) as number[];
  const signPerS = opsPerSecond(() => {
    for (let i = 0; i < 20; i++) signer.createOrder(order(i), i);
    return 20;
  }, 1000);

  // ---- book messages
  const [eth] = ORDER_BOOK_DETAILS.order_book_details;
  const inst = instrumentOf("lighter", eth as never);
  const texts = bookTexts(5000);
  const ours = () => {
    const b = new BookSync(
      inst,
      "lighter",
      () => undefined,
      () => {
        throw new Error("bench lighter: a gap in the synthetic chain");
      },
    );
    // the socket's path (ws.ts: book-scan.ts, JSON only for other forms), then the book
    for (const t of texts) b.onMessage(readMessage(t), 0);
    return inst.priceValue(b.book.bestBidTicks() ?? 0);
  };
  const ex = new ccxt.pro.lighter({});
  // ccxt offline: its market list answered from the same recorded orderBookDetails, no request
  (ex as unknown as { publicGetOrderBookDetails: () => Promise<unknown> }).publicGetOrderBookDetails =
    async () => ({
      ...ORDER_BOOK_DETAILS,
      order_book_details: [{ ...eth, market_type: "perp" }],
    });
  ex.setMarkets(await ex.fetchMarkets());
  const market = ex.safeMarket("0");
  const client = { resolve: () => {} } as unknown as Parameters<typeof ex.handleOrderBook>[0];
  const peer = () => {
    for (const t of texts) ex.handleOrderBook(client, JSON.parse(t));
    return (ex.orderbooks[market.symbol]?.bids?.[0]?.[0] as number | undefined) ?? 0;
  };
  const bestOurs = ours();
  const bestPeer = peer();
  if (Math.abs(bestOurs - bestPeer) > 1e-9)
    throw new Error(`bench lighter: best bid ours ${bestOurs}, ccxt ${bestPeer}`);
  // rounds of ~300 ms alternate, ours then ccxt's (the machine's load shifts between them
  // alike), the best of five each
  let oursRate = 0;
  let peerRate = 0;
  for (let r = 0; r < 5; r++) {
    oursRate = Math.max(
      oursRate,
      opsPerSecond(() => {
        ours();
        return texts.length;
      }, 300),
    );
    peerRate = Math.max(
      peerRate,
      opsPerSecond(() => {
        peer();
        return texts.length;
      }, 300),
    );
  }

  // ---- emulator round trip (sendTx queued answer, keep-alive)
  const emu = await startLighterEmulator({ scheduledFunding: false, perMinute: 1e9 });
  const k2 = await generateApiKey();
  const idx = emu.driver.createAccount(`0x${"ab".repeat(20)}`, 1e9);
  emu.driver.registerKey(idx, 3, k2.publicKeyHex);
  const s2 = await LighterTxSigner.create({
    holder: signerFromKeyBytes("ecgfp5", k2.privateKey, "bench2"),
    accountIndex: idx,
    apiKeyIndex: 3,
    chainId: 300,
    url: emu.url,
  });
  const N = 1500;
  const bodies = Array.from({ length: N + 1 }, (_, i) => {
    const tx = s2.createOrder({ ...order(i), price: 250_000 + (i % 1000) }, i);
    return new URLSearchParams({ tx_type: String(tx.txType), tx_info: tx.txInfo }).toString();
  });
  const rt = (await timesUs(N, async (i) => {
    const res = await fetch(`${emu.url}/api/v1/sendTx`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: bodies[i],
    });
    const j = (await res.json()) as { code: number };
    if (j.code !== 200) throw new Error(`bench lighter: sendTx ${JSON.stringify(j)}`);
  })) as number[];
  await emu.close();

  const p50 = percentile(signUs, 50);
  return [
    { key: "lt_order_sign_us_p50", value: p50, unit: "µs" },
    { key: "lt_order_sign_us_p99", value: percentile(signUs, 99), unit: "µs" },
    { key: "lt_order_sign_per_s", value: signPerS, unit: "orders/s" },
    { key: "lt_book_msgs_per_s", value: oursRate, unit: "msg/s" },
    { key: "lt_book_ccxt_msgs_per_s", value: peerRate, unit: "msg/s" },
    {
      key: "lt_book_vs_ccxt_x",
      value: oursRate / peerRate,
      unit: "x",
      target: ">= 3",
      ok: oursRate / peerRate >= 3,
    },
    { key: "lt_emu_sendtx_rt_us_p50", value: percentile(rt, 50), unit: "µs" },
    { key: "lt_emu_sendtx_rt_us_p99", value: percentile(rt, 99), unit: "µs" },
  ] satisfies BenchFigure[];
};

export default suite;
