import type { Clock, TimerHandle } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookLevel, BookUpdate, BookView, MarketEvent } from "../../core/market.ts";
import type { Unsubscribe } from "../../core/venue.ts";
import {
  ACCOUNT_STREAM,
  MARKET_CHANNELS,
  type MarketChannel,
  type MarketSubscription,
  type StreamStatus,
  type StreamStatusChange,
  streamName,
} from "../../core/venue-streams.ts";

/** channel index of each market event type: a bbo travels on the book channel */
const CHANNEL_OF: Readonly<Record<MarketEvent["type"], number>> = {
  book: 0,
  bbo: 0,
  trade: 1,
  mark: 2,
  funding: 3,
};

interface Stream {
  readonly name: string;
  subscribers: number;
  lastMessageTs: number | null;
  /** when the stream was (re)started: the staleness clock starts here before any message */
  since: number;
  dropped: boolean;
  /** no message within staleAfterMs (reset by the next message) */
  quiet: boolean;
}

/**
 * The simulated venue's client-facing streams: which (symbol, channel) pairs are subscribed,
 * when each last carried a message, and whether it dropped or went quiet. The venue's own
 * matching always sees every market event it is fed (the exchange has the data whether or not a
 * client listens); only what reaches `onMarket` listeners is filtered by subscription, as on a
 * real venue's WebSocket. Tests drop and restore streams to rehearse a disconnect.
 */
export class SimStreams {
  private readonly venueId: string;
  private readonly clock: Clock;
  private readonly staleAfterMs: number | undefined;
  /** per symbol, one stream per channel in MARKET_CHANNELS order */
  private readonly market = new Map<string, Stream[]>();
  private readonly account: Stream;
  private readonly marketListeners = new Set<(e: MarketEvent) => void>();
  private readonly statusListeners = new Set<(c: StreamStatusChange) => void>();
  private readonly onRestore: (sub: MarketSubscription) => void;
  private staleTimer: TimerHandle | undefined;

  constructor(opts: {
    venueId: string;
    clock: Clock;
    symbols: Iterable<string>;
    /** a subscribed stream with no message for this long is reported stale; undefined: never */
    staleAfterMs: number | undefined;
    /** called when a stream comes back, to send what a resubscribe sends (a book snapshot) */
    onRestore: (sub: MarketSubscription) => void;
  }) {
    this.venueId = opts.venueId;
    this.clock = opts.clock;
    this.staleAfterMs = opts.staleAfterMs;
    this.onRestore = opts.onRestore;
    const now = this.clock.now();
    for (const symbol of opts.symbols)
      this.market.set(
        symbol,
        MARKET_CHANNELS.map((channel) => fresh(streamName({ symbol, channel }), now)),
      );
    this.account = fresh(ACCOUNT_STREAM, now);
    this.account.subscribers = 1;
  }

