import type { Clock } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { RateLimitScope, RequestKind } from "../../core/venue-capabilities.ts";

const KINDS: readonly RequestKind[] = [
  "submit",
  "cancel",
  "amend",
  "order_status",
  "open_orders",
  "positions",
  "account_state",
  "fills",
  "funding_payments",
  "set_leverage",
];
const KIND_INDEX = new Map(KINDS.map((k, i) => [k, i]));

interface Bucket {
  tokens: number;
  lastMs: number;
}

interface MeteredScope {
  readonly scope: RateLimitScope["scope"];
  readonly name: string;
  readonly capacity: number;
  readonly refillPerMs: number;
  /** weight per request kind, by KIND_INDEX */
  readonly weights: Float64Array;
  /** one bucket per scope key: the egress for "ip", the account for "account" */
  readonly buckets: Map<string, Bucket>;
}

/** The egress an account's requests leave through; the key of "ip" scopes. */
export type EgressOf = (venue: string, account: string) => string;

/**
 * One token bucket per metered scope and scope key, shared by everything the engine sends: every
 * account that leaves through the same address draws on one "ip" bucket of a venue, each account
 * on its own "account" bucket. A request takes its weight from every scope that meters its kind;
 * when a bucket runs dry the request waits (on the injected clock, so backtests stay
 * deterministic) until its weight has refilled. Waiting requests go into debt in arrival order,
 * so a burst is spread out first come, first served instead of retried.
 *
 * A venue with no scopes costs one map lookup per request and no allocation.
 */
export class RateLimiter {
  private readonly clock: Clock;
  private readonly egressOf: EgressOf;
  private readonly venues = new Map<string, readonly MeteredScope[]>();

  constructor(opts: {
    clock: Clock;
    /** each venue's rate-limit scopes (its capabilities.rateLimits) */
    venues: Iterable<readonly [string, readonly RateLimitScope[]]>;
    /** default: every account on one direct connection ("direct") */
    egressOf?: EgressOf;
  }) {
    this.clock = opts.clock;
    this.egressOf = opts.egressOf ?? (() => "direct");
    for (const [venue, scopes] of opts.venues) {
      if (scopes.length > 0)
        this.venues.set(
          venue,
          scopes.map((s, i) => compile(venue, s, i)),
        );
    }
  }

  /**
   * Reserve a request's weight now; returns how many ms it must wait before it may go (0: at
   * once). Sleep that long, then send: the weight is already taken.
   */
  reserve(venue: string, account: string, kind: RequestKind): number {
    const scopes = this.venues.get(venue);
    if (scopes === undefined) return 0;
    const k = KIND_INDEX.get(kind);
    if (k === undefined) throw new InvalidValueError(`rate limiter: unknown request kind "${kind}"`);
    const now = this.clock.now();
    let waitMs = 0;
    for (const s of scopes) {
      const weight = s.weights[k];
      if (weight === 0) continue;
      const key = s.scope === "ip" ? this.egressOf(venue, account) : account;
      let b = s.buckets.get(key);
      if (b === undefined) {
        b = { tokens: s.capacity, lastMs: now };
        s.buckets.set(key, b);
      }
      b.tokens = Math.min(s.capacity, b.tokens + (now - b.lastMs) * s.refillPerMs);
      b.lastMs = now;
      b.tokens -= weight;
      if (b.tokens < 0) waitMs = Math.max(waitMs, Math.ceil(-b.tokens / s.refillPerMs));
    }
    return waitMs;
  }

  /** reserve() and sleep on the clock when needed; undefined (nothing to await) when it may go now. */
  acquire(venue: string, account: string, kind: RequestKind): Promise<void> | undefined {
    const waitMs = this.reserve(venue, account, kind);
    return waitMs > 0 ? this.clock.sleep(waitMs) : undefined;
  }

  /**
   * `request` once its weight is paid: reserved now, sent when the wait is over. Requests issued
   * together each wait for their own slot, so the venue sees them spread as the budget allows.
   */
  async metered<T>(venue: string, account: string, kind: RequestKind, request: () => Promise<T>): Promise<T> {
    const waitMs = this.reserve(venue, account, kind);
    if (waitMs > 0) await this.clock.sleep(waitMs);
    return request();
  }

  /** Whether any scope of `venue` is metered (false: every reserve() returns 0). */
  meters(venue: string): boolean {
    return this.venues.has(venue);
  }

  /**
   * Per metered scope of `venue`, the share of its budget in use now: the fullest of its buckets
   * (capacity minus the tokens left, over capacity; above 1 while requests wait in debt).
   */
  usage(venue: string): { scope: string; used: number }[] {
    const now = this.clock.now();
    return (this.venues.get(venue) ?? []).map((s) => {
      let used = 0;
      for (const b of s.buckets.values()) {
        const left = Math.min(s.capacity, b.tokens + (now - b.lastMs) * s.refillPerMs);
        used = Math.max(used, (s.capacity - left) / s.capacity);
      }
      return { scope: s.name, used };
    });
  }

  /** Tokens left in one bucket now (full for a key not seen yet), for status screens and tests. */
  available(venue: string, scopeName: string, key: string): number {
    const s = this.venues.get(venue)?.find((x) => x.name === scopeName);
    if (s === undefined)
      throw new InvalidValueError(`rate limiter: venue ${venue} has no scope "${scopeName}"`);
    const b = s.buckets.get(key);
    if (b === undefined) return s.capacity;
    return Math.min(s.capacity, b.tokens + (this.clock.now() - b.lastMs) * s.refillPerMs);
  }
}

function compile(venue: string, s: RateLimitScope, i: number): MeteredScope {
  const where = `venue ${venue} rateLimits[${i}] (${s.name})`;
  if (s.scope !== "ip" && s.scope !== "account")
    throw new InvalidValueError(`${where}: scope "${String(s.scope)}" must be "ip" or "account"`);
  if (!(s.capacity > 0 && Number.isFinite(s.capacity)))
    throw new InvalidValueError(`${where}: capacity ${s.capacity} must be a finite number > 0`);
  if (!(s.refillPerSecond > 0 && Number.isFinite(s.refillPerSecond)))
    throw new InvalidValueError(`${where}: refillPerSecond ${s.refillPerSecond} must be a finite number > 0`);
  const weights = new Float64Array(KINDS.length);
  for (const [kind, w] of Object.entries(s.weights)) {
    const k = KIND_INDEX.get(kind as RequestKind);
    if (k === undefined) throw new InvalidValueError(`${where}: unknown request kind "${kind}"`);
    // a weight above the capacity could never be paid in one go
    if (!(typeof w === "number" && w >= 0 && w <= s.capacity))
      throw new InvalidValueError(
        `${where}: weight of ${kind} ${String(w)} must be in [0, capacity ${s.capacity}]`,
      );
    weights[k] = w;
  }
  return {
    scope: s.scope,
    name: s.name,
    capacity: s.capacity,
    refillPerMs: s.refillPerSecond / 1000,
    weights,
    buckets: new Map(),
  };
}
