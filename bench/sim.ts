/**
 * Simulated venue throughput: IOC orders from submit() to their fill events, zero latency,
 * against a deep BTC book refreshed by a snapshot every 1000 orders (so taker consumption never
 * empties it). `sim_orders_per_s` runs in memory, `sim_orders_per_s_durable` on a SQLite file
 * (one transaction per order, WAL, synchronous=NORMAL).
 *
 * Run alone: `node bench/run.ts --only sim`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimClock } from "../src/core/clock.ts";
import type { BookUpdate } from "../src/core/market.ts";
import { usd } from "../src/core/money.ts";
import type { OrderRequest } from "../src/core/types.ts";
import { catalogInstruments } from "../src/venues/sim/catalog.ts";
import { SimVenue } from "../src/venues/sim/sim-venue.ts";
import type { BenchFigure, BenchSuite } from "./harness.ts";

const BATCH = 1000;

function deepBook(ts: number): BookUpdate {
  const levels = (from: number, dir: number) =>
    Array.from({ length: 50 }, (_, i) => ({ price: from + dir * i, size: 100 }));
  return {
    type: "book",
    venue: "simA",
    symbol: "BTC",
    ts,
    snapshot: true,
    bids: levels(59_999, -1),
    asks: levels(60_001, 1),
  };
}

/** Orders per second from first submit to the last fill event, over at least `minMs`. */
async function measure(dbPath: string | undefined, minMs: number, maxOrders: number): Promise<number> {
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const venue = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock, dbPath });
  let fills = 0;
  venue.onEvent((e) => {
    if (e.type === "fill") fills++;
  });
  venue.deposit("bench", usd(1_000_000_000));
  venue.feed({ type: "mark", venue: "simA", symbol: "BTC", ts: 0, markPrice: 60_000, oraclePrice: 60_000 });
  const requests: OrderRequest[] = [];
  let n = 0;
  const run = async (orders: number) => {
    for (let done = 0; done < orders; done += BATCH) {
      venue.feed(deepBook(clock.now()));
      requests.length = 0;
      for (let i = 0; i < BATCH; i++) {
        const buy = (n & 1) === 0;
        requests.push({
          clientOrderId: `b${n++}`,
          account: "bench",
          symbol: "BTC",
          side: buy ? "buy" : "sell",
          type: "limit",
          priceTicks: buy ? 60_010 : 59_990,
          sizeLots: 1000,
          tif: "ioc",
          reduceOnly: false,
        });
      }
      await Promise.all(requests.map((r) => venue.submit(r)));
    }
    await new Promise((r) => setImmediate(r));
  };
  await run(5 * BATCH); // warm-up
  const startFills = fills;
  const start = process.hrtime.bigint();
  let orders = 0;
  let elapsedMs = 0;
  while (elapsedMs < minMs && orders < maxOrders) {
    await run(10 * BATCH);
    orders += 10 * BATCH;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  if (fills - startFills !== orders)
    throw new Error(`bench: ${orders} orders gave ${fills - startFills} fills`);
  if (venue.conservationResidual() !== 0n) throw new Error("bench: money not conserved");
  venue.close();
  return orders / (elapsedMs / 1000);
}

const suite: BenchSuite = async () => {
  const memory = await measure(undefined, 1500, 2_000_000);
  const dir = mkdtempSync(join(tmpdir(), "perpbot-bench-sim-"));
  let durable: number;
  try {
    durable = await measure(join(dir, "sim.sqlite"), 1500, 200_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const figures: BenchFigure[] = [
    { key: "sim_orders_per_s", value: memory, unit: "orders/s", target: ">= 200k/s", ok: memory >= 200_000 },
    { key: "sim_orders_per_s_durable", value: durable, unit: "orders/s" },
  ];
  return figures;
};

export default suite;
