/**
 * The public socket's messages as market events. Channels (docs.paradex.trade "WebSocket
 * channels", ccxt@4.5.84 `pro/paradex.js`): the book as `order_book.{m}.snapshot@15@100ms` (each
 * message a full 15-level snapshot), `bbo.{m}`, `trades.{m}`, marks from `markets_summary` (one
 * channel for every market) and rates from `funding_data.{m}` (the rate of one funding period).
 */

import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent } from "../../core/market.ts";
import type { MarketChannel } from "../../core/venue-streams.ts";
import type { L2Book } from "../../data/book.ts";
import { parseAs } from "./http.ts";
import { BboSchema, BookSnapshotSchema, FundingDataSchema, SummarySchema, TradeSchema } from "./parse.ts";

export const BOOK_CHANNEL_SUFFIX = ".snapshot@15@100ms";
export const SUMMARY_CHANNEL = "markets_summary";

/** The wire channel a (channel, market) subscription is carried on. */
export function wireOf(channel: MarketChannel, market: string): string {
  switch (channel) {
    case "book":
      return `order_book.${market}${BOOK_CHANNEL_SUFFIX}`;
    case "bbo":
      return `bbo.${market}`;
    case "trades":
      return `trades.${market}`;
    case "mark":
      return SUMMARY_CHANNEL;
    case "funding":
      return `funding_data.${market}`;
    default:
      throw new InvalidValueError(`paradex: no channel "${String(channel)}" for ${market}`);
  }
}

export interface PublicFeedDeps {
  readonly venueId: string;
  instrument(symbol: string): Instrument | undefined;
  book(symbol: string): L2Book;
  /** whether perpbot's stream ("book:BTC-USD-PERP") has a subscriber */
  subscribed(stream: string): boolean;
  message(stream: string): void;
  setMark(symbol: string, mark: number): void;
  setFunding(symbol: string, ratePerHour: number): void;
  publish(e: MarketEvent): void;
}

export class PublicFeed {
  readonly #d: PublicFeedDeps;

  constructor(deps: PublicFeedDeps) {
    this.#d = deps;
  }

  onData(channel: string, data: unknown): void {
    const d = this.#d;
    if (channel === SUMMARY_CHANNEL) {
      const s = parseAs(SummarySchema, data, SUMMARY_CHANNEL);
      const inst = d.instrument(s.symbol);
      if (inst === undefined || !s.mark_price) return;
      const mark = Number(s.mark_price);
      d.setMark(s.symbol, mark);
      if (s.funding_rate) d.setFunding(s.symbol, Number(s.funding_rate) / inst.spec.fundingIntervalHours);
      const stream = `mark:${s.symbol}`;
      if (!d.subscribed(stream)) return;
      d.message(stream);
      const oracle = s.oracle_price ? Number(s.oracle_price) : mark;
      d.publish({
        type: "mark",
        venue: d.venueId,
        symbol: s.symbol,
        ts: s.created_at ?? Date.now(),
        markPrice: mark,
        oraclePrice: oracle,
      });
      return;
    }
    const kind = channel.slice(0, channel.indexOf("."));
    if (kind === "order_book") {
      const b = parseAs(BookSnapshotSchema, data, channel);
      if (d.instrument(b.market) === undefined) return;
      const level = (l: { price: string; size: string }) => ({
        price: Number(l.price),
        size: Number(l.size),
      });
      const update = {
        type: "book" as const,
        venue: d.venueId,
        symbol: b.market,
        ts: b.last_updated_at,
        snapshot: true,
        bids: b.inserts.filter((l) => l.side === "BUY").map(level),
        asks: b.inserts.filter((l) => l.side === "SELL").map(level),
      };
      d.book(b.market).apply(update);
      d.message(`book:${b.market}`);
      if (d.subscribed(`book:${b.market}`)) d.publish(update);
    } else if (kind === "bbo") {
      const b = parseAs(BboSchema, data, channel);
      if (d.instrument(b.market) === undefined) return;
      d.message(`bbo:${b.market}`);
      d.publish({
        type: "bbo",
        venue: d.venueId,
        symbol: b.market,
        ts: b.last_updated_at,
        bidPrice: Number(b.bid),
        bidSize: Number(b.bid_size),
        askPrice: Number(b.ask),
        askSize: Number(b.ask_size),
      });
    } else if (kind === "trades") {
      const t = parseAs(TradeSchema, data, channel);
      if (d.instrument(t.market) === undefined) return;
      d.message(`trades:${t.market}`);
      d.publish({
        type: "trade",
        venue: d.venueId,
        symbol: t.market,
        ts: t.created_at,
        price: Number(t.price),
        size: Number(t.size),
        side: t.side === "BUY" ? "buy" : "sell",
      });
    } else if (kind === "funding_data") {
      const f = parseAs(FundingDataSchema, data, channel);
      const inst = d.instrument(f.market);
      if (inst === undefined) return;
      const hours = f.funding_period_hours ?? inst.spec.fundingIntervalHours;
      const perHour = Number(f.funding_rate) / hours;
      d.setFunding(f.market, perHour);
      d.message(`funding:${f.market}`);
      d.publish({
        type: "funding",
        venue: d.venueId,
        symbol: f.market,
        ts: f.created_at,
        ratePerHour: perHour,
      });
    }
  }
}
