import type { Clock } from "../../core/clock.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { FaultInjector } from "./faults.ts";

/**
 * How a request reaches the simulated venue: after its latency (a microtask at least, so an
 * answer is never synchronous), and not at all while the venue is down or after it closed (the
 * caller gets an "unavailable" unknown outcome, as from a real venue that did not answer).
 */
export class SimRequestGate {
  private readonly id: string;
  private readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly faults: FaultInjector;
  private readonly downForGood: () => Error | undefined;
  closed = false;

  /** `downForGood`: the error every request gets once the venue could not save its state */
  constructor(
    id: string,
    clock: Clock,
    latencyMs: number,
    faults: FaultInjector,
    downForGood: () => Error | undefined = () => undefined,
  ) {
    this.id = id;
    this.clock = clock;
    this.latencyMs = latencyMs;
    this.faults = faults;
    this.downForGood = downForGood;
  }

  /**
   * Run `fn` when the request reaches the venue (after the latency, or `latencyMs` when given),
   * unless the venue is down.
   */
  run<T>(fn: (now: number) => T, latencyMs = this.latencyMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        const now = this.clock.now();
        const down = this.closed ? undefined : this.downForGood();
        if (this.closed) reject(new VenueUnknownOutcomeError("unavailable", `${this.id}: venue closed`));
        else if (down !== undefined) reject(down);
        else if (this.faults.isDown(now)) {
          reject(new VenueUnknownOutcomeError("unavailable", `${this.id}: venue unavailable`));
        } else {
          try {
            resolve(fn(now));
          } catch (e) {
            reject(e);
          }
        }
      };
      if (latencyMs === 0) queueMicrotask(run);
      else this.clock.after(latencyMs, run);
    });
  }
}
