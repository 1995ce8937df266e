import { PerpbotError } from "../../core/errors.ts";
import type {
  EngineOrderRow,
  GroupOp,
  GroupPatch,
  GroupRow,
  LegRow,
  OrderEventRow,
} from "../../store/journal/rows.ts";
import type { JournalWriter } from "../../store/journal/writer.ts";
import type { FillRecord } from "../../store/records.ts";
import { type EngineOrder, orderRow } from "../orders/order-records.ts";
import type { OrderEvent } from "../orders/order-state.ts";

/**
 * The engine's write-ahead journal. Writes are queued in call order and committed in batches,
 * one transaction per batch; `sync()` resolves once everything queued before it is durable.
 * The executor awaits sync() wherever write-ahead matters (an order row and its submit_sent
 * event before the request leaves; a group's status before an outcome is returned): a synced
 * batch commits at once (next microtask). Everything else (acks, fills, cancels) is persisted by
 * the next batch, at the latest at the end of the current event-loop turn (setImmediate). A fill
 * that a SIGKILL catches before its batch commits is not lost: the order is still unfinished in
 * the journal, so recovery asks the venue for its status.
 *
 * Within a batch the writes go parents first (groups, legs, order rows, then order events and
 * fills), so foreign keys hold at every statement; an order written several times in one batch
 * is written once, with its latest state.
 */

/** A batch failed to commit: the engine can no longer promise write-ahead and must halt. */
export class JournalError extends PerpbotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("journal_failed", message, options);
  }
}

/**
 * An order as the journal is handed it: a row as it is, or the live order, whose row is built
 * when its batch commits (once per batch, however many events the order had in it).
 */
export type JournalOrder = EngineOrderRow | EngineOrder;

interface PendingOrder {
  order: JournalOrder;
  /** the order's first write is in this batch: an insert */
  fresh: boolean;
}

interface Batch {
  groups: GroupOp[];
  orders: Map<string, PendingOrder>;
  events: OrderEventRow[];
  fills: FillRecord[];
  /** someone awaits it (sync): commit at once, not at the end of the event-loop turn */
  urgent: boolean;
  done: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // a batch nobody awaits must not become an unhandled rejection; onFailure reports it
  done.catch(() => {});
  return { groups: [], orders: new Map(), events: [], fills: [], urgent: false, done, resolve, reject };
}

function isEmpty(b: Batch): boolean {
  return b.groups.length === 0 && b.orders.size === 0 && b.events.length === 0 && b.fills.length === 0;
}

/** The store as the journal writes to it (a Store is one). */
export interface JournalTarget {
  readonly journal: JournalWriter;
}

export class Journal {
  private readonly store: JournalTarget;
  private readonly onFailure: (error: JournalError) => void;
  private queued: Batch = newBatch();
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private lazy = false;
  private failed: JournalError | undefined;
  /** batches committed (tests and the bench read it) */
  commits = 0;

  /** `store`: the Store (its journal writer: prepared statements on SQLite, Kysely on PostgreSQL) */
  constructor(store: JournalTarget, onFailure: (error: JournalError) => void) {
    this.store = store;
    this.onFailure = onFailure;
  }

  insertGroup(group: GroupRow, legs: readonly LegRow[]): void {
    this.queue().groups.push({ kind: "insert", group, legs });
  }

  updateGroup(groupId: string, patch: GroupPatch): void {
    this.queue().groups.push({ kind: "update", groupId, patch });
  }

  legExternal(groupId: string, legIndex: number, lots: number, reason: string): void {
    this.queue().groups.push({ kind: "leg_external", groupId, legIndex, lots, reason });
  }

  /** A new order: its row is inserted (with its state as of the batch's commit). */
  order(order: JournalOrder): void {
    this.pending(this.queue(), order, true);
  }

  /** One applied order event of an order already journaled; its row is updated with it. */
  orderEvent(order: JournalOrder, event: OrderEvent): void {
    const b = this.queue();
    const id = this.pending(b, order, false);
    b.events.push({ clientOrderId: id, kind: event.kind, payload: encodeEvent(event), ts: event.ts });
  }

  private pending(b: Batch, order: JournalOrder, fresh: boolean): string {
    const id = "tracked" in order ? order.tracked.clientOrderId : order.clientOrderId;
    const p = b.orders.get(id);
    if (p === undefined) b.orders.set(id, { order, fresh });
    else {
      p.order = order;
      p.fresh ||= fresh;
    }
    return id;
  }

  fill(record: FillRecord): void {
    this.queue().fills.push(record);
  }

  /** Resolves when everything queued so far is committed; rejects with the JournalError if not. */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (isEmpty(this.queued)) return this.flushing ?? Promise.resolve();
    const target = this.queued.done;
    this.queued.urgent = true;
    this.kick();
    return target;
  }

  get failure(): JournalError | undefined {
    return this.failed;
  }

  private queue(): Batch {
    if (this.failed) throw this.failed;
    this.soon();
    return this.queued;
  }

  /**
   * A write nobody awaits yet is committed at the end of this event-loop turn (setImmediate), so
   * that the acks and fills of a burst and the status change that follows them share one commit;
   * sync() commits at once.
   */
  private soon(): void {
    if (this.scheduled || this.lazy) return;
    this.lazy = true;
    setImmediate(() => {
      this.lazy = false;
      this.kick();
    });
  }

  /** Commit the queued batch now: after the current synchronous run, so it collects its writes. */
  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => void this.flushLoop());
  }

  private async flushLoop(): Promise<void> {
    if (this.flushing) {
      await this.flushing.catch(() => {});
    }
    this.scheduled = false;
    if (isEmpty(this.queued) || this.flushing) return;
    const batch = this.queued;
    this.queued = newBatch();
    this.flushing = this.commit(batch);
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
    if (!isEmpty(this.queued)) {
      if (this.queued.urgent) this.kick();
      else this.soon();
    }
  }

  private async commit(b: Batch): Promise<void> {
    try {
      await this.store.journal.commit({
        groups: b.groups,
        orders: Array.from(b.orders.values(), rowOfPending),
        events: b.events,
        fills: b.fills,
      });
      this.commits++;
      b.resolve();
    } catch (cause) {
      const err = new JournalError(`journal commit failed: ${(cause as Error).message ?? cause}`, { cause });
      this.failed = err;
      b.reject(err);
      this.queued.reject(err);
      this.onFailure(err);
    }
  }
}

function rowOfPending(p: PendingOrder): { row: EngineOrderRow; fresh: boolean } {
  const o = p.order;
  return { row: "tracked" in o ? orderRow(o, o.updatedAt) : o, fresh: p.fresh };
}

// ---- event payloads: JSON with bigint amounts as {"$big": "<decimal>"} ----

export function encodeEvent(e: OrderEvent): string {
  // the same text as JSON.stringify with a bigint replacer, without calling one for every key
  return JSON.stringify(tagBigints(e));
}

/** The value with every bigint inside as {"$big": text}: itself when it holds none, else a copy. */
function tagBigints(v: unknown): unknown {
  if (typeof v === "bigint") return { $big: v.toString() };
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const t = tagBigints(v[i]);
      if (t === v[i]) continue;
      out ??= v.slice();
      out[i] = t;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const t = tagBigints(o[k]);
    if (t === o[k]) continue;
    out ??= { ...o };
    out[k] = t;
  }
  return out ?? v;
}

export function decodeEvent(payload: string): OrderEvent {
  return JSON.parse(payload, (_k, v) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$big" && typeof v.$big === "string") return BigInt(v.$big);
    }
    return v;
  }) as OrderEvent;
}
