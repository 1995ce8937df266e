/**
 * Keeps each bound wallet's venue points (core/venue-points.ts) for `perpbot status` and the farm
 * report: read at bind and then every `pollMs` (hourly by default: points move slowly and the
 * reads count against the account's rate limit). A failed read keeps the last value and goes to
 * `problem` (the venue's notices); reads never overlap for one wallet. Used by Paradex (XP, venue.ts) and
 * Extended (rewards); `read` is the venue's own request and parser.
 */
import type { Clock } from "../../core/clock.ts";
import type { WalletPointsReport } from "../../core/venue-points.ts";

export interface PointsRead {
  readonly total: number;
  readonly lastWeek: number;
}

export class PointsKeeper<A> {
  readonly #venueId: string;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #read: (account: string, auth: A) => Promise<PointsRead>;
  readonly #problem: (account: string, e: Error) => void;
  readonly #auth = new Map<string, A>();
  readonly #kept = new Map<string, PointsRead & { readonly ts: number }>();
  readonly #busy = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** reads sent (what tests count) */
  requests = 0;

  constructor(
    venueId: string,
    deps: {
      clock: Clock;
      pollMs: number;
      read: (account: string, auth: A) => Promise<PointsRead>;
      problem: (account: string, e: Error) => void;
    },
  ) {
    this.#venueId = venueId;
    this.#clock = deps.clock;
    this.#pollMs = deps.pollMs;
    this.#read = deps.read;
    this.#problem = deps.problem;
  }

  /** Start keeping a wallet's points: read now, then with the others every pollMs. */
  add(account: string, auth: A): void {
    this.#auth.set(account, auth);
    void this.refresh(account);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      for (const a of this.#auth.keys()) void this.refresh(a);
    }, this.#pollMs);
    this.#timer.unref?.();
  }

  /** Read one wallet now (unless a read of it is under way); failures go to `problem`. */
  async refresh(account: string): Promise<void> {
    const auth = this.#auth.get(account);
    if (auth === undefined || this.#busy.has(account)) return;
    this.#busy.add(account);
    this.requests++;
    try {
      const p = await this.#read(account, auth);
      this.#kept.set(account, { total: p.total, lastWeek: p.lastWeek, ts: this.#clock.now() });
    } catch (e) {
      this.#problem(account, e as Error);
    } finally {
      this.#busy.delete(account);
    }
  }

  kept(): readonly WalletPointsReport[] {
    return [...this.#kept].map(([account, p]) => ({
      venue: this.#venueId,
      account,
      total: p.total,
      lastWeek: p.lastWeek,
      ts: p.ts,
    }));
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
