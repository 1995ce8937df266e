import { performance } from "node:perf_hooks";
import type { Clock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import type { RateLimiter } from "../../engine/risk/rate-limiter.ts";
import { isFenceError, LeaseStore } from "../../store/cluster/lease-store.ts";
import type { Store } from "../../store/store.ts";
import { dataSchemaFor, fenceVenue, LEASE_KEY_RE, openFencedStore } from "./fence.ts";
import { WorkerLimiter } from "./ip-budget.ts";
import { DEFAULT_WORKERS_PER_IP, type HeldLease, LeaseManager } from "./lease-manager.ts";

/**
 * A worker of a pool (issue 19): many processes on one PostgreSQL share a fixed list of units
 * (strategy instances or wallet groups). Each worker renews its leases, and every balancing tick
 * takes free or expired units while it holds fewer than its share (units / live workers,
 * rounded up), all it lacks at once, and hands one back when it holds more than its share. A unit is
 * started only once its lease is held: its store opened with the lease's token (fenced), its
 * venues wrapped, and `startUnit` runs the engine's start-up, which recovers the journal and
 * reconciles with the venues before anything trades. A lost lease stops its unit at once.
 */

export interface RunningUnit {
  /** resolves when the unit cannot go on (its journal failed: a fenced write, a full disk) */
  readonly failure?: Promise<Error>;
  /** the unit's own status lines (its strategy's groups) */
  statusLines?(): string[];
  stop(): Promise<void>;
}

export interface UnitContext {
  readonly key: string;
  readonly lease: HeldLease;
  /** the unit's fenced store (its own schema) */
  openStore(): Promise<Store>;
  /** a venue whose sends first check the lease */
  wrapVenue(v: Venue): Venue;
  /** the worker's one rate limiter (its share of the per-IP budgets), shared by all its units */
  limiterFor(venues: ReadonlyMap<string, Venue>, clock: Clock): RateLimiter;
}

export interface WorkerPoolOptions {
  readonly url: string;
  /** the schema of the leases and workers tables; units' data in `<cluster>_u_<key>` */
  readonly clusterSchema: string;
  readonly workerId: string;
  readonly units: readonly string[];
  readonly startUnit: (ctx: UnitContext) => Promise<RunningUnit>;
  /** the outbound address of this worker and how many workers may share one (ip-budget.ts) */
  readonly egress?: string;
  readonly workersPerIp?: number;
  readonly ttlMs?: number;
  readonly renewEveryMs?: number;
  /** balancing tick (default: the renewal interval) */
  readonly balanceEveryMs?: number;
  readonly log?: (level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
}

export interface Takeover {
  readonly key: string;
  readonly token: number;
  /** ms from the previous holder's lease expiry (database clock) to this unit trading again */
  readonly sinceExpiryMs: number | undefined;
  /** ms from the previous holder's last renewal (its last sign of life) to this unit trading again */
  readonly sinceRenewalMs: number | undefined;
  /** ms of the start-up (recovery + reconcile) */
  readonly startMs: number;
}

interface Held {
  lease: HeldLease;
  unit: RunningUnit | undefined;
  stopping: Promise<void> | undefined;
}

export class WorkerPool {
  readonly manager: LeaseManager;
  private readonly o: WorkerPoolOptions;
  private readonly leases: LeaseStore;
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closed = false;
  readonly takeovers: Takeover[] = [];
  private readonly limiter: WorkerLimiter;

  private constructor(o: WorkerPoolOptions, leases: LeaseStore) {
    this.o = o;
    this.leases = leases;
    this.limiter = new WorkerLimiter(o.workersPerIp ?? DEFAULT_WORKERS_PER_IP);
    this.manager = new LeaseManager({
      leases,
      workerId: o.workerId,
      ttlMs: o.ttlMs,
      renewEveryMs: o.renewEveryMs,
      egress: o.egress,
      workersPerIp: o.workersPerIp,
      onLost: (l, why) => this.onLost(l, why),
      onRenewError: (e) => this.log("warn", "lease renewal failed; retrying", { err: e.message }),
    });
  }

  static async start(o: WorkerPoolOptions): Promise<WorkerPool> {
    for (const k of o.units)
      if (!LEASE_KEY_RE.test(k))
        throw new Error(`unit "${k}": lease keys are lower-case letters, digits and "_" (at most 40)`);
    const leases = await LeaseStore.open(o.url, o.clusterSchema);
    const pool = new WorkerPool(o, leases);
    try {
      await pool.manager.start();
    } catch (e) {
      await leases.close().catch(() => undefined);
      throw e;
    }
    await pool.tick();
    const every = o.balanceEveryMs ?? pool.manager.renewEveryMs;
    pool.timer = setInterval(() => void pool.tick(), every);
    return pool;
  }

  /** The status lines of the units this worker drives. */
  unitLines(): string[] {
    return [...this.held.values()].flatMap((h) => h.unit?.statusLines?.() ?? []);
  }

  /** The units this worker drives now. */
  units(): string[] {
    return [...this.held.keys()].filter((k) => this.held.get(k)?.unit !== undefined).sort();
  }

  private log(level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>): void {
    this.o.log?.(level, msg, { worker: this.o.workerId, ...ctx });
  }

  /** One balancing step (also run by the timer); never two at once. */
  tick(): Promise<void> {
    this.ticking ??= this.balance()
      .catch((e) => this.log("warn", "balancing failed; retrying", { err: (e as Error).message }))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async balance(): Promise<void> {
    if (this.closed) return;
    const [now, rows, workers] = await Promise.all([
      this.leases.now(),
      this.leases.leases(),
      this.leases.workers(),
    ]);
    const live = workers.filter((w) => w.stoppedAt === null && w.lastSeen > now - w.ttlMs).length;
    const share = Math.ceil(this.o.units.length / Math.max(1, live));
    const byKey = new Map(rows.map((r) => [r.key, r]));
    if (this.held.size > share) {
      // others joined: hand one unit back cleanly (stopped, then released), the rest next ticks
      const key = [...this.held.keys()].sort().at(-1) as string;
      this.log("info", "handing a unit back to balance the pool", { unit: key, share, live });
      await this.stopUnit(key, true);
      return;
    }
    if (this.held.size >= share) return;
    // take up to the deficit at once (a dead worker's units must not wait for one another's
    // start-up): free or expired units, the longest expired first, started concurrently
    const free = this.o.units
      .filter((k) => !this.held.has(k))
      .map((k) => ({ k, row: byKey.get(k) }))
      .filter((x) => x.row === undefined || x.row.expiresAt <= now)
      .sort((a, b) => (a.row?.expiresAt ?? 0) - (b.row?.expiresAt ?? 0));
    const starts: Promise<void>[] = [];
    for (const { k, row } of free) {
      if (this.closed || this.held.size >= share) break;
      const lease = await this.manager.acquire(k);
      if (lease === undefined) continue;
      const previous =
        row === undefined
          ? undefined
          : { expiredAgoMs: now - row.expiresAt, renewedAgoMs: now - row.renewedAt };
      starts.push(this.startUnit(k, lease, previous));
    }
    await Promise.all(starts);
  }

  private async startUnit(
    key: string,
    lease: HeldLease,
    previous: { expiredAgoMs: number; renewedAgoMs: number } | undefined,
  ): Promise<void> {
    const h: Held = { lease, unit: undefined, stopping: undefined };
    this.held.set(key, h);
    const t0 = performance.now();
    const schema = dataSchemaFor(this.o.clusterSchema, key);
    try {
      const unit = await this.o.startUnit({
        key,
        lease,
        openStore: () => openFencedStore(this.o.url, this.leases, lease, schema),
        wrapVenue: (v) => fenceVenue(v, this.manager, lease),
        limiterFor: (venues, clock) => this.limiter.for(venues, clock),
      });
      if (lease.lost || this.held.get(key) !== h) {
        await unit.stop().catch(() => undefined);
        return;
      }
      h.unit = unit;
      void unit.failure?.then((err) => {
        if (this.held.get(key) !== h) return;
        if (isFenceError(err)) this.manager.lose(lease, `a write was refused by the fence: ${err.message}`);
        else {
          this.log("error", "unit halted: its journal failed; releasing it", { unit: key, err: err.message });
          void this.stopUnit(key, true);
        }
      });
      const startMs = performance.now() - t0;
      this.takeovers.push({
        key,
        token: lease.token,
        sinceExpiryMs: previous === undefined ? undefined : previous.expiredAgoMs + startMs,
        sinceRenewalMs: previous === undefined ? undefined : previous.renewedAgoMs + startMs,
        startMs,
      });
      this.log("info", previous === undefined ? "unit started" : "unit taken over after reconciling", {
        unit: key,
        fence: lease.token,
        startMs: Math.round(startMs),
      });
    } catch (e) {
      this.log("error", `unit ${key} failed to start: ${(e as Error).message}; releasing its lease`, {
        unit: key,
      });
      if (this.held.get(key) === h) this.held.delete(key);
      if (!lease.lost) await this.manager.release(lease).catch(() => undefined);
    }
  }

  private onLost(lease: HeldLease, why: string): void {
    this.log(
      "error",
      `lease "${lease.key}" (token ${lease.token}) lost: ${why}; stopping its unit, no further writes or orders`,
      { unit: lease.key, fence: lease.token },
    );
    const h = this.held.get(lease.key);
    if (h === undefined || h.lease !== lease) return;
    void this.stopUnit(lease.key, false);
  }

  /** Stops a unit; `release`: it was ours until now, give the lease back (a clean hand-over). */
  private stopUnit(key: string, release: boolean): Promise<void> {
    const h = this.held.get(key);
    if (h === undefined) return Promise.resolve();
    h.stopping ??= (async () => {
      await h.unit
        ?.stop()
        .catch((e) => this.log("warn", "unit stop failed", { unit: key, err: (e as Error).message }));
      if (this.held.get(key) === h) this.held.delete(key);
      if (release && !h.lease.lost) await this.manager.release(h.lease).catch(() => undefined);
    })();
    return h.stopping;
  }

  /** Stops every unit, gives the leases back and marks the worker stopped. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.held.keys()].map((k) => this.stopUnit(k, true)));
    await this.manager.stop(true);
    await this.leases.close();
  }
}
