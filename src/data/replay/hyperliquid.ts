import type { BookLevel, MarketEvent } from "../../core/market.ts";
import { FeedFormatError, num, type ParseContext, type ParseOutcome, record, str } from "./context.ts";

/**
 * Hyperliquid WebSocket subscription messages: {"channel": ..., "data": ...}.
 * Docs: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions
 */
export function parseHyperliquid(message: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  const msg = record(message, "hyperliquid message");
  const channel = msg.channel;
  if (typeof channel !== "string")
    throw new FeedFormatError(`hyperliquid: field "channel" should be a string`);
  switch (channel) {
    case "l2Book":
      return parseL2Book(msg.data, ctx, out);
    case "trades":
      return parseTrades(msg.data, ctx, out);
    case "activeAssetCtx":
      return parseAssetCtx(msg.data, ctx, out);
    case "bbo":
      return ctx.bbo === true ? parseBbo(msg.data, ctx, out) : "ignored";
    default:
      // subscriptionResponse, pong and channels we do not replay
      return "ignored";
  }
}

// {"coin":"BTC","time":1737918843542,"levels":[[{"px":"105055.0","sz":"3.03622","n":5}, ...],
//                                               [{"px":"105056.0","sz":"6.34472","n":13}, ...]]}
// Every message is a full snapshot of the top levels: levels[0] bids (best first), levels[1] asks.
function parseL2Book(raw: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  const data = record(raw, "l2Book.data");
  const symbol = ctx.symbolFor(str(data, "coin", "l2Book"));
  if (symbol === undefined) return "ignored";
  const sides = data.levels;
  if (!Array.isArray(sides) || sides.length !== 2)
    throw new FeedFormatError('l2Book: field "levels" should be [bids, asks]');
  const time = data.time;
  out.push({
    type: "book",
    venue: ctx.venue,
    symbol,
    ts: ctx.timestamps === "exchange" && typeof time === "number" ? time : ctx.localMs,
    snapshot: true,
    bids: levels(sides[0], "l2Book.levels[0]"),
    asks: levels(sides[1], "l2Book.levels[1]"),
  });
  return "parsed";
}

function levels(raw: unknown, where: string): BookLevel[] {
  if (!Array.isArray(raw)) throw new FeedFormatError(`${where}: expected an array of levels`);
  const out: BookLevel[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const l = record(raw[i], `${where}[${i}]`);
    const price = num(l, "px", `${where}[${i}]`);
    const size = num(l, "sz", `${where}[${i}]`);
    if (!(price > 0) || !(size >= 0))
      throw new FeedFormatError(`${where}[${i}]: bad level ${JSON.stringify(l)}`);
    out[i] = { price, size };
  }
  return out;
}

// [{"coin":"BTC","side":"B","px":"105056.0","sz":"0.00219","time":1737918794873,"tid":121451470284048,
//   "hash":"0xde47...","users":["0xe9ed...","0x6802..."]}, ...]
// "side" is the aggressor's: "B" bought (lifted the ask), "A" sold (hit the bid). The first message
// after subscribing replays recent trades, so their own times precede the line's receipt time.
function parseTrades(raw: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  if (!Array.isArray(raw)) throw new FeedFormatError("trades: data should be an array");
  let any = false;
  for (let i = 0; i < raw.length; i++) {
    const where = `trades[${i}]`;
    const t = record(raw[i], where);
    const symbol = ctx.symbolFor(str(t, "coin", where));
    if (symbol === undefined) continue;
    const side = t.side;
    if (side !== "B" && side !== "A")
      throw new FeedFormatError(`${where}: side ${JSON.stringify(side)} is not "A" or "B"`);
    const time = t.time;
    out.push({
      type: "trade",
      venue: ctx.venue,
      symbol,
      ts: ctx.timestamps === "exchange" && typeof time === "number" ? time : ctx.localMs,
      price: num(t, "px", where),
      size: num(t, "sz", where),
      side: side === "B" ? "buy" : "sell",
    });
    any = true;
  }
  return any ? "parsed" : "ignored";
}

// {"coin":"BTC","ctx":{"funding":"0.0000125","markPx":"105050.0","oraclePx":"105061.0",...}}
// Hyperliquid's funding field is the rate per hour (it settles hourly).
function parseAssetCtx(raw: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  const data = record(raw, "activeAssetCtx.data");
  const symbol = ctx.symbolFor(str(data, "coin", "activeAssetCtx"));
  if (symbol === undefined) return "ignored";
  const c = record(data.ctx, "activeAssetCtx.ctx");
  const ts = ctx.localMs;
  out.push({
    type: "mark",
    venue: ctx.venue,
    symbol,
    ts,
    markPrice: num(c, "markPx", "activeAssetCtx.ctx"),
    oraclePrice: num(c, "oraclePx", "activeAssetCtx.ctx"),
  });
  out.push({
    type: "funding",
    venue: ctx.venue,
    symbol,
    ts,
    ratePerHour: num(c, "funding", "activeAssetCtx.ctx") / ctx.fundingIntervalHours,
  });
  return "parsed";
}

// {"coin":"BTC","time":1737918843542,"bbo":[{"px":"105055.0","sz":"3.03622","n":5},
//                                          {"px":"105056.0","sz":"6.34472","n":13}]}
// (VENUES.md §1.5) Sent when the touch changes; a side is null when the book is empty there. An
// event needs both prices, so a one-sided bbo is counted as ignored.
function parseBbo(raw: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  const data = record(raw, "bbo.data");
  const symbol = ctx.symbolFor(str(data, "coin", "bbo"));
  if (symbol === undefined) return "ignored";
  const sides = data.bbo;
  if (!Array.isArray(sides) || sides.length !== 2)
    throw new FeedFormatError('bbo: field "bbo" should be [bid, ask]');
  const side = (v: unknown, i: number) => (v === null ? undefined : levels([v], `bbo.bbo[${i}]`)[0]);
  const bid = side(sides[0], 0);
  const ask = side(sides[1], 1);
  if (bid === undefined || ask === undefined) return "ignored";
  const time = data.time;
  out.push({
    type: "bbo",
    venue: ctx.venue,
    symbol,
    ts: ctx.timestamps === "exchange" && typeof time === "number" ? time : ctx.localMs,
    bidPrice: bid.price,
    bidSize: bid.size,
    askPrice: ask.price,
    askSize: ask.size,
  });
  return "parsed";
}