  subscribe(sub: MarketSubscription): Unsubscribe {
    const s = this.stream(sub);
    if (s.subscribers++ === 0) {
      s.since = this.clock.now();
      s.quiet = false;
      this.armStaleTimer();
    }
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      s.subscribers--;
    };
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    this.marketListeners.add(listener);
    return () => this.marketListeners.delete(listener);
  }

  onStatus(listener: (c: StreamStatusChange) => void): Unsubscribe {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** A market event the venue processed: to listeners when its stream is subscribed and up. */
  publish(e: MarketEvent): void {
    const streams = this.market.get(e.symbol);
    if (streams === undefined) return;
    // (CHANNEL_OF spelled out for the feed's usual types: no keyed lookup per event)
    const t = e.type;
    const s = streams[t === "book" || t === "bbo" ? 0 : t === "trade" ? 1 : CHANNEL_OF[t]];
    if (s.subscribers === 0 || s.dropped) return;
    s.lastMessageTs = this.clock.now();
    if (s.quiet) {
      s.quiet = false;
      this.emit(s);
    }
    for (const l of this.marketListeners) l(e);
  }

  /** Whether account events reach listeners now; notes the message time when they do. */
  accountUp(): boolean {
    if (this.account.dropped) return false;
    this.account.lastMessageTs = this.clock.now();
    return true;
  }

  /** Every subscribed market stream and the account stream. */
  statuses(): StreamStatus[] {
    const out: StreamStatus[] = [statusOf(this.account)];
    for (const streams of this.market.values())
      for (const s of streams) if (s.subscribers > 0) out.push(statusOf(s));
    return out;
  }

  /** Cut one stream (a disconnect): nothing reaches listeners until restore(). */
  drop(name: string): void {
    const s = this.named(name);
    if (s.dropped) return;
    s.dropped = true;
    this.emit(s);
  }

  /** Bring a dropped stream back, as a reconnect and resubscribe would. */
  restore(name: string): void {
    const s = this.named(name);
    if (!s.dropped) return;
    s.dropped = false;
    s.quiet = false;
    s.since = this.clock.now();
    this.emit(s);
    if (s !== this.account) {
      const [channel, symbol] = splitName(name);
      this.onRestore({ symbol, channel });
    }
  }

  close(): void {
    if (this.staleTimer !== undefined) this.clock.cancel(this.staleTimer);
    this.staleTimer = undefined;
  }

  private stream(sub: MarketSubscription): Stream {
    const streams = this.market.get(sub.symbol);
    if (streams === undefined)
      throw new InvalidValueError(
        `sim venue ${this.venueId}: cannot subscribe to unknown symbol "${sub.symbol}"`,
      );
    const i = MARKET_CHANNELS.indexOf(sub.channel);
    if (i < 0)
      throw new InvalidValueError(
        `sim venue ${this.venueId}: unknown channel "${String(sub.channel)}" (one of ${MARKET_CHANNELS.join(", ")})`,
      );
    return streams[i];
  }

  private named(name: string): Stream {
    if (name === ACCOUNT_STREAM) return this.account;
    const [channel, symbol] = splitName(name);
    const s = this.stream({ symbol, channel });
    if (s.subscribers === 0)
      throw new InvalidValueError(`sim venue ${this.venueId}: stream "${name}" is not subscribed`);
    return s;
  }

  private emit(s: Stream): void {
    const change: StreamStatusChange = { ...statusOf(s), venue: this.venueId, ts: this.clock.now() };
    for (const l of this.statusListeners) l(change);
  }

  /** One timer for all streams, running only while some stream is subscribed. */
  private armStaleTimer(): void {
    const window = this.staleAfterMs;
    if (window === undefined || this.staleTimer !== undefined) return;
    this.staleTimer = this.clock.after(window, () => {
      this.staleTimer = undefined;
      const now = this.clock.now();
      let any = false;
      for (const streams of this.market.values())
        for (const s of streams) {
          if (s.subscribers === 0) continue;
          any = true;
          if (!s.dropped && !s.quiet && now - (s.lastMessageTs ?? s.since) >= window) {
            s.quiet = true;
            this.emit(s);
          }
        }
      if (any) this.armStaleTimer();
    });
  }
}

function fresh(name: string, now: number): Stream {
  return { name, subscribers: 0, lastMessageTs: null, since: now, dropped: false, quiet: false };
}

function statusOf(s: Stream): StreamStatus {
  return {
    stream: s.name,
    ready: !s.dropped && s.subscribers > 0,
    lastMessageTs: s.lastMessageTs,
    stale: s.dropped || s.quiet,
  };
}

function splitName(name: string): [MarketChannel, string] {
  const i = name.indexOf(":");
  return [name.slice(0, i) as MarketChannel, name.slice(i + 1)];
}

/** The whole book as one snapshot message, as a venue sends on (re)subscribing. */
export function bookSnapshot(venue: string, inst: Instrument, book: BookView, ts: number): BookUpdate {
  const levels = (side: "bid" | "ask") => {
    const out: BookLevel[] = [];
    book.walk(side, (ticks, size) => {
      out.push({ price: inst.priceValue(ticks), size });
      return true;
    });
    return out;
  };
  return {
    type: "book",
    venue,
    symbol: inst.symbol,
    ts,
    snapshot: true,
    bids: levels("bid"),
    asks: levels("ask"),
  };
}
