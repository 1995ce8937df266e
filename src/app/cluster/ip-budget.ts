import type { Clock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import type { RateLimitScope } from "../../core/venue-capabilities.ts";
import { type EgressOf, RateLimiter } from "../../engine/risk/rate-limiter.ts";

/**
 * A venue's per-IP budget across the workers of a pool (issue 19), as a documented split: at
 * most `workersPerIp` live workers may share one egress (the pool refuses one more when it joins,
 * lease-store.ts), and each meters its sends against 1/workersPerIp of every "ip" scope of every
 * venue: capacity and refill both divided. However the units move between workers, the workers
 * on one address together never exceed the venue's limit. Within a worker, every unit's engine
 * draws on the same limiter, so the units share the worker's part. "account" scopes are not
 * split: an account is driven by one unit, hence by one worker, at a time.
 */

/** The scopes with every "ip" scope cut to a 1/n share. */
export function splitIpScopes(scopes: readonly RateLimitScope[], n: number): RateLimitScope[] {
  if (!(Number.isInteger(n) && n >= 1))
    throw new RangeError(`workers per IP: expected an integer >= 1, got ${n}`);
  return scopes.map((s) =>
    s.scope === "ip" ? { ...s, capacity: s.capacity / n, refillPerSecond: s.refillPerSecond / n } : s,
  );
}

/** One limiter per worker, built at its first unit from that unit's venues, then shared. */
export class WorkerLimiter {
  private readonly workersPerIp: number;
  private readonly egressOf: EgressOf | undefined;
  private limiter: RateLimiter | undefined;

  constructor(workersPerIp: number, egressOf?: EgressOf) {
    splitIpScopes([], workersPerIp);
    this.workersPerIp = workersPerIp;
    this.egressOf = egressOf;
  }

  for(venues: ReadonlyMap<string, Venue>, clock: Clock): RateLimiter {
    this.limiter ??= new RateLimiter({
      clock,
      venues: [...venues].map(
        ([id, v]) => [id, splitIpScopes(v.capabilities.rateLimits, this.workersPerIp)] as const,
      ),
      egressOf: this.egressOf,
    });
    return this.limiter;
  }
}
