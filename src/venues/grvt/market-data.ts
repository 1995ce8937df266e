import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import type { MarketSubscription } from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import { GrvtBookDeltas } from "./book-deltas.ts";
import { bookOf } from "./book-scan.ts";
import { ratePerHourOf } from "./capabilities.ts";
import { type GrvtFeedFrame, msOfNanos, parseAs, TickerSchema, TradeSchema } from "./parse.ts";

/** How books arrive: `v1.book.d` deltas after one snapshot, or a full `v1.book.s` snapshot each time. */
export type BookFeed = "delta" | "snapshot";

/** the delta feed's selector rate (ms; the venue offers 0 = raw, 50, 100, 200, 500, 1000, 5000) */
const DELTA_RATE = 100;

/** the wire stream and selector of a subscription */
export function wireOf(sub: MarketSubscription, feed: BookFeed = "snapshot"): [string, string] {
  if ((sub.channel === "book" || sub.channel === "bbo") && feed === "delta")
    return ["v1.book.d", `${sub.symbol}@${DELTA_RATE}`];
  if (sub.channel === "book" || sub.channel === "bbo") return ["v1.book.s", `${sub.symbol}@500-50`];
  if (sub.channel === "trades") return ["v1.trade", `${sub.symbol}@50`];
  return ["v1.ticker.s", `${sub.symbol}@500`];
}

/**
 * The connector's view of GRVT's public data: one L2Book per instrument (each `v1.book.s` frame
 * is a full snapshot that replaces it; `v1.book.d` frames go through GrvtBookDeltas: a snapshot,
 * then sequenced deltas, a gap resynced by `resync(stream, selector)`), the last mark and funding rate per instrument (from
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

  readonly #deltas = new Map<string, GrvtBookDeltas>();
  readonly #resync: (stream: string, selector: string) => void;

  constructor(
    venueId: string,
    known: (symbol: string) => Instrument | undefined,
    resync: (stream: string, selector: string) => void = () => {},
  ) {
    this.venueId = venueId;
    this.#known = known;
    this.#resync = resync;
  }

  /** the delta state of an instrument's `v1.book.d` selector */
  deltas(inst: Instrument, selector: string): GrvtBookDeltas {
    let d = this.#deltas.get(inst.symbol);
    if (d === undefined) {
      d = new GrvtBookDeltas(this.book(inst), this.venueId, () => this.#resync("v1.book.d", selector));
      this.#deltas.set(inst.symbol, d);
    }
    return d;
  }

  /** A subscribe answer: the first delta sequence of each `v1.book.d` selector it names. */
  onSubscribed(stream: string, subs: readonly string[], first: readonly bigint[] | undefined): void {
    if (stream !== "v1.book.d" || first === undefined) return;
    subs.forEach((selector, i) => {
      const inst = this.#known(selector.split("@")[0]);
      if (inst !== undefined && first[i] !== undefined) this.deltas(inst, selector).expectFirst(first[i]);
    });
  }

  /** The public socket went down: every delta feed waits for its next snapshot. */
  resetDeltas(): void {
    for (const d of this.#deltas.values()) d.reset();
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
      const b = bookOf(f, `v1.book.s ${symbol}`);
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
    if (f.stream === "v1.book.d") {
      const b = bookOf(f, `v1.book.d ${symbol}`);
      const e = this.deltas(inst, f.selector).onFrame(f.sequence_number, b);
      return { fed: [`book:${symbol}`, `bbo:${symbol}`], events: e === undefined ? [] : [e] };
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
