import type { Clock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import type { StreamStatus } from "../../core/venue-streams.ts";
import type { AlertBus } from "../alerts.ts";

const BOOK_PREFIX = "book:";

/**
 * The venues' own word on their book streams (onStreamStatus), for the risk gate: while a book
 * stream is stale (dropped, or silent past the venue's window) the book the engine would price
 * from may be out of date however recent its last update looks, so no new exposure is opened on
 * that instrument. Going stale raises one warning; recovering clears it and raises an info. The
 * gate's book-age rule stays: this signal comes sooner on a dropped connection, and the age rule
 * also covers a venue that reports nothing.
 */
export class StreamHealth {
  private readonly venues: ReadonlyMap<string, Venue>;
  private readonly alerts: AlertBus;
  private readonly clock: Clock;
  /** instrument keys whose book stream is stale now */
  private readonly stale = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(venues: ReadonlyMap<string, Venue>, alerts: AlertBus, clock: Clock) {
    this.venues = venues;
    this.alerts = alerts;
    this.clock = clock;
  }

  /** Listen to every venue, and take the streams already stale as they stand. */
  attach(): void {
    if (this.unsubscribe.length > 0) return;
    for (const [id, v] of this.venues) {
      this.unsubscribe.push(v.onStreamStatus((c) => this.update(id, c)));
      for (const s of v.streams()) if (s.stale) this.update(id, s);
    }
  }

  detach(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Whether the book stream of this instrument (its key, "venue:symbol") is stale now. */
  bookStale(instrumentKey: string): boolean {
    return this.stale.size > 0 && this.stale.has(instrumentKey);
  }

  private update(venueId: string, s: StreamStatus): void {
    if (!s.stream.startsWith(BOOK_PREFIX)) return;
    const symbol = s.stream.slice(BOOK_PREFIX.length);
    let key: string;
    try {
      key = this.venues.get(venueId)!.instrument(symbol).key;
    } catch {
      return; // a stream of an instrument the venue does not list: nothing to gate
    }
    const was = this.stale.has(key);
    if (s.stale === was) return;
    const context = { venue: venueId, symbol };
    if (s.stale) {
      this.stale.add(key);
      this.alerts.raise({
        severity: "warning",
        key: `engine.book_stream_stale:${key}`,
        title: "book stream stale: no new exposure",
        message: `${venueId} ${s.stream} is stale (dropped or silent); new opens on ${key} are refused until it recovers`,
        context,
        ts: this.clock.now(),
      });
    } else {
      this.stale.delete(key);
      this.alerts.raise({
        severity: "info",
        key: `engine.book_stream_recovered:${key}`,
        title: "book stream recovered",
        message: `${venueId} ${s.stream} is live again; opens on ${key} are allowed`,
        context,
        ts: this.clock.now(),
      });
    }
  }
}
