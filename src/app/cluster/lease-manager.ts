import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { PerpbotError } from "../../core/errors.ts";
import type { LeaseRow, LeaseStore } from "../../store/cluster/lease-store.ts";
import { deadlineArrays, MAX_HELD_LEASES } from "./deadlines.ts";
import type { RenewIn, RenewOut, RenewThreadData } from "./renew-thread.ts";

/**
 * A worker's leases (issue 19): it acquires units, renews all of them in one statement every
 * `renewEveryMs`, and hears when one is lost (expired while the process was paused, or taken
 * over): `onLost` fires once per lease, and the lease no longer counts as held.
 *
 * Besides the database's verdict, every lease keeps a local deadline on the monotonic clock:
 * the instant the renewal that extended it was sent, plus the TTL, minus a safety margin. The
 * database computed its expiry after that instant, so while the local deadline has not passed
 * the lease cannot have expired there either; order sends check it (`assertHeld`) right before
 * they leave, which covers the moment between a fenced journal commit and the send.
 *
 * That holds while the database's clock and the monotonic clock advance together. They do not
 * when the wall clock jumps ahead: a virtual machine paused by its host, whose wall clock is set
 * right when it runs again (a chaos run on this VM saw the wall clock jump 16.9 s against the
 * monotonic one), or an NTP step. The database (its clock_timestamp() is the wall clock) then
 * counts every lease expired at once and another worker takes the units, while the monotonic
 * deadlines say they are still held: two workers sent orders for one unit. So every lease also
 * keeps the same deadline on the wall clock, and a send needs both to hold. On the database's
 * machine the two wall clocks are one; elsewhere the margin must cover their offset.
 *
 * Renewals run either on the event loop (`renewIn` absent) or, with `renewIn: { url, schema }`,
 * on a thread of their own (renew-thread.ts) that a stalled event loop cannot hold up: it writes
 * the renewed deadlines into a shared array the leases read, and reports the leases it lost.
 */

export interface LeaseManagerOptions {
  readonly leases: LeaseStore;
  readonly workerId: string;
  /** a lease lives this long without renewal (default 10 s) */
  readonly ttlMs?: number;
  /** renew this often (default ttl / 3) */
  readonly renewEveryMs?: number;
  /** the local deadline keeps this much before the TTL (default ttl / 5) */
  readonly marginMs?: number;
  /** the outbound address this worker sends from (default "default": every worker shares one) */
  readonly egress?: string;
  /** how many live workers may share one egress; each meters 1/n of the per-IP limits (default 3) */
  readonly workersPerIp?: number;
  /** a lease was lost: stop driving its unit */
  readonly onLost?: (lease: HeldLease, why: string) => void;
  /** a renewal could not reach the database (the leases run out unless the next one does) */
  readonly onRenewError?: (err: Error) => void;
  /** renew on a thread of its own, with its own connection to this database and cluster schema */
  readonly renewIn?: { readonly url: string; readonly schema: string };
}

export interface HeldLease {
  readonly key: string;
  readonly token: number;
  /** local monotonic deadline (performance.now() ms) */
  readonly validUntil: number;
  /** the same deadline on the wall clock (Date.now() ms): both must hold */
  readonly wallValidUntil: number;
  readonly lost: boolean;
}

/** A held lease; its deadlines live in the manager's (possibly shared) arrays, slot `slot`. */
class Mutable implements HeldLease {
  readonly key: string;
  readonly token: number;
  readonly slot: number;
  lost = false;
  private readonly deadlines: { mono: Float64Array; wall: Float64Array };

  constructor(
    key: string,
    token: number,
    slot: number,
    deadlines: { mono: Float64Array; wall: Float64Array },
  ) {
    this.key = key;
    this.token = token;
    this.slot = slot;
    this.deadlines = deadlines;
  }

  /** 0 once lost: the slot may serve another lease afterwards */
  get validUntil(): number {
    return this.lost ? 0 : this.deadlines.mono[this.slot];
  }

  get wallValidUntil(): number {
    return this.lost ? 0 : this.deadlines.wall[this.slot];
  }

  /** both deadlines, from a renewal sent at `sent` (performance.now()) and `sentWall` (Date.now()) */
  extend(sent: number, sentWall: number, ttlMs: number, marginMs: number): void {
    this.deadlines.mono[this.slot] = sent + ttlMs - marginMs;
    this.deadlines.wall[this.slot] = sentWall + ttlMs - marginMs;
  }
}

export const DEFAULT_EGRESS = "default";
export const DEFAULT_WORKERS_PER_IP = 3;

export class LeaseLostError extends PerpbotError {
  constructor(key: string, token: number, why: string) {
    super("lease_lost", `lease "${key}" (token ${token}) is no longer held: ${why}`);
  }
}

