import type { BookLevel, BookUpdate, MarketEvent } from "../../core/market.ts";

/** how many recent diffs per symbol are kept to replay on top of a late snapshot */
const RECENT_DIFFS = 256;

import { FeedFormatError, num, type ParseContext, type ParseOutcome, record, str } from "./context.ts";

/**
 * Binance-format WebSocket messages (USD-M perpetual, spot; Aster speaks the same format).
 * Docs: https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 * and https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 *
 * Combined streams wrap each payload: {"stream":"btcusdt@trade","data":{...}}; a bare payload is
 * accepted too. Stateful (depth sequence ids), so one parser per recording.
 */
export class BinanceParser {
  /** diffs and snapshots whose sequence did not follow on (a missed message: the book is suspect) */
  sequenceGaps = 0;
  /** depth symbol last seen: REST snapshots carry no symbol, and a recording holds one market */
  private lastDepthSymbol: string | undefined;
  /** per symbol: last update id applied (from a snapshot or a diff's "u") */
  private readonly lastUpdateId = new Map<string, number>();
  /**
   * Recent diffs per symbol with their final id. A snapshot is often answered after diffs newer
   * than it were already received; those must be applied again on top of it.
   */
  private readonly recentDiffs = new Map<string, { final: number; update: BookUpdate }[]>();

  parse(message: unknown, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
    const outer = record(message, "binance message");
    const data = outer.data !== undefined ? record(outer.data, "binance data") : outer;
    const stream = typeof outer.stream === "string" ? outer.stream : "";
    const kind =
      typeof data.e === "string" ? data.e : stream.endsWith("@bookTicker") ? "bookTicker" : undefined;
    switch (kind) {
      case "depthUpdate":
        return this.parseDepthUpdate(data, ctx, out);
      case "bookTicker":
        return parseBookTicker(data, ctx, out);
      case "trade":
      case "aggTrade":
        return parseTrade(data, ctx, out);
      case "markPriceUpdate":
        return parseMarkPrice(data, ctx, out);
      case undefined:
        if (typeof data.lastUpdateId === "number" && Array.isArray(data.bids))
          return this.parseSnapshot(data, ctx, out);
        // spot bookTicker on a raw stream has no "e": recognise it by its fields
        if (typeof data.b === "string" && typeof data.A === "string") return parseBookTicker(data, ctx, out);
        throw new FeedFormatError(`binance: no event type ("e"), not a depth snapshot nor a bookTicker`);
      default:
        return "ignored";
    }
  }

  // REST GET /fapi/v1/depth (or /api/v3/depth) answer, recorded inline to seed the book:
  // {"lastUpdateId":5123107852948,"E":1723161256501,"T":1723161256493,
  //  "bids":[["61800.20","2.909"],["61800.10","0.696"]],"asks":[["61800.30","3.330"]]}
  // Binance's sync rule: apply it, then drop diffs whose final id "u" is below lastUpdateId.
  private parseSnapshot(data: Record<string, unknown>, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
    if (this.lastDepthSymbol === undefined)
      throw new FeedFormatError("depth snapshot before any depthUpdate: cannot tell its symbol");
    const symbol = ctx.symbolFor(this.lastDepthSymbol);
    if (symbol === undefined) return "ignored";
    const snapshotId = data.lastUpdateId as number;
    const ts = stamp(data, "E", ctx);
    out.push({
      type: "book",
      venue: ctx.venue,
      symbol,
      ts,
      snapshot: true,
      bids: levels(data.bids, "snapshot.bids"),
      asks: levels(data.asks, "snapshot.asks"),
    });
    let last = snapshotId;
    for (const d of this.recentDiffs.get(this.lastDepthSymbol) ?? []) {
      if (d.final <= snapshotId) continue;
      out.push({ ...d.update, ts: Math.max(ts, d.update.ts) });
      last = d.final;
    }
    this.lastUpdateId.set(this.lastDepthSymbol, last);
    return "parsed";
  }

  // {"e":"depthUpdate","E":1723161256299,"T":1723161256298,"s":"BTCUSDT","U":5123107832006,
  //  "u":5123107837557,"pu":5123107831937,"b":[["61800.20","2.507"],["61739.00","0.000"]],
  //  "a":[["61800.30","3.330"]]}      (quantity "0.000" removes the level)
  // "U".."u" are the ids this diff covers; USD-M adds "pu", the previous diff's "u".
  private parseDepthUpdate(
    data: Record<string, unknown>,
    ctx: ParseContext,
    out: MarketEvent[],
  ): ParseOutcome {
    const raw = str(data, "s", "depthUpdate");
    this.lastDepthSymbol = raw;
    const symbol = ctx.symbolFor(raw);
    if (symbol === undefined) return "ignored";
    const first = num(data, "U", "depthUpdate");
    const final = num(data, "u", "depthUpdate");
    const update: BookUpdate = {
      type: "book",
      venue: ctx.venue,
      symbol,
      ts: stamp(data, "E", ctx),
      snapshot: false,
      bids: levels(data.b, "depthUpdate.b"),
      asks: levels(data.a, "depthUpdate.a"),
    };
    return this.sequenceDiff(
      raw,
      first,
      final,
      typeof data.pu === "number" ? data.pu : undefined,
      update,
      out,
    );
  }

