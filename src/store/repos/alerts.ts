import { InvalidValueError } from "../../core/errors.ts";
import { timestamp, toNumber } from "../codec.ts";
import type { AlertInput, AlertRecord } from "../records.ts";
import { checkLimit, type Db, oldestFirst } from "./query.ts";

const SEVERITIES = new Set(["info", "warning", "critical", "emergency"]);

export interface AlertFilter {
  readonly sinceTs?: number;
  readonly unacknowledgedOnly?: boolean;
  readonly limit?: number;
  /** with `limit`: keep the newest alerts (still returned oldest first) */
  readonly latest?: boolean;
}

/** The `alerts` table: every alert raised, whatever its destinations did with it. */
export class AlertsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Stores an alert; returns its id. */
  async insert(a: AlertInput): Promise<number> {
    if (!SEVERITIES.has(a.severity))
      throw new InvalidValueError(`alert ${a.kind}: unknown severity ${JSON.stringify(a.severity)}`);
    const row = await this.#db
      .insertInto("alerts")
      .values({
        severity: a.severity,
        kind: a.kind,
        title: a.title ?? null,
        message: a.message,
        context: a.context ? JSON.stringify(a.context) : null,
        ts: timestamp(a.ts, `alert ${a.kind} ts`),
        acknowledged_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return toNumber(row.id, "alerts.id");
  }

  async list(f: AlertFilter = {}): Promise<AlertRecord[]> {
    let q = this.#db.selectFrom("alerts").selectAll();
    if (f.sinceTs !== undefined) q = q.where("ts", ">=", f.sinceTs);
    if (f.unacknowledgedOnly) q = q.where("acknowledged_at", "is", null);
    const dir = f.latest ? "desc" : "asc";
    const rows = oldestFirst(
      await q.orderBy("ts", dir).orderBy("id", dir).limit(checkLimit(f.limit)).execute(),
      f,
    );
    return rows.map((r) => ({
      id: toNumber(r.id, "alerts.id"),
      severity: r.severity as AlertRecord["severity"],
      kind: r.kind,
      title: r.title,
      message: r.message,
      context: r.context === null ? null : (JSON.parse(r.context) as Record<string, unknown>),
      ts: toNumber(r.ts, "alerts.ts"),
      acknowledgedAt:
        r.acknowledged_at === null ? null : toNumber(r.acknowledged_at, "alerts.acknowledged_at"),
    }));
  }

  /** Marks an alert acknowledged; false when there is no such alert or it already was. */
  async acknowledge(id: number, ts: number): Promise<boolean> {
    const r = await this.#db
      .updateTable("alerts")
      .set({ acknowledged_at: timestamp(ts, "acknowledge ts") })
      .where("id", "=", id)
      .where("acknowledged_at", "is", null)
      .executeTakeFirst();
    return (r.numUpdatedRows ?? 0n) > 0n;
  }
}
