import { performance } from "node:perf_hooks";
import type { Clock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import type { RateLimiter } from "../../engine/risk/rate-limiter.ts";
import { isFenceError, type LeaseRow, LeaseStore, type WorkerRow } from "../../store/cluster/lease-store.ts";
import { openPgStandby, type PgStandby, type Store } from "../../store/store.ts";
import { dataSchemaFor, fenceVenue, LEASE_KEY_RE, openFencedStore } from "./fence.ts";
import { WorkerLimiter } from "./ip-budget.ts";
import { DEFAULT_WORKERS_PER_IP, type HeldLease, LeaseManager } from "./lease-manager.ts";
import type { FailedStart, Takeover } from "./takeover.ts";

export type { FailedStart, Takeover } from "./takeover.ts";

/**
 * A worker of a pool (issue 19): many processes on one PostgreSQL share a fixed list of units
 * (strategy instances or wallet groups). Each worker renews its leases, and every balancing tick
 * (a fraction of the TTL) takes free or expired units while it holds fewer than its share
 * (units / live workers, rounded up), all it lacks at once, and hands one back when it holds more
 * than its share. A dead worker's expired leases (orphans) are taken at once, the longest
 * expired first, by every live worker its part of them even above its share; start-ups run in
 * the background, so a tick never waits for one (takeover p99: docs/deploy.md). A unit is
 * started only once its lease is held: its store opened with the lease's token (fenced), its
 * venues wrapped, and `startUnit` runs the engine's start-up, which recovers the journal and
 * reconciles with the venues before anything trades. A lost lease stops its unit at once.
 */

/**
 * PostgreSQL connections per unit's store by default: each carries its lease's token, so none is
 * shared between units, and a server's max_connections (100 by default) bounds units × this.
 */
export const UNIT_PG_POOL_SIZE = 2;

/** The default balancing tick: a tenth of the TTL (at least 50 ms), three small reads each. */
export function balanceEveryFor(ttlMs: number): number {
  return Math.max(50, Math.floor(ttlMs / 10));
}

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
  /** renew on the event loop instead of a thread of its own (the design before; for comparison) */
  readonly renewOnLoop?: boolean;
  /** connections of each unit's store (default UNIT_PG_POOL_SIZE) */
  readonly unitPgPoolSize?: number;
  /** balancing tick: how soon an expired lease is seen (default balanceEveryFor(ttl): TTL / 10) */
  readonly balanceEveryMs?: number;
  readonly log?: (level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
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
  /** the hand-back under way, if any (one at a time) */
  private handingBack: Promise<void> | undefined;
  /** acquisitions and start-ups under way (balance does not wait for them; stop does) */
  private readonly starting = new Set<Promise<void>>();
  /**
   * units being acquired (counted as this worker's: not picked again, within its share). A
   * balancing step does not wait for its acquisitions: one waiting for a row lock held up the
   * next steps, which then saw other expired leases late (takeover p99, docs/deploy.md).
   */
  private readonly acquiring = new Set<string>();
  /** the units' data schemas found migrated by this worker (openStore pgCheckedSchemas) */
  private readonly checkedSchemas = new Set<string>();
  /** each unit's place in the pool's list of units (`deal`) */
  private readonly unitIndex: ReadonlyMap<string, number>;
  /**
   * store connections opened for units this worker is about to take over (`prepare`): their
   * holder stopped renewing, and the lease runs out soon. `holderRenewedAt`: the renewal the
   * holder was last seen with (a later one means it lives: the standby is closed).
   */
  private readonly standby = new Map<string, { pg: PgStandby; holderRenewedAt: number; openedAt: number }>();
  /** each dying holder's units dealt among the takers (`assigner`), by holder */
  private readonly deals = new Map<
    string,
    { at: number; to: Map<string, { worker: string; renewedAt: number }> }
  >();
  /** units to take at their lease's expiry without reading the table first (`plan`) */
  private readonly planned = new Map<string, LeaseRow>();
  /** the database's `now` of the last read of the lease table, and the local instant of it */
  private lastRead: { now: number; seen: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** a balancing step at the next expiry of another worker's lease (`expiryTick`) */
  private expiryTimer: { at: number; handle: NodeJS.Timeout } | undefined;
  private ticking: Promise<void> | undefined;
  private tickAgain = false;
  private schemaTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly takeovers: Takeover[] = [];
  readonly failedStarts: FailedStart[] = [];
  private readonly limiter: WorkerLimiter;

  private constructor(o: WorkerPoolOptions, leases: LeaseStore) {
    this.o = o;
    this.unitIndex = new Map(o.units.map((k, i) => [k, i]));
    this.leases = leases;
    this.limiter = new WorkerLimiter(o.workersPerIp ?? DEFAULT_WORKERS_PER_IP);
    this.manager = new LeaseManager({
      leases,
      workerId: o.workerId,
      ttlMs: o.ttlMs,
      renewEveryMs: o.renewEveryMs,
      egress: o.egress,
      workersPerIp: o.workersPerIp,
      // renewals on a thread of their own: a start-up or a stalled event loop cannot starve them
      renewIn: o.renewOnLoop ? undefined : { url: o.url, schema: o.clusterSchema },
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
    // ticking from now on: units handed to this worker while its first start-ups run are seen
    const every = o.balanceEveryMs ?? balanceEveryFor(pool.manager.ttlMs);
    pool.timer = setInterval(() => void pool.tick(), every);
    await pool.settled();
    // the units' schemas checked once now, not on this worker's first takeover of each
    void pool.checkSchemas();
    return pool;
  }

  /**
   * Every unit's data schema this worker finds current goes into `checkedSchemas` (and is
   * fenced). Those not current yet (a unit no worker has started) are looked at again every
   * few TTLs, until all are.
   */
  private async checkSchemas(): Promise<void> {
    if (this.closed) return;
    const left = this.o.units
      .map((k) => dataSchemaFor(this.o.clusterSchema, k))
      .filter((s) => !this.checkedSchemas.has(s));
    if (left.length === 0) return;
    try {
      for (const s of await this.leases.currentSchemas(left)) this.checkedSchemas.add(s);
    } catch (e) {
      // each takeover checks its unit's schema itself meanwhile
      this.log("warn", "checking the units' schemas failed", { err: (e as Error).message });
    }
    if (this.o.units.length > this.checkedSchemas.size && !this.closed) {
      this.schemaTimer = setTimeout(() => void this.checkSchemas(), 3 * this.manager.ttlMs);
      this.schemaTimer.unref();
    }
  }

  /** Resolves once the balancing step and the start-ups under way now are done. */
  async settled(): Promise<void> {
    await this.ticking;
    await Promise.all([...this.starting, this.handingBack]);
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

  /**
   * One balancing step (also run by the timer); never two at once. `fresh`: the step must read
   * the lease table after this call (an expiry just passed): one under way already read it
   * before, so another follows it.
   */
  tick(fresh = false): Promise<void> {
    if (this.ticking !== undefined) {
      if (fresh) this.tickAgain = true;
      return this.ticking;
    }
    this.ticking = this.balance()
      .catch((e) => this.log("warn", "balancing failed; retrying", { err: (e as Error).message }))
      .finally(() => {
        this.ticking = undefined;
        if (this.tickAgain) {
          this.tickAgain = false;
          void this.tick();
        }
      });
    return this.ticking;
  }

  private async balance(): Promise<void> {
    if (this.closed) return;
    const { now, leases: rows, workers } = await this.leases.snapshot();
    // the local instant of the database's `now` (within half a round trip)
    const seen = performance.now();
    const liveWorkers = new Map(
      workers.filter((w) => w.stoppedAt === null && w.lastSeen > now - w.ttlMs).map((w) => [w.workerId, w]),
    );
    const live = Math.max(1, liveWorkers.size);
    const share = Math.ceil(this.o.units.length / live);
    this.expiryTick(rows, now, seen);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const mine = this.held.size + this.acquiring.size;
    const free = this.o.units
      .filter((k) => !this.held.has(k) && !this.acquiring.has(k))
      .map((k) => ({ k, row: byKey.get(k) }))
      .filter((x) => x.row === undefined || x.row.expiresAt <= now);
    // orphans: expired leases whose holder died (no live worker of that id, or one started after
    // the lease's last renewal: a new process under the old id). They are taken at once by every
    // live worker, each its part, even above its share: waiting for the dead worker's restart or
    // for a share to free up is what made takeovers slow. The balance is restored afterwards by
    // clean hand-backs, which are not orphans (their holder is live) and go to workers below share,
    // unless none of them took it within half a TTL: then it is an orphan too.
    const ttl = this.manager.ttlMs;
    const orphan = (r: LeaseRow) => {
      const holder = liveWorkers.get(r.holder);
      return holder === undefined || holder.startedAt > r.renewedAt || r.expiresAt < now - ttl / 2;
    };
    const orphans = free.filter((x) => x.row !== undefined && orphan(x.row)).length;
    // a worker that started less than two TTLs ago is cold (still loading and compiling: its
    // start-ups took seconds): while a warm live worker exists, the warm ones take the orphans
    // and the cold one waits for hand-backs
    const warmMs = 2 * ttl;
    const warm = [...liveWorkers.values()].filter((w) => w.startedAt <= now - warmMs);
    const self = liveWorkers.get(this.o.workerId);
    const cold = self !== undefined && self.startedAt > now - warmMs && warm.length > 0;
    const assignee = this.assigner(warm, rows, now);
    const mineDying = this.mineDying(rows, now, assignee, cold);
    this.prepare(rows, now, mineDying);
    this.plan(mineDying, workers, now, seen);
    // those assigned to this worker are all its part, however the split fell
    const mineAssigned = free.filter(
      (x) => x.row !== undefined && orphan(x.row) && assignee(x.row) === this.o.workerId,
    ).length;
    const orphanRoom = cold
      ? 0
      : Math.max(mineAssigned, Math.ceil(orphans / (warm.length > 0 ? warm.length : live)));
    const room = Math.max(share - mine, orphanRoom);
    // live workers below their share, by the leases they hold now
    const holds = new Map<string, number>();
    for (const r of rows) if (r.expiresAt > now) holds.set(r.holder, (holds.get(r.holder) ?? 0) + 1);
    // (one that renewed within the last half TTL: a paused one would not take it; and a warm one:
    // units handed to a cold process took seconds to start, each a unit not trading)
    const wanting = [...liveWorkers.values()].some(
      (w) =>
        w.workerId !== this.o.workerId &&
        (holds.get(w.workerId) ?? 0) < share &&
        w.lastSeen > now - ttl / 2 &&
        w.startedAt <= now - warmMs,
    );
    if (room <= 0 && mine > share && orphans === 0 && wanting && this.acquiring.size === 0) {
      // others joined (or took orphans above their share): hand one unit back cleanly (stopped,
      // then released) while another live worker is below its share, the rest next ticks
      // one at a time, in the background: the stop (its engine winding down) must not hold up
      // the next steps, which may find orphans to take
      // (a unit trading: one still starting would fail its start-up and count twice)
      const key = [...this.held]
        .filter(([, h]) => h.unit !== undefined && h.stopping === undefined)
        .map(([k]) => k)
        .sort()
        .at(-1);
      if (this.handingBack === undefined && key !== undefined) {
        this.log("info", "handing a unit back to balance the pool", { unit: key, share, live });
        this.handingBack = this.stopUnit(key, true).finally(() => {
          this.handingBack = undefined;
        });
      }
      return;
    }
    // orphans first: those assigned to this worker, then others' left longer than a quarter TTL
    // (another warm worker takes its own at the same instant: asking for the same units would
    // wait for its row locks and get nothing); the longest expired first; then never-leased
    // and released units
    // rank 0: an orphan to take now; 1: another's orphan within its grace (skipped); 2: the rest
    const rankOf = (row: LeaseRow | undefined) => {
      if (row === undefined || !orphan(row)) return 2;
      const to = assignee(row);
      return to === undefined || to === this.o.workerId || row.expiresAt < now - ttl / 4 ? 0 : 1;
    };
    const ranked = free.map((x) => ({ ...x, rank: rankOf(x.row), expiresAt: x.row?.expiresAt ?? 0 }));
    ranked.sort((a, b) => a.rank - b.rank || a.expiresAt - b.expiresAt);
    // the units this tick tries, acquired all at once: one after the other, a mass takeover (a
    // dead worker's 25 units) queued each acquire behind the previous ones' row-lock waits, up to
    // 11 s (docs/deploy.md). One another worker took meanwhile is left to the next tick.
    const picked: typeof free = [];
    for (const x of ranked) {
      if (picked.length >= room) break;
      // a cold worker takes only units never leased (a pool's first start), nothing of another's
      if (cold && x.row !== undefined) continue;
      // another's orphan within its grace: left to it
      if (x.rank === 1) continue;
      if (x.rank === 2 && mine + picked.length >= share) break;
      picked.push(x);
    }
    this.take(picked, now, seen);
  }

  /**
   * Acquires `picked` (all in one statement) and starts them in the background: the next tick (a
   * unit expiring meanwhile) waits for neither; `acquiring`, then `held` (set as a start-up
   * begins), count the units meanwhile. `now`: the database's time read at the local `seen`.
   */
  private take(picked: readonly { k: string; row: LeaseRow | undefined }[], now: number, seen: number): void {
    if (picked.length === 0) return;
    for (const { k } of picked) this.acquiring.add(k);
    const a0 = performance.now();
    const run = async () => {
      try {
        if (this.closed) return;
        const leases = await this.manager.acquireMany(picked.map((x) => x.k));
        const acquireMs = performance.now() - a0;
        for (const { k, row } of picked) {
          const lease = leases.get(k);
          this.acquiring.delete(k);
          if (lease === undefined) continue;
          const started: Promise<void> = this.startUnit(
            k,
            lease,
            { row, now, seen, queuedMs: a0 - seen },
            acquireMs,
          ).finally(() => this.starting.delete(started));
          this.starting.add(started);
        }
      } catch (e) {
        this.log("warn", "taking units failed; retrying", {
          units: picked.map((x) => x.k).join(","),
          err: (e as Error).message,
        });
      } finally {
        for (const { k } of picked) this.acquiring.delete(k);
      }
    };
    const taking: Promise<void> = run().finally(() => this.starting.delete(taking));
    this.starting.add(taking);
  }

  /**
   * Who takes a lease when it runs out with its holder dead: one of the warm workers other than
   * the holder that renewed within half a TTL. A dying holder's units are dealt out in the order
   * of the pool's list of units, each to the taker holding the fewest (`deal`): a dead worker's
   * 17 units go 9 and 8 between two equal takers, whatever the earlier takeovers left where.
   * (The place in the list modulo the takers' number, as before, followed them: the units one
   * worker had taken from another were all of one residue, and went 16 to 1 the next time, one
   * worker starting 16 units at once while the other idled.) A deal is made once, when the
   * holder is first seen dying (before its leases run out, the same rows on every worker), and
   * kept until the holder renews or the taker goes: taking the first units does not move the
   * rest. Undefined when there is none (then every worker takes its part, as before).
   */
  private assigner(
    warm: readonly { workerId: string; lastSeen: number }[],
    rows: readonly LeaseRow[],
    now: number,
  ): (row: LeaseRow) => string | undefined {
    const ttl = this.manager.ttlMs;
    const newest = Math.max(...warm.map((w) => w.lastSeen));
    const fresh = warm
      .filter((w) => w.lastSeen > newest - ttl / 2)
      .map((w) => w.workerId)
      .sort();
    for (const [holder, d] of this.deals) if (d.at < now - 3 * ttl) this.deals.delete(holder);
    return (row) => {
      const takers = fresh.filter((id) => id !== row.holder);
      if (takers.length === 0) return undefined;
      const made = this.deals.get(row.holder)?.to.get(row.key);
      if (made !== undefined && made.renewedAt === row.renewedAt && takers.includes(made.worker))
        return made.worker;
      return this.deal(row, rows, takers, now).get(row.key)?.worker;
    };
  }

  /**
   * Deals the leases `asked`'s holder has not renewed for half a TTL or more (and `asked`)
   * among `takers`: those of the last deal that still stand are kept, the others go one by one,
   * in the order of the pool's list of units, to the taker holding the fewest units (those it
   * holds now and those dealt to it so far; ties by id), so the pool is balanced at once and
   * no hand-back follows.
   */
  private deal(
    asked: LeaseRow,
    rows: readonly LeaseRow[],
    takers: readonly string[],
    now: number,
  ): Map<string, { worker: string; renewedAt: number }> {
    const ttl = this.manager.ttlMs;
    const holder = asked.holder;
    const before = this.deals.get(holder)?.to;
    const to = new Map<string, { worker: string; renewedAt: number }>();
    // what each taker holds now: the units go to the one with the fewest in all
    const count = new Map(takers.map((id) => [id, 0]));
    for (const r of rows)
      if (r.expiresAt > now && count.has(r.holder)) count.set(r.holder, (count.get(r.holder) ?? 0) + 1);
    const dying = rows
      .filter((r) => r.holder === holder && (now - r.renewedAt >= ttl / 2 || r.key === asked.key))
      .sort((a, b) => (this.unitIndex.get(a.key) ?? 0) - (this.unitIndex.get(b.key) ?? 0));
    const left: LeaseRow[] = [];
    for (const r of dying) {
      const b = before?.get(r.key);
      if (b !== undefined && b.renewedAt === r.renewedAt && count.has(b.worker)) {
        to.set(r.key, b);
        count.set(b.worker, (count.get(b.worker) ?? 0) + 1);
      } else left.push(r);
    }
    for (const r of left) {
      let pick = takers[0];
      for (const id of takers) if ((count.get(id) ?? 0) < (count.get(pick) ?? 0)) pick = id;
      to.set(r.key, { worker: pick, renewedAt: r.renewedAt });
      count.set(pick, (count.get(pick) ?? 0) + 1);
    }
    this.deals.set(holder, { at: now, to });
    return to;
  }

  /**
   * Opens the store connection of each unit this worker will take over when its lease runs out
   * (its holder has not renewed for more than half a TTL, and this worker is its assignee), so
   * the takeover does not connect in the burst of start-ups that follows a death (takeover p99,
   * docs/deploy.md). Closes those whose holder renewed after all, or that another took.
   */
  private prepare(rows: readonly LeaseRow[], now: number, mineDying: readonly LeaseRow[]): void {
    const ttl = this.manager.ttlMs;
    const byKey = new Map(rows.map((r) => [r.key, r]));
    for (const [key, sb] of this.standby) {
      const r = byKey.get(key);
      // renewed by its holder, or taken (a taker's acquire renews it too), or long unused
      const stale = r === undefined || r.renewedAt !== sb.holderRenewedAt || now - sb.openedAt > 3 * ttl;
      if (stale && !this.held.has(key) && !this.acquiring.has(key)) this.dropStandby(key);
    }
    for (const r of mineDying) {
      if (this.standby.has(r.key)) continue;
      const pg = openPgStandby(this.o.url, {
        pgSchema: dataSchemaFor(this.o.clusterSchema, r.key),
        pgPoolSize: this.o.unitPgPoolSize ?? UNIT_PG_POOL_SIZE,
        pgIdleInTransactionTimeoutMs: ttl,
      });
      this.standby.set(r.key, { pg, holderRenewedAt: r.renewedAt, openedAt: now });
    }
  }

  /**
   * Notes the units this worker takes the instant their leases run out (`takePlanned`, at the
   * expiry timer): its part of a dying holder's whose worker row is as stale as the lease (it has
   * not renewed since, or it was restarted under the same id), which are orphans at their expiry.
   * Taking them then needs no read of the lease table first: the acquiring statement itself
   * takes only an expired lease, so one renewed meanwhile stays its holder's.
   */
  private plan(
    mineDying: readonly LeaseRow[],
    workers: readonly WorkerRow[],
    now: number,
    seen: number,
  ): void {
    this.lastRead = { now, seen };
    this.planned.clear();
    const ttl = this.manager.ttlMs;
    const byId = new Map(workers.map((w) => [w.workerId, w]));
    for (const r of mineDying) {
      const w = byId.get(r.holder);
      const gone =
        w === undefined ||
        w.stoppedAt !== null ||
        w.startedAt > r.renewedAt ||
        w.lastSeen - r.renewedAt < ttl / 4;
      if (gone) this.planned.set(r.key, r);
    }
  }

  /**
   * Other workers' leases this worker is the assignee of whose holder has not renewed them for
   * more than half a TTL (still unexpired), and that it neither holds nor is acquiring: the units
   * it prepares for (`prepare`) and takes at their expiry (`plan`). None while cold or closed.
   */
  private mineDying(
    rows: readonly LeaseRow[],
    now: number,
    assignee: (row: LeaseRow) => string | undefined,
    cold: boolean,
  ): LeaseRow[] {
    if (cold || this.closed) return [];
    const ttl = this.manager.ttlMs;
    return rows.filter(
      (r) =>
        r.holder !== this.o.workerId &&
        !this.held.has(r.key) &&
        !this.acquiring.has(r.key) &&
        r.expiresAt > now &&
        now - r.renewedAt > ttl / 2 &&
        assignee(r) === this.o.workerId,
    );
  }

  /** Takes the planned units (`plan`) whose leases have run out by the database's clock now. */
  private takePlanned(): void {
    if (this.closed || this.lastRead === undefined) return;
    const seen = performance.now();
    // the database's time now, from the last read's (within half that read's round trip)
    const now = this.lastRead.now + (seen - this.lastRead.seen);
    const picked = [...this.planned.values()]
      .filter((r) => r.expiresAt <= now && !this.held.has(r.key) && !this.acquiring.has(r.key))
      .map((r) => ({ k: r.key, row: r }));
    for (const { k } of picked) this.planned.delete(k);
    this.take(picked, now, seen);
  }

  private dropStandby(key: string): void {
    const sb = this.standby.get(key);
    if (sb === undefined) return;
    this.standby.delete(key);
    void sb.pg.close();
  }

  /**
   * Schedules a balancing step just after the earliest expiry among other workers' leases (local
   * time from the database's `now` read at `seen`): a dead worker's leases are then seen within
   * milliseconds of running out, not up to a balancing tick later. A live holder renews first;
   * the step then finds nothing to do.
   */
  private expiryTick(rows: readonly LeaseRow[], now: number, seen: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const r of rows)
      if (r.holder !== this.o.workerId && r.expiresAt > now && r.expiresAt < next) next = r.expiresAt;
    if (!Number.isFinite(next) || this.closed) return;
    // a few ms past it: the database's clock must be past the expiry when the step reads it
    const at = seen + (next - now) + 3;
    if (this.expiryTimer !== undefined && Math.abs(this.expiryTimer.at - at) < 1) return;
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer.handle);
    const handle = setTimeout(
      () => {
        this.expiryTimer = undefined;
        this.takePlanned();
        void this.tick(true);
      },
      Math.max(0, at - performance.now()),
    );
    this.expiryTimer = { at, handle };
  }

  private async startUnit(
    key: string,
    lease: HeldLease,
    seenAt: { row: LeaseRow | undefined; now: number; seen: number; queuedMs: number },
    acquireMs: number,
  ): Promise<void> {
    const row = seenAt.row;
    const failed = (why: string) =>
      this.failedStarts.push({
        key,
        token: lease.token,
        previousToken: row?.token,
        previousRenewedAt: row?.renewedAt,
        previousExpiresAt: row?.expiresAt,
        why,
      });
    const h: Held = { lease, unit: undefined, stopping: undefined };
    this.held.set(key, h);
    const t0 = performance.now();
    const schema = dataSchemaFor(this.o.clusterSchema, key);
    let opened: { openMs: number; fenceMs: number } | undefined;
    // the connection opened while the lease ran out, if any: the store's first open takes it
    const standby = this.standby.get(key)?.pg;
    this.standby.delete(key);
    let standbyFree = standby;
    try {
      const unit = await this.o.startUnit({
        key,
        lease,
        openStore: () => {
          // the first open takes it; one after that connects as usual
          const pgStandby = standbyFree;
          standbyFree = undefined;
          return openFencedStore(
            this.o.url,
            this.leases,
            lease,
            schema,
            {
              pgStandby,
              // a transaction of this unit never outlives the lease (a paused worker's is rolled
              // back by the server, so a takeover does not wait for it to resume)
              pgIdleInTransactionTimeoutMs: this.manager.ttlMs,
              pgPoolSize: this.o.unitPgPoolSize ?? UNIT_PG_POOL_SIZE,
              // a unit this worker held before opens with no schema check
              pgCheckedSchemas: this.checkedSchemas,
            },
            (p) => {
              opened = p;
            },
          );
        },
        wrapVenue: (v) => fenceVenue(v, this.manager, lease),
        limiterFor: (venues, clock) => this.limiter.for(venues, clock),
      });
      if (lease.lost || this.held.get(key) !== h) {
        failed("its lease was lost during the start-up");
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
      // measured from when the tick read the lease table: the acquisitions before this one count
      const atMs = seenAt.now + (performance.now() - seenAt.seen);
      this.takeovers.push({
        key,
        token: lease.token,
        sinceExpiryMs: row === undefined ? undefined : atMs - row.expiresAt,
        sinceRenewalMs: row === undefined ? undefined : atMs - row.renewedAt,
        seenLateMs: row === undefined ? undefined : seenAt.now - row.expiresAt,
        queuedMs: seenAt.queuedMs,
        acquireMs,
        startMs,
        storeOpenMs: opened?.openMs,
        fenceMs: opened?.fenceMs,
        standby: standby !== undefined,
        previousToken: row?.token,
        previousRenewedAt: row?.renewedAt,
        previousExpiresAt: row?.expiresAt,
        atMs,
      });
      this.log("info", row === undefined ? "unit started" : "unit taken over after reconciling", {
        unit: key,
        fence: lease.token,
        startMs: Math.round(startMs),
      });
    } catch (e) {
      failed((e as Error).message);
      this.log("error", `unit ${key} failed to start: ${(e as Error).message}; releasing its lease`, {
        unit: key,
      });
      if (this.held.get(key) === h) this.held.delete(key);
      if (!lease.lost) await this.manager.release(lease).catch(() => undefined);
    } finally {
      // ends it unless a store took it (a start-up that never opened its store, or failed first)
      void standby?.close();
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
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer.handle);
    if (this.schemaTimer !== undefined) clearTimeout(this.schemaTimer);
    for (const key of [...this.standby.keys()]) this.dropStandby(key);
    await this.settled();
    await Promise.all([...this.held.keys()].map((k) => this.stopUnit(k, true)));
    await this.manager.stop(true);
    await this.leases.close();
  }
}
