/**
 * Hyperliquid's metered scopes (VENUES.md §1.7): REST weight per IP (1200 a minute, shared by
 * every wallet that goes out through that IP) and requests per address. One `WeightLimiter` per
 * scope key, from `limiterFor`, so two connector objects on the same IP never each believe they
 * own the whole budget.
 */
import { RATE_LIMITS } from "./capabilities.ts";

export interface LimiterOptions {
  /** weight refilled per minute, also the burst capacity */
  readonly perMinute: number;
  readonly now?: () => number;
}

/** A continuous token bucket of request weight. */
export class WeightLimiter {
  readonly perMinute: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;
  /** waiters are served in arrival order so a heavy request is not starved by light ones */
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: LimiterOptions) {
    if (!(opts.perMinute > 0)) throw new RangeError("perMinute must be > 0");
    this.perMinute = opts.perMinute;
    this.#now = opts.now ?? Date.now;
    this.#tokens = opts.perMinute;
    this.#at = this.#now();
  }

  #refill(): void {
    const t = this.#now();
    this.#tokens = Math.min(this.perMinute, this.#tokens + ((t - this.#at) * this.perMinute) / 60_000);
    this.#at = t;
  }

  /** Weight available now. */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Take `weight` now if it is there; otherwise return the ms to wait and take nothing. */
  tryTake(weight: number): number {
    if (weight > this.perMinute)
      throw new RangeError(`weight ${weight} exceeds the budget ${this.perMinute}`);
    this.#refill();
    if (this.#tokens >= weight) {
      this.#tokens -= weight;
      return 0;
    }
    return Math.ceil(((weight - this.#tokens) * 60_000) / this.perMinute);
  }

  /** Wait (in arrival order) until `weight` can be taken, then take it. */
  take(weight: number, sleep: (ms: number) => Promise<void> = defaultSleep): Promise<void> {
    const turn = this.#queue.then(async () => {
      for (let wait = this.tryTake(weight); wait > 0; wait = this.tryTake(weight)) await sleep(wait);
    });
    this.#queue = turn.catch(() => {});
    return turn;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const LIMITERS = new Map<string, WeightLimiter>();

/**
 * What the process spends of the IP's budget: the venue's bucket and ours drift apart by the
 * difference in request latency (the venue's clock starts when the first request arrives, and
 * the connection-opening first request is the slowest), so a connector spending exactly the
 * venue's 1200 got HTTP 429s in the emulator's test for 1.3 weight of drift; 5% is left.
 */
export const IP_BUDGET_SHARE = 0.95;

/**
 * The process-wide limiter of one IP scope (`ip:<egress name>`; "ip:default" when every wallet
 * leaves through the host's address).
 */
export function limiterFor(
  scope = "ip:default",
  perMinute: number = Math.floor(RATE_LIMITS.ipWeightPerMinute * IP_BUDGET_SHARE),
): WeightLimiter {
  let l = LIMITERS.get(scope);
  if (!l) {
    l = new WeightLimiter({ perMinute });
    LIMITERS.set(scope, l);
  }
  return l;
}
