import type { InstrumentSpec } from "../core/instrument.ts";
import type { MarketEvent } from "../core/market.ts";
import { replayRecording } from "../data/replay/replay.ts";

/**
 * The recorded, time-aligned books of ../shared/data as two perpetual venues for the scalp
 * backtest: `usdm` (Binance USD-M BTCUSDT, ETHUSDT: linear, sizes in the base) and `coinm`
 * (Binance COIN-M BTCUSD_PERP, ETHUSD_PERP: inverse contracts of 100 / 10 USD each, prices in
 * USD, sizes in contracts). The simulator trades linear instruments, so each COIN-M level is
 * converted at its own price to base units (contracts x contract USD / price): the USD value of
 * every level is kept exactly, and a position of q base units bought at P is N = q x P / C
 * contracts, whose inverse PnL `N x C x (1/P - 1/P')` coin is `q x (P' - P)` USD at P' — the
 * linear PnL. What does not carry over (whole contracts only) the report shows per trade.
 */

/** USD per contract on Binance COIN-M (BTCUSD_PERP 100, other perpetuals 10; Binance contract specs). */
export const COINM_CONTRACT_USD: Readonly<Record<string, number>> = { BTCUSD_PERP: 100, ETHUSD_PERP: 10 };

/**
 * Binance VIP 0 futures fees, USD-M and COIN-M alike: maker 0.0200 %, taker 0.0500 % (Binance fee
 * schedule, binance.com/en/fee/futureFee). Ticks and USD-M lots from exchangeInfo filters
 * (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL: BTCUSDT 0.1 / 0.001 / 100, ETHUSDT 0.01 / 0.001 / 20).
 * COIN-M lots stand for a contract in base units at a fine grid; its minimum is one contract.
 */
const spec = (
  venue: string,
  symbol: string,
  base: string,
  quote: string,
  tickSize: string,
  lotSize: string,
  minNotionalUsd: number,
  maxLeverage: number,
): InstrumentSpec => ({
  venue,
  symbol,
  base,
  quote,
  tickSize,
  lotSize,
  minNotionalUsd,
  maxLeverage,
  marginTiers: [],
  fundingIntervalHours: 8,
  makerFeeBps: 2,
  takerFeeBps: 5,
});

export const RECORDED_SPECS: Readonly<Record<"usdm" | "coinm", readonly InstrumentSpec[]>> = {
  usdm: [
    spec("usdm", "BTCUSDT", "BTC", "USDT", "0.1", "0.001", 100, 125),
    spec("usdm", "ETHUSDT", "ETH", "USDT", "0.01", "0.001", 20, 100),
  ],
  coinm: [
    spec("coinm", "BTCUSD_PERP", "BTC", "USD", "0.1", "0.00001", 100, 125),
    spec("coinm", "ETHUSD_PERP", "ETH", "USD", "0.01", "0.0001", 10, 100),
  ],
};

export const RECORDED_FILES = [
  { file: "usdm-btcusdt_20240808.gz", venue: "usdm", raw: "BTCUSDT" },
  { file: "usdm-ethusdt_20240808.gz", venue: "usdm", raw: "ETHUSDT" },
  { file: "coinm-btcusd_perp_20240808.gz", venue: "coinm", raw: "BTCUSD_PERP" },
  { file: "coinm-ethusd_perp_20240808.gz", venue: "coinm", raw: "ETHUSD_PERP" },
] as const;

/** Contracts -> base units at the level's price (COIN-M), unchanged otherwise. */
function toBaseUnits(e: MarketEvent): MarketEvent {
  if (e.venue !== "coinm") return e;
  const c = COINM_CONTRACT_USD[e.symbol];
  if (c === undefined) return e;
  const conv = (l: { price: number; size: number }) => ({ price: l.price, size: (l.size * c) / l.price });
  if (e.type === "book") return { ...e, bids: e.bids.map(conv), asks: e.asks.map(conv) };
  if (e.type === "bbo")
    return { ...e, bidSize: (e.bidSize * c) / e.bidPrice, askSize: (e.askSize * c) / e.askPrice };
  if (e.type === "trade") return { ...e, size: (e.size * c) / e.price };
  return e;
}

/**
 * Every book, BBO and mark event of the four recordings, in receipt-time order (ties: file
 * order, then line order), with COIN-M sizes in base units. Trades are left out: they only fill
 * resting orders, and scalp rests none.
 */
export async function loadRecorded(dir: string): Promise<MarketEvent[]> {
  const streams: MarketEvent[][] = [];
  for (const f of RECORDED_FILES) {
    const out: MarketEvent[] = [];
    await replayRecording(
      { path: `${dir}/${f.file}`, format: "binance", venue: f.venue, symbols: { [f.raw]: f.raw } },
      (events) => {
        for (const e of events) if (e.type !== "trade" && e.type !== "funding") out.push(toBaseUnits(e));
      },
    );
    streams.push(out);
  }
  // stable k-way merge by ts
  const merged: MarketEvent[] = [];
  const idx = streams.map(() => 0);
  for (;;) {
    let best = -1;
    for (let i = 0; i < streams.length; i++) {
      if (idx[i] >= streams[i].length) continue;
      if (best < 0 || streams[i][idx[i]].ts < streams[best][idx[best]].ts) best = i;
    }
    if (best < 0) break;
    merged.push(streams[best][idx[best]++]);
  }
  return merged;
}
