/**
 * Market data of the connector: perpbot's (symbol, channel) subscriptions on Hyperliquid's
 * channels (book → `l2Book`, trades → `trades`, bbo → `bbo`, mark and funding →
 * `activeAssetCtx`, one venue subscription shared by both), the books, marks and funding rates
 * they keep, and the health of every stream (ready, last message, stale) with a change event
 * whenever it moves.
 *
 * `l2Book` is a full snapshot every block, so a reconnect needs no resync: the next message
 * replaces the book. A book or asset-context stream silent for `staleAfterMs` is stale; trades
 * and bbo are only stale when the socket is down (a quiet market prints nothing, and the venue
 * sends `bbo` only when the touch moves). A malformed `bbo` message is reported as a problem and
 * dropped.
 */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { BookLevel, BookView, MarketEvent } from "../../core/market.ts";
import type { Unsubscribe } from "../../core/venue.ts";
import {
  ACCOUNT_STREAM,
  type MarketChannel,
  type MarketSubscription,
  type StreamStatus,
  type StreamStatusChange,
  streamName,
} from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import { readBbo } from "./bbo.ts";
import type { HlMarket } from "./instruments.ts";
import type { ScannedBook } from "./l2book-scan.ts";
import type { HlWs, Subscription } from "./ws.ts";

const WS_TYPE: Readonly<Record<MarketChannel, string>> = {
  book: "l2Book",
  trades: "trades",
  mark: "activeAssetCtx",
  funding: "activeAssetCtx",
  bbo: "bbo",
};

/** channels whose silence says nothing while the socket is up */
const QUIET_OK: ReadonlySet<MarketChannel> = new Set(["trades", "bbo"]);

interface Held {
  readonly sub: MarketSubscription;
  readonly wsSub: Subscription;
  count: number;
  since: number;
  release: Unsubscribe;
}

interface Ctx {
  mark?: number;
  oracle?: number;
  funding?: number;
}

/** The account streams' health, from the connector's user sockets. */
export interface AccountStreamSource {
  status(): { ready: boolean; lastMessageTs: number | null };
}

export class MarketStreams {
  readonly #venueId: string;
  readonly #clock: Clock;
  readonly #ws: HlWs;
  readonly #staleAfterMs: number;
  readonly #markets: ReadonlyMap<string, HlMarket>;
  readonly #problem: (m: string) => void;
  readonly #held = new Map<string, Held>();
  readonly #books = new Map<string, L2Book>();
  readonly #ctx = new Map<string, Ctx>();
  readonly #marketListeners = new Set<(e: MarketEvent) => void>();
  readonly #statusListeners = new Set<(c: StreamStatusChange) => void>();
  readonly #last = new Map<string, { ready: boolean; stale: boolean }>();
  #account: AccountStreamSource | undefined;
  #timer: TimerHandle | undefined;

  constructor(opts: {
    venueId: string;
    clock: Clock;
    ws: HlWs;
    staleAfterMs: number;
    markets: ReadonlyMap<string, HlMarket>;
    /** where malformed stream messages are reported */
    problem?: (m: string) => void;
  }) {
    this.#venueId = opts.venueId;
    this.#clock = opts.clock;
    this.#ws = opts.ws;
    this.#staleAfterMs = opts.staleAfterMs;
    this.#markets = opts.markets;
    this.#problem = opts.problem ?? (() => {});
    opts.ws.onState(() => this.check());
  }

  setAccountSource(src: AccountStreamSource): void {
    this.#account = src;
  }

