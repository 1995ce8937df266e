import type { Selectable } from "kysely";
import { timestamp, toNumber } from "../codec.ts";
import type { ControlRequestRecord, ControlRequestStatus } from "../records.ts";
import type { Database } from "../schema.ts";
import { checkLimit, type Db } from "./query.ts";

/**
 * The `control_requests` table: the queue between the CLI (which enqueues and waits) and the
 * running process (which claims, acts and finishes). Every status change is one guarded UPDATE,
 * so two runners never both claim a request and an expiry never overwrites a claim.
 */
export class ControlRequestsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Queues a request (pending); returns its id. */
  async enqueue(action: string, args: Record<string, unknown>, now: number): Promise<number> {
    const row = await this.#db
      .insertInto("control_requests")
      .values({
        action,
        args: JSON.stringify(args),
        status: "pending",
        result: null,
        created_at: timestamp(now, `control request ${action} ts`),
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return toNumber(row.id, "control_requests.id");
  }

  async get(id: number): Promise<ControlRequestRecord | undefined> {
    const r = await this.#db
      .selectFrom("control_requests")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return r === undefined ? undefined : requestOf(r);
  }

  /** Requests oldest first (at most `limit`, default 1,000). */
  async list(
    filter: { status?: ControlRequestStatus; limit?: number } = {},
  ): Promise<ControlRequestRecord[]> {
    let q = this.#db.selectFrom("control_requests").selectAll();
    if (filter.status !== undefined) q = q.where("status", "=", filter.status);
    const rows = await q.orderBy("id").limit(checkLimit(filter.limit, 1_000)).execute();
    return rows.map(requestOf);
  }

  /** How many requests are not finished (pending or running). */
  async countOpen(): Promise<number> {
    const r = await this.#db
      .selectFrom("control_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "in", ["pending", "running"])
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Every running request back to pending (a runner that died left them); returns how many. */
  async requeueRunning(now: number): Promise<number> {
    const r = await this.#db
      .updateTable("control_requests")
      .set({ status: "pending", updated_at: now })
      .where("status", "=", "running")
      .executeTakeFirst();
    return Number(r.numUpdatedRows ?? 0n);
  }

  /** pending → running; false when it was not pending (another runner claimed it, or it expired). */
  async claim(id: number, now: number): Promise<boolean> {
    return this.#move(id, "pending", { status: "running", updated_at: now });
  }

  /** Records the outcome of a claimed request. */
  async finish(
    id: number,
    status: "done" | "failed",
    result: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    await this.#db
      .updateTable("control_requests")
      .set({ status, result: JSON.stringify(result), updated_at: now })
      .where("id", "=", id)
      .execute();
  }

  /** pending → failed with this result, not acted on; false when it was no longer pending. */
  async expire(id: number, result: Record<string, unknown>, now: number): Promise<boolean> {
    return this.#move(id, "pending", { status: "failed", result: JSON.stringify(result), updated_at: now });
  }

  async #move(
    id: number,
    from: ControlRequestStatus,
    set: { status: ControlRequestStatus; updated_at: number; result?: string },
  ): Promise<boolean> {
    const r = await this.#db
      .updateTable("control_requests")
      .set(set)
      .where("id", "=", id)
      .where("status", "=", from)
      .executeTakeFirst();
    return (r.numUpdatedRows ?? 0n) > 0n;
  }
}

function requestOf(r: Selectable<Database["control_requests"]>): ControlRequestRecord {
  return {
    id: toNumber(r.id, "control_requests.id"),
    action: r.action,
    args: JSON.parse(r.args) as Record<string, unknown>,
    status: r.status as ControlRequestStatus,
    result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>),
    createdAt: toNumber(r.created_at, "control_requests.created_at"),
    updatedAt: toNumber(r.updated_at, "control_requests.updated_at"),
  };
}
