import type { SQLInputValue } from "node:sqlite";
import { FILL_COLS, fillParams } from "../repos/fill-codec.ts";
import type { SqliteAccess } from "../sqlite-dialect.ts";
import {
  EVENT_COLS,
  engineOrderParams,
  eventParams,
  GROUP_COLS,
  groupParams,
  LEG_COLS,
  legParams,
  ORDER_COLS,
  ORDER_PROGRESS,
  orderProgressParams,
  patchValues,
} from "./encode.ts";
import type { JournalBatch } from "./rows.ts";

/**
 * The journal on SQLite: the batch's statements are prepared once and run synchronously under
 * the connection's lock, in one transaction (no query building: this is the engine's hot path).
 * The SQL is the same Kysely sends on PostgreSQL (postgres.ts), one row each, written once.
 */

/** Commits one journal batch (the order of postgres.ts: groups, orders, events, fills). */
export async function commitJournalBatchSqlite(sqlite: SqliteAccess, b: JournalBatch): Promise<void> {
  // values are built (and checked) before the transaction starts, so a bad value never begins one
  const plan = sqlitePlan(b);
  await sqlite.transaction((s) => {
    for (const [sql, params, orElse] of plan) {
      // an order the journal believed stored but is not (it never is, unless the row was
      // removed by hand): insert it whole instead
      if (s.run(sql, params) === 0 && orElse !== undefined) s.run(...orElse());
    }
  });
}

type Statement = readonly [sql: string, params: readonly SQLInputValue[]];
/** a statement, and what to run instead when it changed no row */
type PlanStep = readonly [sql: string, params: readonly SQLInputValue[], orElse?: () => Statement];

function quoted(cols: readonly string[]): string {
  return cols.map((c) => `"${c}"`).join(", ");
}

function insertText(table: string, cols: readonly string[], tail = ""): string {
  return `insert into "${table}" (${quoted(cols)}) values (${cols.map(() => "?").join(", ")})${tail}`;
}

// the same SQL Kysely sends, one row each, written once
const GROUP_INSERT = insertText("engine_groups", GROUP_COLS);
const LEG_INSERT = insertText("engine_legs", LEG_COLS);
const ORDER_UPSERT = insertText(
  "orders",
  ORDER_COLS,
  ` on conflict ("client_order_id") do update set ${ORDER_PROGRESS.map((c) => `"${c}" = "excluded"."${c}"`).join(", ")}`,
);
const ORDER_PROGRESS_UPDATE = `update "orders" set ${ORDER_PROGRESS.map((c) => `"${c}" = ?`).join(", ")} where "client_order_id" = ?`;
const EVENT_INSERT = insertText("order_events", EVENT_COLS);
const FILL_INSERT_ONCE = insertText(
  "fills",
  FILL_COLS,
  ` on conflict ("venue", "account", "fill_id") do nothing`,
);
const LEG_EXTERNAL_UPDATE = `update "engine_legs" set "external_lots" = ?, "external_reason" = ? where "group_id" = ? and "leg_index" = ?`;

/** The batch as SQLite statements, in commit order. */
function sqlitePlan(b: JournalBatch): PlanStep[] {
  const out: PlanStep[] = [];
  for (const op of b.groups) {
    if (op.kind === "insert") {
      out.push([GROUP_INSERT, groupParams(op.group)]);
      for (const l of op.legs) out.push([LEG_INSERT, legParams(l)]);
    } else if (op.kind === "update") {
      const set = patchValues(op.patch);
      const cols = Object.keys(set);
      out.push([
        `update "engine_groups" set ${cols.map((c) => `"${c}" = ?`).join(", ")} where "group_id" = ?`,
        [...Object.values(set), op.groupId],
      ]);
    } else {
      out.push([LEG_EXTERNAL_UPDATE, [op.lots, op.reason, op.groupId, op.legIndex]]);
    }
  }
  for (const { row, fresh } of b.orders) {
    if (fresh) out.push([ORDER_UPSERT, engineOrderParams(row)]);
    else
      out.push([
        ORDER_PROGRESS_UPDATE,
        orderProgressParams(row),
        () => [ORDER_UPSERT, engineOrderParams(row)],
      ]);
  }
  for (const e of b.events) out.push([EVENT_INSERT, eventParams(e)]);
  for (const f of b.fills) out.push([FILL_INSERT_ONCE, fillParams(f)]);
  return out;
}

/** Whether a group with this id was ever journaled (ids are never reused). */
export function groupExistsSqlite(sqlite: SqliteAccess, groupId: string): Promise<boolean> {
  return sqlite.read(
    (s) => s.get(`select 1 as "one" from "engine_groups" where "group_id" = ?`, [groupId]) !== undefined,
  );
}