  /**
   * The scanner's way in (binance-scan.ts): a depthUpdate whose fields it read and checked
   * without JSON.parse, handled from here on exactly as `parseDepthUpdate` handles it.
   */
  scannedDepthUpdate(
    raw: string,
    first: number,
    final: number,
    pu: number | undefined,
    ts: number,
    bids: BookLevel[],
    asks: BookLevel[],
    ctx: ParseContext,
    out: MarketEvent[],
  ): ParseOutcome {
    this.lastDepthSymbol = raw;
    const symbol = ctx.symbolFor(raw);
    if (symbol === undefined) return "ignored";
    const update: BookUpdate = { type: "book", venue: ctx.venue, symbol, ts, snapshot: false, bids, asks };
    return this.sequenceDiff(raw, first, final, pu, update, out);
  }

  private sequenceDiff(
    raw: string,
    first: number,
    final: number,
    pu: number | undefined,
    update: BookUpdate,
    out: MarketEvent[],
  ): ParseOutcome {
    const last = this.lastUpdateId.get(raw);
    let recent = this.recentDiffs.get(raw);
    if (recent === undefined) {
      recent = [];
      this.recentDiffs.set(raw, recent);
    }
    recent.push({ final, update });
    if (recent.length > RECENT_DIFFS) recent.splice(0, recent.length - RECENT_DIFFS);
    if (last !== undefined) {
      if (final <= last) return "ignored"; // already contained in the snapshot
      // USD-M chains diffs by "pu"; spot by U = previous u + 1 (a diff straddling a snapshot also fits)
      const follows = pu !== undefined ? pu === last || first <= last : first <= last + 1;
      if (!follows) this.sequenceGaps++;
    }
    this.lastUpdateId.set(raw, final);
    out.push(update);
    return "parsed";
  }
}

function symbolOf(data: Record<string, unknown>, ctx: ParseContext, where: string): string | undefined {
  return ctx.symbolFor(str(data, "s", where));
}

function stamp(data: Record<string, unknown>, key: string, ctx: ParseContext): number {
  if (ctx.timestamps === "local") return ctx.localMs;
  const v = data[key];
  return typeof v === "number" && Number.isFinite(v) ? v : ctx.localMs;
}

function levels(raw: unknown, where: string): BookLevel[] {
  if (!Array.isArray(raw)) throw new FeedFormatError(`${where}: expected an array of [price, qty]`);
  const out: BookLevel[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i];
    const price = Array.isArray(l) ? Number(l[0]) : Number.NaN;
    const size = Array.isArray(l) ? Number(l[1]) : Number.NaN;
    if (!(price > 0) || !(size >= 0) || size === Number.POSITIVE_INFINITY)
      throw new FeedFormatError(`${where}[${i}]: bad level ${JSON.stringify(l)}`);
    out[i] = { price, size };
  }
  return out;
}

// USD-M: {"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507",
//         "a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}
// spot:  {"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}
function parseBookTicker(data: Record<string, unknown>, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  const symbol = symbolOf(data, ctx, "bookTicker");
  if (symbol === undefined) return "ignored";
  out.push({
    type: "bbo",
    venue: ctx.venue,
    symbol,
    ts: stamp(data, "E", ctx),
    bidPrice: num(data, "b", "bookTicker"),
    bidSize: num(data, "B", "bookTicker"),
    askPrice: num(data, "a", "bookTicker"),
    askSize: num(data, "A", "bookTicker"),
  });
  return "parsed";
}

// {"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30",
//  "q":"0.006","X":"MARKET","m":false}     ("m": the buyer was the maker, so the seller aggressed)
function parseTrade(data: Record<string, unknown>, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  const symbol = symbolOf(data, ctx, "trade");
  if (symbol === undefined) return "ignored";
  // USD-M prints INSURANCE_FUND / ADL / NA fills under "X": not market trades
  if (data.X !== undefined && data.X !== "MARKET") return "ignored";
  if (typeof data.m !== "boolean") throw new FeedFormatError(`trade: field "m" should be a boolean`);
  out.push({
    type: "trade",
    venue: ctx.venue,
    symbol,
    ts: stamp(data, "T", ctx),
    price: num(data, "p", "trade"),
    size: num(data, "q", "trade"),
    side: data.m ? "sell" : "buy",
  });
  return "parsed";
}

// {"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15","i":"11784.62",
//  "P":"11784.25","r":"0.00038167","T":1562306400000}   ("r" is per funding interval)
function parseMarkPrice(data: Record<string, unknown>, ctx: ParseContext, out: MarketEvent[]): ParseOutcome {
  const symbol = symbolOf(data, ctx, "markPriceUpdate");
  if (symbol === undefined) return "ignored";
  const ts = stamp(data, "E", ctx);
  out.push({
    type: "mark",
    venue: ctx.venue,
    symbol,
    ts,
    markPrice: num(data, "p", "markPriceUpdate"),
    oraclePrice: num(data, "i", "markPriceUpdate"),
  });
  if (data.r !== undefined && data.r !== "") {
    const rate = num(data, "r", "markPriceUpdate");
    out.push({ type: "funding", venue: ctx.venue, symbol, ts, ratePerHour: rate / ctx.fundingIntervalHours });
  }
  return "parsed";
}
