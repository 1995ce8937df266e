import type { Clock } from "../core/clock.ts";
import type { Venue } from "../core/venue.ts";
import { accountKey } from "./orders/order-records.ts";
import type { Portfolio } from "./portfolio.ts";
import type { RateLimiter } from "./risk/rate-limiter.ts";
import { readConcurrently, type StartOptions } from "./startup.ts";

/**
 * The engine's one periodic read of account state for the portfolio: strategies never read a
 * venue, so what they see of accounts (equity, margin, liquidation prices) comes from here, from
 * the reconciler's position reads and from events. A pass reads, per account, `accountState` and
 * `positions` when an event touched the account since its last read (its cash or liquidation
 * figures moved), when it was never read, or when its last read is older than `maxAgeMs`; the
 * rest is left alone, so a quiet fleet costs few requests however many strategy cycles run.
 */
export interface RefreshStats {
  /** passes run */
  passes: number;
  /** accounts read (one accountState and one positions request each) */
  accountsRead: number;
  /** reads that failed (the account stays due) */
  failures: number;
}

export class AccountRefresher {
  private readonly venues: ReadonlyMap<string, Venue>;
  private readonly portfolio: Portfolio;
  private readonly clock: Clock;
  private readonly maxAgeMs: number;
  private readonly limits: RateLimiter;
  private readonly readAt = new Map<string, number>();
  private readonly failed = new Set<string>();
  readonly stats: RefreshStats = { passes: 0, accountsRead: 0, failures: 0 };

  constructor(o: {
    venues: ReadonlyMap<string, Venue>;
    portfolio: Portfolio;
    clock: Clock;
    maxAgeMs: number;
    /** the engine's limiter (the gateway's): every read waits on its budget */
    limits: RateLimiter;
  }) {
    this.limits = o.limits;
    this.venues = o.venues;
    this.portfolio = o.portfolio;
    this.clock = o.clock;
    this.maxAgeMs = o.maxAgeMs;
  }

  /** Note a read made elsewhere (the reconciler's), so it counts towards the account's age. */
  noteRead(venue: string, account: string, now: number): void {
    this.readAt.set(accountKey(venue, account), now);
  }

  /** One pass over the managed accounts; `all` reads every one (start). Returns how many were read. */
  async run(
    accounts: Iterable<readonly [string, string]>,
    all = false,
    start: StartOptions = {},
  ): Promise<number> {
    this.stats.passes++;
    const dirty = this.portfolio.takeDirty();
    const now = this.clock.now();
    const due: (readonly [string, string])[] = [];
    for (const [venue, account] of accounts) {
      const k = accountKey(venue, account);
      const last = this.readAt.get(k);
      if (
        all ||
        dirty.has(k) ||
        this.failed.has(k) ||
        last === undefined ||
        now - last >= this.maxAgeMs ||
        !this.portfolio.hasAccount(venue, account)
      )
        due.push([venue, account]);
    }
    start.progress?.({ stage: "portfolio", done: 0, total: due.length });
    // read() meters each of its requests on the engine's limiter; this bounds the burst, stops on
    // the start-up signal and reports progress
    await readConcurrently(
      due,
      {
        target: (a) => a,
        signal: start.signal,
        onDone: (done) => start.progress?.({ stage: "portfolio", done, total: due.length }),
      },
      ([v, a]) => this.read(v, a),
    );
    return due.length;
  }

  private async read(venueId: string, account: string): Promise<void> {
    const venue = this.venues.get(venueId);
    if (venue === undefined) return;
    const k = accountKey(venueId, account);
    try {
      const [positions, state] = await Promise.all([
        this.limits.metered(venueId, account, "positions", () => venue.positions(account)),
        this.limits.metered(venueId, account, "account_state", () => venue.accountState(account)),
      ]);
      const now = this.clock.now();
      this.portfolio.applyPositions(venueId, account, positions, now);
      this.portfolio.applyAccount(venueId, account, state, now);
      this.readAt.set(k, now);
      this.failed.delete(k);
      this.stats.accountsRead++;
    } catch {
      // the next pass tries again; the portfolio keeps what events built meanwhile
      this.failed.add(k);
      this.stats.failures++;
    }
  }
}