  /** Start the periodic staleness check (every quarter of the window). */
  start(): void {
    const tick = () => {
      this.check();
      this.#timer = this.#clock.after(Math.max(250, this.#staleAfterMs / 4), tick);
    };
    if (this.#timer === undefined) tick();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.cancel(this.#timer);
    this.#timer = undefined;
  }

  subscribe(sub: MarketSubscription): Unsubscribe {
    const m = this.#markets.get(sub.symbol);
    if (m === undefined)
      throw new InvalidValueError(`${this.#venueId}: no instrument "${sub.symbol}" to subscribe`);
    if (!(sub.channel in WS_TYPE))
      throw new InvalidValueError(`${this.#venueId}: unknown channel "${sub.channel}"`);
    const name = streamName(sub);
    let h = this.#held.get(name);
    if (h === undefined) {
      const wsSub = { type: WS_TYPE[sub.channel], coin: sub.symbol };
      const held: Held = { sub, wsSub, count: 0, since: this.#clock.now(), release: () => {} };
      held.release = this.#ws.subscribe(wsSub, (data) => this.#onData(sub, name, data));
      this.#held.set(name, held);
      h = held;
    }
    h.count++;
    let holding = true;
    const entry = h;
    return () => {
      if (!holding) return;
      holding = false;
      if (--entry.count > 0) return;
      entry.release();
      this.#held.delete(name);
      this.#last.delete(name);
    };
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    this.#marketListeners.add(listener);
    return () => this.#marketListeners.delete(listener);
  }

  onStatus(listener: (c: StreamStatusChange) => void): Unsubscribe {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  book(symbol: string): BookView {
    let b = this.#books.get(symbol);
    if (b === undefined) {
      const m = this.#markets.get(symbol);
      if (m === undefined) throw new InvalidValueError(`${this.#venueId}: no instrument "${symbol}"`);
      b = new L2Book(m.instrument);
      this.#books.set(symbol, b);
    }
    return b;
  }

  /** A mark price or funding rate seen on the stream or fetched at connect. */
  ctx(symbol: string): Ctx | undefined {
    return this.#ctx.get(symbol);
  }

  setCtx(symbol: string, c: Ctx): void {
    this.#ctx.set(symbol, { ...this.#ctx.get(symbol), ...c });
  }

  streams(): StreamStatus[] {
    const out: StreamStatus[] = [];
    const now = this.#clock.now();
    for (const [name, h] of this.#held) {
      const last = this.#ws.lastMessageTs(h.wsSub);
      const ready = this.#ws.isLive(h.wsSub);
      const quietFor = now - (last ?? h.since);
      const watched = !QUIET_OK.has(h.sub.channel);
      out.push({
        stream: name,
        ready,
        lastMessageTs: last,
        stale: !ready || (watched && quietFor > this.#staleAfterMs),
      });
    }
    if (this.#account) {
      const a = this.#account.status();
      out.push({ stream: ACCOUNT_STREAM, ready: a.ready, lastMessageTs: a.lastMessageTs, stale: !a.ready });
    }
    return out;
  }

  /** Compare every stream's health with the last seen and push each change. */
  check(): void {
    const ts = this.#clock.now();
    for (const s of this.streams()) {
      const prev = this.#last.get(s.stream);
      if (prev !== undefined && prev.ready === s.ready && prev.stale === s.stale) continue;
      // a stream first seen healthy is no news; first seen down is
      this.#last.set(s.stream, { ready: s.ready, stale: s.stale });
      if (prev === undefined && s.ready && !s.stale) continue;
      const change: StreamStatusChange = { ...s, venue: this.#venueId, ts };
      for (const l of this.#statusListeners) l(change);
    }
  }

  #publish(e: MarketEvent): void {
    for (const l of this.#marketListeners) l(e);
  }

  #onData(sub: MarketSubscription, name: string, data: unknown): void {
    const venue = this.#venueId;
    const symbol = sub.symbol;
    const wasStale = this.#last.get(name)?.stale === true;
    if (sub.channel === "book") {
      // the direct reader's levels are the book's already (l2book-scan.ts); JSON's are strings
      const d = data as Partial<ScannedBook> & {
        time?: number;
        levels?: [{ px: string; sz: string }[], { px: string; sz: string }[]];
      };
      let bids: readonly BookLevel[];
      let asks: readonly BookLevel[];
      if (d?.scanned === true && d.bids && d.asks) {
        bids = d.bids;
        asks = d.asks;
      } else {
        if (!Array.isArray(d?.levels) || d.levels.length !== 2) return;
        const level = (l: { px: string; sz: string }): BookLevel => ({
          price: Number(l.px),
          size: Number(l.sz),
        });
        bids = d.levels[0].map(level);
        asks = d.levels[1].map(level);
      }
      const update = {
        type: "book" as const,
        venue,
        symbol,
        ts: d.time ?? this.#clock.now(),
        snapshot: true,
        bids,
        asks,
      };
      (this.book(symbol) as L2Book).apply(update);
      this.#publish(update);
    } else if (sub.channel === "bbo") {
      let e: MarketEvent;
      try {
        e = readBbo(data, venue, symbol);
      } catch (err) {
        this.#problem(err instanceof Error ? err.message : String(err));
        return;
      }
      this.#publish(e);
    } else if (sub.channel === "trades") {
      if (!Array.isArray(data)) return;
      for (const t of data as { side: string; px: string; sz: string; time: number }[])
        this.#publish({
          type: "trade",
          venue,
          symbol,
          ts: t.time,
          price: Number(t.px),
          size: Number(t.sz),
          side: t.side === "B" ? "buy" : "sell",
        });
    } else {
      const c = (data as { ctx?: { markPx?: string; oraclePx?: string; funding?: string } })?.ctx;
      if (c === undefined) return;
      const ts = this.#clock.now();
      const mark = Number(c.markPx);
      const oracle = Number(c.oraclePx);
      const funding = Number(c.funding);
      this.setCtx(symbol, { mark, oracle, funding });
      if (sub.channel === "mark" && Number.isFinite(mark))
        this.#publish({ type: "mark", venue, symbol, ts, markPrice: mark, oraclePrice: oracle });
      // activeAssetCtx's `funding` is the hourly rate (VENUES.md §1.5)
      if (sub.channel === "funding" && Number.isFinite(funding))
        this.#publish({ type: "funding", venue, symbol, ts, ratePerHour: funding });
    }
    if (wasStale) this.check();
  }
}
