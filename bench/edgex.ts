/**
 * EdgeX (V2), two figures on this machine (ccxt 4.5.84 has no EdgeX exchange, so there is no
 * ccxt figure to set beside them):
 *
 * - sign cost per order: OrderRequest → exact signed amounts → EIP-712 LimitOrderParams digest
 *   (@noble/hashes keccak) → secp256k1 through the wallet signer → the createOrder body (orders.ts),
 *   plus the HMAC-SHA256 request signature over that body (http.ts's content rule);
 * - depth messages decoded per second: `depth.<id>.15` Changed messages as WebSocket text →
 *   JSON.parse → zod (QuoteEventSchema, DepthListSchema) → EdgexBook's version check →
 *   L2Book.apply. The messages are generated here in the venue's shape (versions chained, 1 to 6
 *   levels a side, some removals): no recorded EdgeX feed is in ../shared/data.
 *
 * Run alone: `node bench/run.ts --only edgex`.
 */
import type { OrderRequest } from "../src/core/types.ts";
import { EdgexBook } from "../src/venues/edgex/book.ts";
import { marketsOf } from "../src/venues/edgex/capabilities.ts";
import { DEFAULT_CONTRACTS } from "../src/venues/edgex/emulator/engine.ts";
import { metadataJson } from "../src/venues/edgex/emulator/payloads.ts";
import { orderBody } from "../src/venues/edgex/orders.ts";
import { DepthListSchema, MetaDataSchema, parseAs, QuoteEventSchema } from "../src/venues/edgex/parse.ts";
import { contentOf, signedText } from "../src/venues/edgex/signing.ts";
import { signerFromKeyBytes, withHmac } from "../src/wallets/signer.ts";
import { type BenchFigure, type BenchSuite, opsPerSecond, percentile } from "./harness.ts";

const meta = parseAs(MetaDataSchema, metadataJson(DEFAULT_CONTRACTS), "metadata");
const [market] = marketsOf("edgex", meta, ["BTCUSD"]);
const domain = { chainId: 33431n, verifyingContract: meta.global.contractAddress };

async function signFigures(): Promise<BenchFigure[]> {
  const signer = withHmac(
    signerFromKeyBytes("secp256k1", Buffer.alloc(32, 0x5a), "bench"),
    Buffer.from("bench-secret"),
    "base64-text",
  );
  const acct = { accountId: "543429922866069763", signer };
  const inst = market.instrument;
  const order = (i: number): OrderRequest => ({
    clientOrderId: String(1_733_000_000_000_000_000n + BigInt(i)),
    account: "bench",
    symbol: "BTCUSD",
    side: i % 2 === 0 ? "buy" : "sell",
    type: "limit",
    priceTicks: inst.price(60_000) + (i % 1000),
    sizeLots: inst.size("0.015"),
    tif: "gtc",
    reduceOnly: false,
  });
  const enc = new TextEncoder();
  const one = async (i: number) => {
    const body = await orderBody(market, domain, acct, order(i), 1_733_040_000_000, 86_400_000);
    signer.hmacSha256?.(
      enc.encode(signedText("1733040000000", "POST", "/api/v2/private/order/createOrder", contentOf(body))),
    );
  };
  for (let i = 0; i < 200; i++) await one(i);
  const us: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const t = process.hrtime.bigint();
    await one(i);
    us.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  us.sort((a, b) => a - b);
  const p50 = percentile(us, 50);
  return [
    { key: "ex_sign_order_us_p50", value: p50, unit: "µs", target: "< 250 µs", ok: p50 < 250 },
    { key: "ex_sign_order_us_p99", value: percentile(us, 99), unit: "µs" },
  ];
}

function depthMessages(n: number): string[] {
  let seed = 4242;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out: string[] = [];
  for (let v = 1; v <= n; v++) {
    const side = (sign: number) =>
      Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => ({
        price: (60_000 + sign * (1 + Math.floor(rnd() * 150)) * 0.1).toFixed(1),
        size: rnd() < 0.15 ? "0" : (rnd() * 2).toFixed(3),
      }));
    const channel = "depth.10000001.15";
    out.push(
      JSON.stringify({
        type: "quote-event",
        channel,
        content: {
          dataType: "Changed",
          channel,
          data: [
            {
              startVersion: String(v),
              endVersion: String(v),
              level: 15,
              contractId: "10000001",
              contractName: "BTCUSD",
              depthType: "CHANGED",
              bids: side(-1),
              asks: side(1),
            },
          ],
        },
      }),
    );
  }
  return out;
}

async function depthFigures(): Promise<BenchFigure[]> {
  const msgs = depthMessages(20_000);
  let book = new EdgexBook(
    market.instrument,
    "edgex",
    async () => [],
    () => undefined,
  );
  const snapshot = { startVersion: "0", endVersion: "0", contractId: "10000001", bids: [], asks: [] };
  let i = 0;
  const rate = opsPerSecond(() => {
    if (i === 0) {
      book = new EdgexBook(
        market.instrument,
        "edgex",
        async () => [],
        () => undefined,
      );
      book.onMessage(snapshot, true);
    }
    for (let k = 0; k < 1000; k++) {
      const ev = parseAs(QuoteEventSchema, JSON.parse(msgs[i]), "bench");
      for (const d of parseAs(DepthListSchema, ev.content.data, "bench")) book.onMessage(d, false);
      i = (i + 1) % msgs.length;
    }
    return 1000;
  }, 2000);
  return [{ key: "ex_depth_msgs_per_s", value: rate, unit: "msg/s", target: ">= 50k/s", ok: rate >= 50_000 }];
}

const suite: BenchSuite = async () => [...(await signFigures()), ...(await depthFigures())];
export default suite;
