import type { Clock } from "../../core/clock.ts";
import type { StreamStatus, StreamStatusChange } from "../../core/venue-streams.ts";

/**
 * Health of every stream the connector keeps ("book:BTC_USDC_PERP", "account"). A stream is
 * `ready` while its connection is up and subscribed, and `stale` from a drop (or `staleAfterMs`
 * without a message) until the next message on it: a REST snapshot taken after a reconnect
 * refreshes the book but says nothing about the stream, so it does not clear staleness. Each
 * change of (ready, stale) is pushed to the listeners once.
 */
export class StreamHealth {
  readonly #clock: Clock;
  readonly #venueId: string;
  readonly #staleAfterMs: number;
  readonly #status = new Map<string, { ready: boolean; stale: boolean; last: number | null }>();
  readonly #listeners = new Set<(c: StreamStatusChange) => void>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(clock: Clock, venueId: string, staleAfterMs: number) {
    this.#clock = clock;
    this.#venueId = venueId;
    this.#staleAfterMs = staleAfterMs;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.#sweep(), Math.min(1000, this.#staleAfterMs));
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  onChange(listener: (c: StreamStatusChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  add(stream: string, ready: boolean): void {
    if (!this.#status.has(stream)) this.#status.set(stream, { ready, stale: false, last: null });
  }

  remove(stream: string): void {
    this.#status.delete(stream);
  }

  /** a message arrived on the stream */
  message(stream: string, ts: number): void {
    const s = this.#status.get(stream);
    if (s === undefined) return;
    s.last = ts;
    this.#set(stream, s, true, false);
  }

  /** the stream's connection came up (subscribed) */
  up(stream: string): void {
    const s = this.#status.get(stream);
    if (s !== undefined) this.#set(stream, s, true, s.stale);
  }

  /** the stream's connection dropped */
  down(stream: string): void {
    const s = this.#status.get(stream);
    if (s !== undefined) this.#set(stream, s, false, true);
  }

  list(): StreamStatus[] {
    return [...this.#status.entries()].map(([stream, s]) => ({
      stream,
      ready: s.ready,
      lastMessageTs: s.last,
      stale: s.stale,
    }));
  }

  #set(
    stream: string,
    s: { ready: boolean; stale: boolean; last: number | null },
    ready: boolean,
    stale: boolean,
  ) {
    if (s.ready === ready && s.stale === stale) return;
    s.ready = ready;
    s.stale = stale;
    const change: StreamStatusChange = {
      stream,
      ready,
      stale,
      lastMessageTs: s.last,
      venue: this.#venueId,
      ts: this.#clock.now(),
    };
    for (const l of this.#listeners) l(change);
  }

  #sweep(): void {
    const now = this.#clock.now();
    for (const [stream, s] of this.#status) {
      // the account stream carries messages only when something happens: silence is not staleness
      if (stream === "account" || s.last === null || s.stale) continue;
      if (now - s.last > this.#staleAfterMs) this.#set(stream, s, s.ready, true);
    }
  }
}
