import type { FundingRateUpdate, MarkPriceUpdate, TradePrint } from "../../core/market.ts";
import { MarkPriceSchema, parseAs, TradeSchema } from "./parse.ts";

/**
 * Market stream messages other than depth, as the contract's events. Stream names are Binance's
 * lower-case `<symbol>@<channel>` (btcusdt@depth@100ms, btcusdt@trade, btcusdt@markPrice@1s).
 */

/** A trade: `m` true means the buyer was the maker, so the aggressor sold. */
export function tradeEvent(venue: string, symbol: string, data: unknown): TradePrint {
  const t = parseAs(TradeSchema, data, `trade of ${symbol}`);
  return {
    type: "trade",
    venue,
    symbol,
    ts: t.T ?? t.E,
    price: Number(t.p),
    size: Number(t.q),
    side: t.m ? "sell" : "buy",
  };
}

/**
 * A markPriceUpdate as a mark event and a funding event. The venue's `r` is the rate of one
 * funding interval of the symbol (1, 4 or 8 h, from /fapi/v3/fundingInfo); the contract's rate
 * is per hour.
 */
export function markEvents(
  venue: string,
  symbol: string,
  data: unknown,
  fundingIntervalHours: number,
): { mark: MarkPriceUpdate; funding: FundingRateUpdate } {
  const m = parseAs(MarkPriceSchema, data, `markPriceUpdate of ${symbol}`);
  const mark = Number(m.p);
  return {
    mark: {
      type: "mark",
      venue,
      symbol,
      ts: m.E,
      markPrice: mark,
      oraclePrice: m.i === undefined ? mark : Number(m.i),
    },
    funding: { type: "funding", venue, symbol, ts: m.E, ratePerHour: Number(m.r) / fundingIntervalHours },
  };
}

/** The wire stream of a subscription channel for a symbol. */
export function wireStream(symbol: string, channel: "book" | "trades" | "mark" | "funding"): string {
  const s = symbol.toLowerCase();
  if (channel === "book") return `${s}@depth@100ms`;
  if (channel === "trades") return `${s}@trade`;
  return `${s}@markPrice@1s`;
}

/** What a wire stream name carries: its venue symbol (upper case) and kind. */
export function streamKind(stream: string): {
  symbol: string;
  kind: "depth" | "trade" | "markPrice" | "other";
} {
  const at = stream.indexOf("@");
  const symbol = stream.slice(0, at).toUpperCase();
  const rest = stream.slice(at + 1);
  const kind = rest.startsWith("depth")
    ? "depth"
    : rest === "trade" || rest === "aggTrade"
      ? "trade"
      : rest.startsWith("markPrice")
        ? "markPrice"
        : "other";
  return { symbol, kind };
}
