import type { Clock } from "../../core/clock.ts";
import type { Unsubscribe, VenueEvent } from "../../core/venue.ts";
import type { EventLog } from "./event-log.ts";

/**
 * How the simulated venue's account events reach listeners: always asynchronously (a microtask
 * at least), answers to a request right after it ran, events from market data or timers after
 * the venue's latency, and nothing while the account stream is dropped.
 */
export class EventDelivery {
  private readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly eventLog: EventLog;
  private readonly accountUp: () => boolean;
  private readonly listeners = new Set<(e: VenueEvent) => void>();

  constructor(clock: Clock, latencyMs: number, eventLog: EventLog, accountUp: () => boolean) {
    this.clock = clock;
    this.latencyMs = latencyMs;
    this.eventLog = eventLog;
    this.accountUp = accountUp;
  }

  listen(listener: (e: VenueEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events answering a request: right after it was processed, still asynchronously. */
  now(events: VenueEvent[]): void {
    if (events.length > 0) queueMicrotask(() => this.deliver(events));
  }

  /** Events from market data or timers: after the latency. */
  later(events: VenueEvent[]): void {
    if (events.length === 0) return;
    if (this.latencyMs === 0) queueMicrotask(() => this.deliver(events));
    else this.clock.after(this.latencyMs, () => this.deliver(events));
  }

  private deliver(events: VenueEvent[]): void {
    if (this.eventLog.enabled) this.eventLog.append(events);
    // a dropped account stream loses its events, as a dropped WebSocket does: reconciliation finds them
    if (!this.accountUp()) return;
    let failure: unknown;
    for (const e of events) {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          failure ??= err;
        }
      }
    }
    // a listener's bug must not stop the others from hearing the event; surface it afterwards
    if (failure !== undefined) throw failure;
  }
}
