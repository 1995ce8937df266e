/**
 * Hyperliquid order signing: tick to signed `/exchange` body (wire action, msgpack, keccak,
 * EIP-712 phantom agent, secp256k1, JSON), ours beside ccxt's `createOrdersRequest` for the same
 * order in the same run (ccxt offline: markets set by hand, no builder fee, never at run time),
 * plus the raw secp256k1 backends we chose between (native libsecp256k1, its WASM build, noble's
 * pure JS) and the connection-id hash against `@nktkas/hyperliquid`'s `createL1ActionHash`.
 *
 * Run alone: `node bench/run.ts --only hyperliquid`.
 */
import { createL1ActionHash } from "@nktkas/hyperliquid/signing";
import { secp256k1 as noble } from "@noble/curves/secp256k1.js";
import ccxt from "ccxt";
import {
  loadNativeBackend,
  loadWasmBackend,
  type SecpBackend,
  secp,
} from "../src/venues/hyperliquid/secp.ts";
import {
  exchangeBody,
  fromHex,
  HlSigner,
  l1ActionHash,
  signL1Action,
} from "../src/venues/hyperliquid/signing.ts";
import { type OrderInput, orderAction } from "../src/venues/hyperliquid/wire.ts";
import { type BenchFigure, type BenchSuite, opsPerSecond, percentile } from "./harness.ts";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const ADDRESS = "0x14791697260e4c9a71f18484c9f997b308e59325";
const CLOID = "0x00112233445566778899aabbccddeeff";

function timesUs(n: number, fn: (i: number) => void): number[] {
  for (let i = 0; i < Math.min(200, n); i++) fn(i); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return out.sort((a, b) => a - b);
}

function ccxtPeer() {
  const ex = new ccxt.hyperliquid({
    privateKey: KEY,
    walletAddress: ADDRESS,
    // no builder, no referrer: the same order as ours (VENUES.md §0 on ccxt's defaults)
    options: { builderFee: false, approvedBuilderFee: false, refSet: true },
  });
  const market = ex.parseMarket({ name: "BTC", szDecimals: 5, maxLeverage: 40, baseId: 0, markPx: "97000" });
  ex.setMarkets([market]);
  const symbol = market?.symbol;
  if (!symbol) throw new Error("bench hyperliquid: ccxt parsed no market");
  return (price: number) =>
    ex.createOrdersRequest([
      {
        symbol,
        type: "limit",
        side: "buy",
        amount: 0.0015,
        price,
        params: { timeInForce: "Alo", clientOrderId: CLOID },
      },
    ]);
}

const suite: BenchSuite = async () => {
  const signer = new HlSigner(fromHex(KEY, 32));
  const order = (price: number): OrderInput => ({
    asset: 0,
    isBuy: true,
    limitPx: price,
    sz: 0.0015,
    reduceOnly: false,
    orderType: { limit: { tif: "Alo" } },
    cloid: CLOID,
  });
  let nonce = Date.now();
  const ours = (i: number) => {
    const action = orderAction([order(97000 + (i % 1000))]);
    const n = nonce++;
    return exchangeBody(action, n, signL1Action(signer, action, { nonce: n, mainnet: true }));
  };
  const peer = ccxtPeer();

  // Same order, same nonce: ccxt's signature must be ours, or the race is moot. r and s are
  // compared as numbers: ccxt drops a leading zero nibble of s ("0x66d1…" for our "0x066d1…").
  const check = peer(97123) as {
    action: Parameters<typeof signL1Action>[1];
    nonce: number;
    signature: { r: string; s: string; v: number };
  };
  const mine = signL1Action(signer, orderAction([order(97123)]), { nonce: check.nonce, mainnet: true });
  const same =
    BigInt(mine.r) === BigInt(check.signature.r) &&
    BigInt(mine.s) === BigInt(check.signature.s) &&
    mine.v === check.signature.v;
  if (!same) {
    throw new Error(
      `bench hyperliquid: ccxt signed ${JSON.stringify(check.signature)}, we ${JSON.stringify(mine)}`,
    );
  }

  const oursUs = timesUs(3000, ours);
  const ccxtUs = timesUs(300, (i) => peer(97000 + (i % 1000)));
  const perSecond = opsPerSecond(() => {
    for (let i = 0; i < 50; i++) ours(i);
    return 50;
  }, 1000);

  const key = fromHex(KEY, 32);
  const digest = l1ActionHash(orderAction([order(97123)]), 1);
  const backend = (b: SecpBackend, n: number) =>
    percentile(
      timesUs(n, () => b.sign(digest, key)),
      50,
    );
  const native = loadNativeBackend();
  const wasm = await loadWasmBackend();
  const nobleUs = percentile(
    timesUs(200, () => noble.sign(digest, key, { prehash: false, format: "recovered" })),
    50,
  );

  const action = orderAction([order(97123)]);
  const hashOurs = percentile(
    timesUs(3000, (i) => l1ActionHash(action, i)),
    50,
  );
  const hashNk = percentile(
    timesUs(1000, (i) => createL1ActionHash({ action: action as Record<string, unknown>, nonce: i })),
    50,
  );

  const p50 = percentile(oursUs, 50);
  const ccxtP50 = percentile(ccxtUs, 50);
  const figures: BenchFigure[] = [
    { key: "hl_order_sign_us_p50", value: p50, unit: "µs", target: "<= 200", ok: p50 <= 200 },
    { key: "hl_order_sign_us_p99", value: percentile(oursUs, 99), unit: "µs" },
    { key: "hl_order_sign_per_s", value: perSecond, unit: "orders/s" },
    { key: "hl_ccxt_order_sign_us_p50", value: ccxtP50, unit: "µs" },
    { key: "hl_ccxt_order_sign_us_p99", value: percentile(ccxtUs, 99), unit: "µs" },
    {
      key: "hl_order_sign_vs_ccxt_x",
      value: ccxtP50 / p50,
      unit: "×",
      target: ">= 3",
      ok: ccxtP50 / p50 >= 3,
    },
    { key: "hl_secp_sign_us_wasm", value: backend(wasm, 1000), unit: "µs" },
    { key: "hl_secp_sign_us_noble", value: nobleUs, unit: "µs" },
    { key: "hl_l1_hash_us", value: hashOurs, unit: "µs" },
    { key: "hl_nktkas_l1_hash_us", value: hashNk, unit: "µs" },
  ];
  if (native)
    figures.splice(6, 0, { key: "hl_secp_sign_us_native", value: backend(native, 2000), unit: "µs" });
  process.stderr.write(`bench hyperliquid: signer backend ${secp.name}\n`);
  return figures;
};

export default suite;