export class LeaseManager {
  readonly workerId: string;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  private readonly marginMs: number;
  private readonly store: LeaseStore;
  private readonly opts: LeaseManagerOptions;
  private readonly held = new Map<string, Mutable>();
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  /** duration of the last renewal round trip, ms */
  lastRenewMs = 0;
  private readonly deadlines: { mono: Float64Array; wall: Float64Array };
  private readonly freeSlots: number[];
  private thread: Worker | undefined;
  private threadExited: Promise<void> | undefined;
  private nextRenewId = 0;
  private readonly renewWaiters = new Map<number, () => void>();

  constructor(opts: LeaseManagerOptions) {
    this.opts = opts;
    this.store = opts.leases;
    this.workerId = opts.workerId;
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.renewEveryMs = opts.renewEveryMs ?? Math.floor(this.ttlMs / 3);
    this.marginMs = opts.marginMs ?? Math.floor(this.ttlMs / 5);
    if (!(this.renewEveryMs > 0 && this.renewEveryMs + this.marginMs < this.ttlMs))
      throw new PerpbotError(
        "invalid_value",
        `lease timing: renew every ${this.renewEveryMs} ms plus a margin of ${this.marginMs} ms must stay under the TTL of ${this.ttlMs} ms`,
      );
    const bytes = 2 * MAX_HELD_LEASES * Float64Array.BYTES_PER_ELEMENT;
    this.deadlines = deadlineArrays(opts.renewIn ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    this.freeSlots = Array.from({ length: MAX_HELD_LEASES }, (_, i) => MAX_HELD_LEASES - 1 - i);
  }

  /** Registers the worker (its row in `workers`) and starts the renewal timer. */
  async start(): Promise<void> {
    await this.store.registerWorker({
      workerId: this.workerId,
      host: hostname(),
      pid: process.pid,
      ttlMs: this.ttlMs,
      egress: this.opts.egress ?? DEFAULT_EGRESS,
      workersPerIp: this.opts.workersPerIp ?? DEFAULT_WORKERS_PER_IP,
    });
    if (this.opts.renewIn) await this.startThread(this.opts.renewIn);
    else {
      this.timer = setInterval(() => void this.renewNow(), this.renewEveryMs);
      this.timer.unref();
    }
  }

  private async startThread(at: { url: string; schema: string }): Promise<void> {
    const data: RenewThreadData = {
      url: at.url,
      schema: at.schema,
      workerId: this.workerId,
      ttlMs: this.ttlMs,
      renewEveryMs: this.renewEveryMs,
      marginMs: this.marginMs,
      deadlines: this.deadlines.mono.buffer as SharedArrayBuffer,
      originHrMs: Number(process.hrtime.bigint()) / 1e6 - performance.now(),
    };
    const w = new Worker(new URL("./renew-thread.ts", import.meta.url), { workerData: data });
    this.thread = w;
    this.threadExited = new Promise((r) => w.once("exit", () => r()));
    await new Promise<void>((resolve, reject) => {
      w.once("error", reject);
      w.on("message", (m: RenewOut) => {
        if (m.type === "ready") {
          w.off("error", reject);
          w.on("error", (e) => this.opts.onRenewError?.(e));
          w.once("exit", (code) => {
            if (this.thread !== w) return;
            // the thread died: renewals go on from the event loop, as without a thread
            this.thread = undefined;
            this.opts.onRenewError?.(
              new Error(`the lease renewal thread exited (code ${code}); renewing on the event loop`),
            );
            for (const done of this.renewWaiters.values()) done();
            this.renewWaiters.clear();
            this.timer = setInterval(() => void this.renewNow(), this.renewEveryMs);
            this.timer.unref();
          });
          resolve();
        } else this.fromThread(m);
      });
      w.once("exit", (code) => reject(new Error(`the lease renewal thread exited (code ${code})`)));
    });
    w.unref();
  }

  private fromThread(m: RenewOut): void {
    if (m.type === "removed") this.freeSlots.push(m.slot);
    else if (m.type === "error") this.opts.onRenewError?.(new Error(m.message));
    else if (m.type === "renewed") {
      this.lastRenewMs = m.ms;
      const lost = new Set(m.lost);
      for (const l of [...this.held.values()])
        if (lost.has(l.token))
          this.lose(l, "the database did not renew it (it expired or another worker took it over)");
      for (const id of m.ids) {
        this.renewWaiters.get(id)?.();
        this.renewWaiters.delete(id);
      }
    }
  }

  private post(m: RenewIn): void {
    this.thread?.postMessage(m);
  }

  private slot(key: string): number {
    const slot = this.freeSlots.pop();
    if (slot === undefined)
      throw new PerpbotError(
        "invalid_value",
        `lease "${key}": this worker already holds ${MAX_HELD_LEASES} leases, the most one worker may hold`,
      );
    return slot;
  }

  /** The lease no longer counts: its slot comes back (after the thread let go of it). */
  private drop(l: Mutable): void {
    l.lost = true;
    if (this.held.get(l.key) === l) this.held.delete(l.key);
    if (this.thread) this.post({ type: "remove", token: l.token, slot: l.slot });
    else this.freeSlots.push(l.slot);
  }

  /** Tries to take `key`; the lease, or undefined when another worker holds it. */
  async acquire(key: string): Promise<HeldLease | undefined> {
    const sent = performance.now();
    const sentWall = Date.now();
    const row = await this.store.acquire(key, this.workerId, this.ttlMs);
    return row === undefined ? undefined : this.adopt(key, row, sent, sentWall);
  }

  /** `acquire` for several keys in one statement: the leases taken, by key. */
  async acquireMany(keys: readonly string[]): Promise<Map<string, HeldLease>> {
    const sent = performance.now();
    const sentWall = Date.now();
    const rows = await this.store.acquireMany(keys, this.workerId, this.ttlMs);
    const out = new Map<string, HeldLease>();
    for (const [key, row] of rows) out.set(key, this.adopt(key, row, sent, sentWall));
    return out;
  }

  /** A lease the database gave: held from now on (its local deadline counts from `sent`). */
  private adopt(key: string, row: LeaseRow, sent: number, sentWall: number): HeldLease {
    const before = this.held.get(key);
    if (before !== undefined && before.token !== row.token) this.lose(before, "re-acquired with a new token");
    if (before !== undefined && before.token === row.token) return before;
    const l = new Mutable(key, row.token, this.slot(key), this.deadlines);
    l.extend(sent, sentWall, this.ttlMs, this.marginMs);
    this.held.set(key, l);
    this.post({ type: "add", token: l.token, slot: l.slot });
    return l;
  }

  /** The lease of `key` if this worker holds it and its local deadline has not passed. */
  current(key: string): HeldLease | undefined {
    const l = this.held.get(key);
    return l !== undefined && !l.lost ? l : undefined;
  }

  /** Throws LeaseLostError unless `lease` is held and inside its local deadline. */
  assertHeld(lease: HeldLease): void {
    if (lease.lost) throw new LeaseLostError(lease.key, lease.token, "it was lost");
    if (performance.now() >= lease.validUntil) {
      // a paused process wakes up past its deadline: it is not ours any more, whatever happens next
      this.lose(lease as Mutable, "its local deadline passed without a renewal (was the process paused?)");
      throw new LeaseLostError(lease.key, lease.token, "its local deadline passed without a renewal");
    }
    if (Date.now() >= lease.wallValidUntil) {
      // the wall clock (the database's) went past the deadline ahead of the monotonic clock
      this.lose(
        lease as Mutable,
        "the wall clock passed its deadline before the monotonic clock did (a VM pause or a clock step): the database may count it expired",
      );
      throw new LeaseLostError(lease.key, lease.token, "the wall clock passed its deadline");
    }
  }

  keys(): string[] {
    return [...this.held.values()].filter((l) => !l.lost).map((l) => l.key);
  }

  /** One renewal of every held lease; those the database did not extend are lost. */
  renewNow(): Promise<void> {
    if (this.thread) {
      const id = this.nextRenewId++;
      return new Promise((r) => {
        this.renewWaiters.set(id, r);
        this.post({ type: "renew", id });
      });
    }
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    const live = [...this.held.values()].filter((l) => !l.lost);
    const sent = performance.now();
    const sentWall = Date.now();
    let rows: LeaseRow[];
    try {
      rows = await this.store.renew(
        this.workerId,
        live.map((l) => l.token),
        this.ttlMs,
      );
    } catch (err) {
      this.opts.onRenewError?.(err as Error);
      return;
    }
    this.lastRenewMs = performance.now() - sent;
    const kept = new Set(rows.map((r) => r.token));
    for (const l of live) {
      if (l.lost) continue;
      if (kept.has(l.token)) l.extend(sent, sentWall, this.ttlMs, this.marginMs);
      else this.lose(l, "the database did not renew it (it expired or another worker took it over)");
    }
  }

  /** Marks a lease lost (by the renewal, a deadline, or a write the fence refused). Once. */
  lose(lease: HeldLease, why: string): void {
    const l = lease as Mutable;
    if (l.lost) return;
    this.drop(l);
    this.opts.onLost?.(l, why);
  }

  /** Gives `lease` up at once (a clean stop of its unit): another worker may take it now. */
  async release(lease: HeldLease): Promise<void> {
    const l = lease as Mutable;
    if (!l.lost) this.drop(l);
    await this.store.release(l.key, l.token);
  }

  /** Stops renewing; with `releaseAll` the held leases are given up first. */
  async stop(releaseAll: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
    if (releaseAll) for (const l of [...this.held.values()]) await this.release(l);
    if (this.thread) {
      const w = this.thread;
      this.thread = undefined;
      w.postMessage({ type: "stop" } satisfies RenewIn);
      await this.threadExited;
    }
    await this.store.workerStopped(this.workerId).catch(() => undefined);
  }
}
