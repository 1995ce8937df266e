import { toNumber } from "../codec.ts";
import type { TimerRow } from "../journal/rows.ts";
import type { Db } from "./query.ts";

/** The `engine_timers` table: the scheduler's persistent timers (a group's close time survives a restart). */
export class TimersRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Every timer, soonest first. */
  async load(): Promise<TimerRow[]> {
    const rows = await this.#db
      .selectFrom("engine_timers")
      .selectAll()
      .orderBy("due_at")
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      dueAt: toNumber(r.due_at, "engine_timers.due_at"),
      payload: r.payload,
    }));
  }

  async save(t: TimerRow): Promise<void> {
    await this.#db
      .insertInto("engine_timers")
      .values({ id: t.id, kind: t.kind, due_at: t.dueAt, payload: t.payload })
      .onConflict((oc) => oc.column("id").doUpdateSet({ kind: t.kind, due_at: t.dueAt, payload: t.payload }))
      .execute();
  }

  async remove(id: string): Promise<void> {
    await this.#db.deleteFrom("engine_timers").where("id", "=", id).execute();
  }
}
