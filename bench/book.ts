/**
 * L2 book throughput: our typed-array ladder against ccxt's OrderBook, on one pre-generated
 * sequence of level updates (float price, size) so both pay for the same input, including the
 * float-price-to-tick conversion on our side.
 *
 * Run alone: `node bench/run.ts --only book`.
 */
import ccxt from "ccxt";
import { Instrument } from "../src/core/instrument.ts";
import { Rng } from "../src/core/random.ts";
import { L2Book } from "../src/data/book.ts";
import { type BenchFigure, type BenchSuite, opsPerSecond } from "./harness.ts";

const TICK = 0.1;
const UPDATES = 1 << 20;

/** Level updates as parallel arrays: side (1 bid, 0 ask), price (float, on grid), size (0 removes). */
interface UpdateSequence {
  readonly isBid: Uint8Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
}

/**
 * A realistic diff stream: the mid walks; most updates change a level within a few ticks of the
 * touch (distance ~ exponential, mean 6 ticks), one in five removes a level, a few touch levels
 * hundreds of ticks away; when the mid moves, the levels it crossed are removed.
 */
export function generateUpdates(n: number, seed: number): UpdateSequence {
  const rng = new Rng(seed);
  const isBid = new Uint8Array(n);
  const price = new Float64Array(n);
  const size = new Float64Array(n);
  let mid = 600000; // ticks: 60,000.0 at tick 0.1
  let i = 0;
  const push = (bid: boolean, ticks: number, s: number) => {
    if (i >= n) return;
    isBid[i] = bid ? 1 : 0;
    price[i] = Number((ticks * TICK).toFixed(1));
    size[i] = s;
    i++;
  };
  while (i < n) {
    if (rng.chance(0.02)) {
      const move = rng.chance(0.5) ? 1 : -1;
      const old = mid;
      mid += move;
      // remove the level the touch moved onto from the side it used to belong to
      if (move > 0) push(false, old, 0);
      else push(true, old - 1, 0);
    }
    const bid = rng.chance(0.5);
    const far = rng.chance(0.03);
    const d = far ? rng.int(50, 800) : Math.floor(-Math.log(1 - rng.next()) * 6);
    const ticks = bid ? mid - 1 - d : mid + d;
    const s = rng.chance(0.2) ? 0 : Math.round(rng.uniform(0.001, 5) * 1000) / 1000;
    push(bid, ticks, s);
  }
  return { isBid, price, size };
}

function btc(): Instrument {
  return new Instrument({
    venue: "bench",
    symbol: "BTCUSDT",
    base: "BTC",
    quote: "USDT",
    tickSize: "0.1",
    lotSize: "0.001",
    minNotionalUsd: 5,
    maxLeverage: 50,
    marginTiers: [],
    fundingIntervalHours: 8,
    makerFeeBps: 1,
    takerFeeBps: 4,
  });
}

const suite: BenchSuite = async () => {
  const seq = generateUpdates(UPDATES, 42);
  const book = new L2Book(btc());
  const perpbotRate = opsPerSecond(() => {
    const { isBid, price, size } = seq;
    for (let i = 0; i < UPDATES; i++) {
      book.setLevel(isBid[i] === 1 ? "bid" : "ask", book.priceToTicks(price[i]), size[i]);
    }
    return UPDATES;
  }, 2000);

  // ccxt exposes its WebSocket order book through an exchange instance's orderBook() factory.
  const exchange = new ccxt.Exchange();
  const ob = exchange.orderBook();
  const ccxtRate = opsPerSecond(() => {
    const { isBid, price, size } = seq;
    for (let i = 0; i < UPDATES; i++) {
      if (isBid[i] === 1) ob.bids.store(price[i], size[i]);
      else ob.asks.store(price[i], size[i]);
    }
    return UPDATES;
  }, 2000);

  // Both books must agree on the touch after the same input, or the comparison is meaningless.
  const ourBid = book.instrument.priceValue(book.bestBidTicks() ?? 0);
  const ccxtBid = (ob.bids[0] as number[] | undefined)?.[0];
  if (ccxtBid === undefined || Math.abs(ourBid - ccxtBid) > TICK / 2) {
    throw new Error(`bench/book: best bids disagree: L2Book ${ourBid}, ccxt ${ccxtBid}`);
  }

  const ratio = perpbotRate / ccxtRate;
  const depth = `${book.levelCount("bid")}/${book.levelCount("ask")} bid/ask levels at the end`;
  const figures: BenchFigure[] = [
    {
      key: "book_updates_per_s",
      value: perpbotRate,
      unit: "level updates/s (L2Book, float price -> ticks + setLevel)",
      target: ">= 10M/s",
      ok: perpbotRate >= 10e6,
    },
    {
      key: "ccxt_orderbook_updates_per_s",
      value: ccxtRate,
      unit: `level updates/s (ccxt OrderBook bids/asks.store, same sequence; ${depth})`,
    },
    { key: "book_vs_ccxt_ratio", value: ratio, unit: "x", target: ">= 4", ok: ratio >= 4 },
  ];
  return figures;
};

export default suite;
