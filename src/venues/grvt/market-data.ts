import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import type { MarketSubscription } from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import { ratePerHourOf } from "./capabilities.ts";
import { BookSchema, type GrvtFeedFrame, msOfNanos, parseAs, TickerSchema, TradeSchema } from "./parse.ts";

/** the wire stream and selector of a subscription */
export function wireOf(sub: MarketSubscription): [string, string] {
  if (sub.channel === "book" || sub.channel === "bbo") return ["v1.book.s", `${sub.symbol}@500-50`];
  if (sub.channel === "trades") return ["v1.trade", `${sub.symbol}@50`];
  return ["v1.ticker.s", `${sub.symbol}@500`];
}

/**
 * The connector's view of GRVT's public data: one L2Book per instrument (each `v1.book.s` frame
 * is a full snapshot that replaces it), the last mark and funding rate per instrument (from
 * `v1.ticker.s` or a REST ticker; `funding_rate` is percentage points per interval, kept per hour).
 * `v1.trade` prints become trade events (the taker's side). `onFrame` returns the market events a
 * frame makes and the stream names it fed.
 */
export class GrvtMarketData {
  readonly venueId: string;
  readonly #known: (symbol: string) => Instrument | undefined;
  readonly #books = new Map<string, L2Book>();
  readonly marks = new Map<string, number>();
  readonly funding = new Map<string, number>();

  constructor(venueId: string, known: (symbol: string) => Instrument | undefined) {
    this.venueId = venueId;
    this.#known = known;
  }

  book(inst: Instrument): L2Book {
    let b = this.#books.get(inst.symbol);
    if (b === undefined) {
      b = new L2Book(inst);
      this.#books.set(inst.symbol, b);
    }
    return b;
  }

  setTicker(t: { instrument: string; mark_price: string; funding_rate?: string | null }): void {
    const inst = this.#known(t.instrument);
    if (inst === undefined) return;
    this.marks.set(t.instrument, Number(t.mark_price));
    if (t.funding_rate != null)
      this.funding.set(t.instrument, ratePerHourOf(t.funding_rate, inst.spec.fundingIntervalHours));
  }

  onFrame(f: GrvtFeedFrame): { readonly fed: readonly string[]; readonly events: readonly MarketEvent[] } {
    const symbol = f.selector.split("@")[0];
    const inst = this.#known(symbol);
    if (inst === undefined) return { fed: [], events: [] };
    const venue = this.venueId;
    if (f.stream === "v1.book.s") {
      const b = parseAs(BookSchema, f.feed, `v1.book.s ${symbol}`);
      const lv = (l: { price: string; size: string }) => ({ price: Number(l.price), size: Number(l.size) });
      const ts = msOfNanos(b.event_time);
      const e: MarketEvent = {
        type: "book",
        venue,
        symbol,
        ts,
        snapshot: true,
        bids: b.bids.map(lv),
        asks: b.asks.map(lv),
      };
      this.book(inst).apply(e);
      return { fed: [`book:${symbol}`, `bbo:${symbol}`], events: [e] };
    }
    if (f.stream === "v1.trade") {
      const t = parseAs(TradeSchema, f.feed, `v1.trade ${symbol}`);
      const side = t.is_taker_buyer ? "buy" : "sell";
      const ts = msOfNanos(t.event_time);
      return {
        fed: [`trades:${symbol}`],
        events: [{ type: "trade", venue, symbol, ts, price: Number(t.price), size: Number(t.size), side }],
      };
    }
    if (f.stream !== "v1.ticker.s") return { fed: [], events: [] };
    const t = parseAs(TickerSchema, f.feed, `v1.ticker.s ${symbol}`);
    this.setTicker(t);
    const ts = msOfNanos(t.event_time);
    const events: MarketEvent[] = [
      {
        type: "mark",
        venue,
        symbol,
        ts,
        markPrice: Number(t.mark_price),
        oraclePrice: Number(t.index_price ?? t.mark_price),
      },
    ];
    if (t.funding_rate != null)
      events.push({ type: "funding", venue, symbol, ts, ratePerHour: this.funding.get(symbol) ?? 0 });
    return { fed: [`mark:${symbol}`, `funding:${symbol}`], events };
  }
}
