import type { Kysely } from "kysely";
import { PerpbotError } from "../core/errors.ts";
import type { EngineOrderRow, GroupPatch, GroupRow, LegRow, OrderEventRow } from "../store/engine-repo.ts";
import * as engineRepo from "../store/engine-repo.ts";
import type { FillRecord } from "../store/records.ts";
import { insertFill } from "../store/repositories.ts";
import type { Database } from "../store/schema.ts";
import type { OrderEvent } from "./order-state.ts";

/**
 * The engine's write-ahead journal. Writes are queued in call order and committed in batches,
 * one transaction per batch; `sync()` resolves once everything queued before it is durable.
 * The executor awaits sync() wherever write-ahead matters (an order row and its submit_sent
 * event before the request leaves; a group's status before an outcome is returned); everything
 * else (acks, fills, cancels) is persisted by the next batch, a few microseconds later. A fill
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

type GroupOp =
  | { readonly kind: "insert"; readonly group: GroupRow; readonly legs: readonly LegRow[] }
  | { readonly kind: "update"; readonly groupId: string; readonly patch: GroupPatch }
  | {
      readonly kind: "leg_external";
      readonly groupId: string;
      readonly legIndex: number;
      readonly lots: number;
      readonly reason: string;
    };

interface Batch {
  groups: GroupOp[];
  orders: Map<string, EngineOrderRow>;
  events: OrderEventRow[];
  fills: FillRecord[];
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
  return { groups: [], orders: new Map(), events: [], fills: [], done, resolve, reject };
}

function isEmpty(b: Batch): boolean {
  return b.groups.length === 0 && b.orders.size === 0 && b.events.length === 0 && b.fills.length === 0;
}

export class Journal {
  private readonly db: Kysely<Database>;
  private readonly onFailure: (error: JournalError) => void;
  private queued: Batch = newBatch();
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private failed: JournalError | undefined;
  /** batches committed (tests and the bench read it) */
  commits = 0;

  constructor(db: Kysely<Database>, onFailure: (error: JournalError) => void) {
    this.db = db;
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

  /** The order's current row (insert or update). */
  order(row: EngineOrderRow): void {
    this.queue().orders.set(row.clientOrderId, row);
  }

  /** One applied order event, with the order's row after it. */
  orderEvent(row: EngineOrderRow, event: OrderEvent): void {
    const b = this.queue();
    b.orders.set(row.clientOrderId, row);
    b.events.push({
      clientOrderId: row.clientOrderId,
      kind: event.kind,
      payload: encodeEvent(event),
      ts: event.ts,
    });
  }

  fill(record: FillRecord): void {
    this.queue().fills.push(record);
  }

  /** Resolves when everything queued so far is committed; rejects with the JournalError if not. */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (isEmpty(this.queued)) return this.flushing ?? Promise.resolve();
    const target = this.queued.done;
    this.kick();
    return target;
  }

  get failure(): JournalError | undefined {
    return this.failed;
  }

  private queue(): Batch {
    if (this.failed) throw this.failed;
    this.kick();
    return this.queued;
  }

  /** Commit the queued batch soon: after the current synchronous run, so it collects its writes. */
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
    if (!isEmpty(this.queued)) this.kick();
  }

  private async commit(b: Batch): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const op of b.groups) {
          if (op.kind === "insert") await engineRepo.insertGroup(trx, op.group, op.legs);
          else if (op.kind === "update") await engineRepo.updateGroup(trx, op.groupId, op.patch);
          else await engineRepo.updateLegExternal(trx, op.groupId, op.legIndex, op.lots, op.reason);
        }
        for (const row of b.orders.values()) await engineRepo.upsertEngineOrder(trx, row);
        if (b.events.length > 0) await engineRepo.appendOrderEvents(trx, b.events);
        for (const f of b.fills) await insertFill(trx, f);
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

// ---- event payloads: JSON with bigint amounts as {"$big": "<decimal>"} ----

export function encodeEvent(e: OrderEvent): string {
  return JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? { $big: v.toString() } : v));
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
