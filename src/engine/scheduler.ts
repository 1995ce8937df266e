import { DatabaseSync } from "node:sqlite";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";

/**
 * Persistent timers: a group's `close_at`, a maker's pause end, ... They live in a TimerStore,
 * so a restart re-arms them, and one that came due while the process was down fires once the
 * scheduler starts.
 *
 * Delivery is AT-LEAST-ONCE: a timer's record is removed only after its handler has finished.
 * A process killed mid-handler fires the timer again at the next start. That is the right side
 * to fail on for what timers do here (closing a group, unpausing a bot): those actions are
 * idempotent, while a close that is silently never run leaves exposure open. Handlers must
 * therefore tolerate running twice.
 */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

export interface TimerRecord {
  /** unique; scheduling an existing id replaces that timer (e.g. `close:<groupId>`) */
  readonly id: string;
  /** selects the handler registered with Scheduler.on(kind, ...): closures do not survive restarts */
  readonly kind: string;
  /** epoch ms */
  readonly dueAt: number;
  readonly payload: JsonValue;
}

export interface TimerStore {
  load(): Promise<TimerRecord[]>;
  /** insert or replace by id */
  save(rec: TimerRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

/** For tests and backtests: the same contract, nothing persisted. */
export class MemoryTimerStore implements TimerStore {
  private readonly records = new Map<string, TimerRecord>();
  async load(): Promise<TimerRecord[]> {
    return [...this.records.values()];
  }
  async save(rec: TimerRecord): Promise<void> {
    this.records.set(rec.id, rec);
  }
  async remove(id: string): Promise<void> {
    this.records.delete(id);
  }
}

/** Timers in a SQLite table `timers`, through node:sqlite, on a database the caller may share. */
export class SqliteTimerStore implements TimerStore {
  private readonly db: DatabaseSync;
  private readonly ownsDb: boolean;

  constructor(db: DatabaseSync, ownsDb = false) {
    this.db = db;
    this.ownsDb = ownsDb;
    db.exec(`CREATE TABLE IF NOT EXISTS timers (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      due_at INTEGER NOT NULL,
      payload TEXT NOT NULL
    )`);
  }

  /** Open (or create) a database file just for timers; close() closes it. */
  static open(path: string): SqliteTimerStore {
    return new SqliteTimerStore(new DatabaseSync(path), true);
  }

  async load(): Promise<TimerRecord[]> {
    const rows = this.db.prepare("SELECT id, kind, due_at, payload FROM timers ORDER BY due_at, id").all();
    return rows.map((r) => ({
      id: String(r.id),
      kind: String(r.kind),
      dueAt: Number(r.due_at),
      payload: JSON.parse(String(r.payload)) as JsonValue,
    }));
  }

  async save(rec: TimerRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO timers (id, kind, due_at, payload) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, payload = excluded.payload`,
      )
      .run(rec.id, rec.kind, rec.dueAt, JSON.stringify(rec.payload));
  }

  async remove(id: string): Promise<void> {
    this.db.prepare("DELETE FROM timers WHERE id = ?").run(id);
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }
}

export type TimerHandler = (timer: TimerRecord) => Promise<void> | void;

export interface SchedulerOptions {
  /** a handler that throws runs again after this delay (ms); default 10 000 */
  readonly retryDelayMs?: number;
  /** told about every handler failure and every timer without a handler (e.g. raise an alert) */
  readonly onError?: (timer: TimerRecord, error: unknown) => void;
}

interface Armed {
  readonly timer: TimerRecord;
  /** bumped on every replace, so a finishing handler never removes its successor */
  readonly generation: number;
  handle: TimerHandle | undefined;
}

export class Scheduler {
  private readonly clock: Clock;
  private readonly store: TimerStore;
  private readonly retryDelayMs: number;
  private readonly onError: (timer: TimerRecord, error: unknown) => void;
  private readonly handlers = new Map<string, TimerHandler>();
  private readonly armed = new Map<string, Armed>();
  private generation = 0;
  private started = false;
  private stopped = false;
  /** the read prefetch() started, until start() takes it */
  private loading: Promise<TimerRecord[]> | undefined;
  /** timers scheduled (the record) or cancelled (null) before start, by id */
  private readonly beforeStart = new Map<string, TimerRecord | null>();
  // store writes run one after another, in call order: a remove can never overtake a later save
  private writes: Promise<void> = Promise.resolve();

  constructor(clock: Clock, store: TimerStore, options: SchedulerOptions = {}) {
    this.clock = clock;
    this.store = store;
    this.retryDelayMs = options.retryDelayMs ?? 10_000;
    this.onError = options.onError ?? (() => {});
  }

  /** Register the handler for a kind of timer; do it before start(). */
  on(kind: string, handler: TimerHandler): this {
    this.handlers.set(kind, handler);
    return this;
  }

  /**
   * Start reading the stored timers now, for a start() that comes later: the engine's start-up
   * reads its store at once instead of one read after another. What is scheduled or cancelled in
   * between wins over what this read returns.
   */
  prefetch(): void {
    if (this.started || this.loading !== undefined) return;
    this.loading = this.store.load();
    // a failed read is thrown by start(), not reported as unhandled before it
    this.loading.catch(() => {});
  }

  /** Load the stored timers and arm them; overdue ones fire on the clock's next turn, in due order. */
  async start(): Promise<void> {
    if (this.started) throw new Error("scheduler already started");
    this.started = true;
    const loaded = await (this.loading ?? this.store.load());
    this.loading = undefined;
    // scheduled or cancelled before start: newer than the stored copy the read may have seen
    const byId = new Map(loaded.map((r) => [r.id, r] as const));
    for (const [id, rec] of this.beforeStart) {
      if (rec === null) byId.delete(id);
      else byId.set(id, rec);
    }
    this.beforeStart.clear();
    const records = [...byId.values()];
    records.sort((a, b) => a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // a timer scheduled while the load was running is newer than its stored copy
    for (const rec of records) if (!this.armed.has(rec.id)) this.arm(rec);
  }

  /** Persist, then arm. An existing timer with the same id is replaced. */
  async schedule(timer: TimerRecord): Promise<void> {
    validate(timer);
    if (!this.started) this.beforeStart.set(timer.id, timer);
    await this.write(() => this.store.save(timer));
    this.disarm(timer.id);
    if (this.started && !this.stopped) this.arm(timer);
  }

  async cancel(id: string): Promise<void> {
    if (!this.started) this.beforeStart.set(id, null);
    this.disarm(id);
    this.armed.delete(id);
    await this.write(() => this.store.remove(id));
  }

  /** Disarm everything in this process; the store keeps the timers for the next start. */
  stop(): void {
    this.stopped = true;
    for (const id of this.armed.keys()) this.disarm(id);
  }

  /** armed timers, soonest first (for status and the dashboard) */
  list(): TimerRecord[] {
    return [...this.armed.values()].map((a) => a.timer).sort((a, b) => a.dueAt - b.dueAt);
  }

  private arm(timer: TimerRecord, atMs = timer.dueAt): void {
    const entry: Armed = { timer, generation: ++this.generation, handle: undefined };
    this.armed.set(timer.id, entry);
    entry.handle = this.clock.at(atMs, () => void this.fire(entry));
  }

  private disarm(id: string): void {
    const entry = this.armed.get(id);
    if (entry?.handle !== undefined) this.clock.cancel(entry.handle);
    if (entry) entry.handle = undefined;
  }

  private isCurrent(entry: Armed): boolean {
    return this.armed.get(entry.timer.id) === entry && !this.stopped;
  }

  private async fire(entry: Armed): Promise<void> {
    entry.handle = undefined;
    if (!this.isCurrent(entry)) return;
    const { timer } = entry;
    const handler = this.handlers.get(timer.kind);
    if (handler === undefined) {
      // keep the record: a build that knows this kind fires it at its next start
      this.onError(timer, new InvalidValueError(`timer ${timer.id}: no handler for kind ${timer.kind}`));
      return;
    }
    try {
      await handler(timer);
    } catch (error) {
      this.onError(timer, error);
      if (this.isCurrent(entry)) this.arm(timer, this.clock.now() + this.retryDelayMs);
      return;
    }
    // replaced or canceled while the handler ran: the successor (or nobody) owns the record now
    if (this.armed.get(timer.id) !== entry) return;
    this.armed.delete(timer.id);
    try {
      await this.write(() => this.store.remove(timer.id));
    } catch (error) {
      // the record stays and fires again at the next start: still at-least-once
      this.onError(timer, error);
    }
  }

  private write(op: () => Promise<void>): Promise<void> {
    const next = this.writes.then(op);
    // a failed write must not poison the queue for the ones after it; the caller still sees it
    this.writes = next.catch(() => {});
    return next;
  }
}

function validate(t: TimerRecord): void {
  if (t.id.length === 0) throw new InvalidValueError("timer: empty id");
  if (t.kind.length === 0) throw new InvalidValueError(`timer ${t.id}: empty kind`);
  if (!Number.isFinite(t.dueAt)) throw new InvalidValueError(`timer ${t.id}: dueAt ${t.dueAt} is not a time`);
}

/** Wait for `p` (its failure ignored) or until `deadline` on the clock, whichever comes first. */
export async function raceDeadline(clock: Clock, p: Promise<unknown>, deadline: number): Promise<void> {
  const wait = Math.max(0, deadline - clock.now());
  let handle: TimerHandle | undefined;
  const timeout = new Promise<void>((resolve) => {
    handle = clock.after(wait, resolve);
  });
  await Promise.race([p.catch(() => {}), timeout]);
  if (handle) clock.cancel(handle);
}
