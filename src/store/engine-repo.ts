import type { SQLInputValue } from "node:sqlite";
import type { Insertable, Kysely, Transaction } from "kysely";
import { InvalidValueError } from "../core/errors.ts";
import type { Money } from "../core/money.ts";
import {
  decimalText,
  isDecimalText,
  isTimestamp,
  moneyFromText,
  rowObject,
  timestamp,
  toNumber,
} from "./codec.ts";
import type { FillRecord } from "./records.ts";
import { FILL_COLS, fillParams, fillValues } from "./repositories.ts";
import type { Database } from "./schema.ts";
import type { SqliteAccess } from "./sqlite-dialect.ts";

/**
 * The engine's journal tables (migration 0002): hedge groups, legs, the engine's view of each
 * order, the append-only order events, and persistent timers. Every function takes a Kysely
 * handle or a transaction, so the journal can batch several writes into one commit.
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface GroupRow {
  readonly groupId: string;
  readonly strategy: string;
  readonly status: string;
  /** JSON of the entry style */
  readonly entry: string;
  readonly fillTimeoutMs: number;
  readonly hedged: boolean;
  readonly meta: string | null;
  readonly closeReason: string | null;
  readonly failureReason: string | null;
  readonly detail: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly closedAt: number | null;
}

export interface LegRow {
  readonly groupId: string;
  readonly legIndex: number;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly targetLots: number;
  /** signed lots that left the venue without an order of ours */
  readonly externalLots: number;
  readonly externalReason: string | null;
}

/** An order as the engine journals it: the request on the grid plus its place in an intent. */
export interface EngineOrderRow {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly type: "limit" | "market";
  readonly tif: "gtc" | "ioc" | "post_only";
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly reduceOnly: boolean;
  /** exact decimal text of the price, size and filled size (the instrument writes them) */
  readonly priceText: string;
  readonly sizeText: string;
  readonly filledText: string;
  readonly filledLots: number;
  readonly status: string;
  readonly venueOrderId: string | null;
  readonly groupId: string | null;
  readonly intentId: string;
  readonly legIndex: number;
  readonly purpose: string;
  readonly attempt: number;
  readonly reason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** migration 0005 (absent on older rows): who placed it; a single order's group label */
  readonly strategy?: string | null;
  readonly groupRef?: string | null;
}

export interface OrderEventRow {
  readonly clientOrderId: string;
  readonly kind: string;
  readonly payload: string;
  readonly ts: number;
}

export interface TimerRow {
  readonly id: string;
  readonly kind: string;
  readonly dueAt: number;
  readonly payload: string;
}

const TERMINAL_GROUP = ["closed", "failed"];
const TERMINAL_ORDER = ["filled", "canceled", "rejected", "expired"];
const CHUNK = 400;

function chunks<T>(xs: readonly T[]): (readonly T[])[] {
  if (xs.length <= CHUNK) return xs.length === 0 ? [] : [xs];
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

// ---- row values: one definition per table, a column list and its parameters in that order ----
// The prepared-statement path binds the parameters as they are; the Kysely path zips them with
// the columns. The checks run on the happy path without building a message (this is the engine's
// hot path); only a bad value pays for the detailed error.

const GROUP_COLS = [
  "group_id",
  "strategy",
  "status",
  "entry",
  "fill_timeout_ms",
  "hedged",
  "meta",
  "close_reason",
  "failure_reason",
  "detail",
  "created_at",
  "updated_at",
  "closed_at",
] as const;

function groupParams(g: GroupRow): SQLInputValue[] {
  return [
    g.groupId,
    g.strategy,
    g.status,
    g.entry,
    g.fillTimeoutMs,
    g.hedged ? 1 : 0,
    g.meta,
    g.closeReason,
    g.failureReason,
    g.detail,
    timestamp(g.createdAt, `group ${g.groupId} createdAt`),
    g.updatedAt,
    g.closedAt,
  ];
}

const groupValues = (g: GroupRow) =>
  rowObject<Insertable<Database["engine_groups"]>>(GROUP_COLS, groupParams(g));

const LEG_COLS = [
  "group_id",
  "leg_index",
  "venue",
  "account",
  "symbol",
  "side",
  "target_lots",
  "external_lots",
  "external_reason",
] as const;

function legParams(l: LegRow): SQLInputValue[] {
  return [
    l.groupId,
    l.legIndex,
    l.venue,
    l.account,
    l.symbol,
    l.side,
    l.targetLots,
    l.externalLots,
    l.externalReason,
  ];
}

const legValues = (l: LegRow) => rowObject<Insertable<Database["engine_legs"]>>(LEG_COLS, legParams(l));

export type GroupPatch = Partial<
  Pick<GroupRow, "status" | "closeReason" | "failureReason" | "detail" | "closedAt">
> & { readonly updatedAt: number };

function patchValues(p: GroupPatch): Record<string, string | number | null> {
  const set: Record<string, string | number | null> = { updated_at: p.updatedAt };
  if (p.status !== undefined) set.status = p.status;
  if (p.closeReason !== undefined) set.close_reason = p.closeReason;
  if (p.failureReason !== undefined) set.failure_reason = p.failureReason;
  if (p.detail !== undefined) set.detail = p.detail;
  if (p.closedAt !== undefined) set.closed_at = p.closedAt;
  return set;
}

const ORDER_COLS = [
  "client_order_id",
  "venue",
  "account",
  "symbol",
  "side",
  "order_type",
  "tif",
  "price",
  "size",
  "filled_size",
  "reduce_only",
  "status",
  "venue_order_id",
  "group_id",
  "reason",
  "created_at",
  "updated_at",
  "intent_id",
  "leg_index",
  "purpose",
  "attempt",
  "price_ticks",
  "size_lots",
  "filled_lots",
  "strategy",
  "group_ref",
] as const;

/** What an upsert of an engine order changes on a row that exists: its progress, never its request. */
const ORDER_PROGRESS = [
  "filled_size",
  "filled_lots",
  "status",
  "venue_order_id",
  "reason",
  "updated_at",
] as const;

/** Throws the detailed error for a bad value of the order; returns when all are good. */
function checkEngineOrder(o: EngineOrderRow): void {
  const what = `order ${o.clientOrderId}`;
  decimalText(o.priceText, `${what} price`);
  decimalText(o.sizeText, `${what} size`);
  decimalText(o.filledText, `${what} filled size`);
  timestamp(o.createdAt, `${what} createdAt`);
}

function engineOrderParams(o: EngineOrderRow): SQLInputValue[] {
  if (
    !isDecimalText(o.priceText) ||
    !isDecimalText(o.sizeText) ||
    !isDecimalText(o.filledText) ||
    !isTimestamp(o.createdAt)
  )
    checkEngineOrder(o);
  return [
    o.clientOrderId,
    o.venue,
    o.account,
    o.symbol,
    o.side,
    o.type,
    o.tif,
    o.priceText,
    o.sizeText,
    o.filledText,
    o.reduceOnly ? 1 : 0,
    o.status,
    o.venueOrderId,
    o.groupId,
    o.reason,
    o.createdAt,
    o.updatedAt,
    o.intentId,
    o.legIndex,
    o.purpose,
    o.attempt,
    o.priceTicks,
    o.sizeLots,
    o.filledLots,
    o.strategy ?? null,
    o.groupRef ?? null,
  ];
}

/** The progress columns (ORDER_PROGRESS order) and then the key, for an update of a known order. */
function orderProgressParams(o: EngineOrderRow): SQLInputValue[] {
  if (!isDecimalText(o.filledText)) checkEngineOrder(o);
  return [o.filledText, o.filledLots, o.status, o.venueOrderId, o.reason, o.updatedAt, o.clientOrderId];
}

const engineOrderValues = (o: EngineOrderRow) =>
  rowObject<Insertable<Database["orders"]>>(ORDER_COLS, engineOrderParams(o));

const EVENT_COLS = ["client_order_id", "kind", "payload", "ts"] as const;

const eventParams = (e: OrderEventRow): SQLInputValue[] => [e.clientOrderId, e.kind, e.payload, e.ts];

const eventValues = (e: OrderEventRow) =>
  rowObject<Insertable<Database["order_events"]>>(EVENT_COLS, eventParams(e));

// ---- single writes (Kysely) ----

export async function insertGroup(db: Db, g: GroupRow, legs: readonly LegRow[]): Promise<void> {
  await db.insertInto("engine_groups").values(groupValues(g)).execute();
  if (legs.length === 0) return;
  await db.insertInto("engine_legs").values(legs.map(legValues)).execute();
}

export async function updateGroup(db: Db, groupId: string, p: GroupPatch): Promise<void> {
  await db.updateTable("engine_groups").set(patchValues(p)).where("group_id", "=", groupId).execute();
}

export async function updateLegExternal(
  db: Db,
  groupId: string,
  legIndex: number,
  externalLots: number,
  reason: string,
): Promise<void> {
  await db
    .updateTable("engine_legs")
    .set({ external_lots: externalLots, external_reason: reason })
    .where("group_id", "=", groupId)
    .where("leg_index", "=", legIndex)
    .execute();
}

export async function upsertEngineOrder(db: Db, o: EngineOrderRow): Promise<void> {
  await upsertEngineOrders(db, [o]);
}

/** Inserts the orders, or updates the progress columns of those that exist (one statement per chunk). */
async function upsertEngineOrders(db: Db, orders: readonly EngineOrderRow[]): Promise<void> {
  for (const part of chunks(orders)) {
    await db
      .insertInto("orders")
      .values(part.map(engineOrderValues))
      .onConflict((oc) =>
        oc.column("client_order_id").doUpdateSet((eb) => ({
          filled_size: eb.ref("excluded.filled_size"),
          filled_lots: eb.ref("excluded.filled_lots"),
          status: eb.ref("excluded.status"),
          venue_order_id: eb.ref("excluded.venue_order_id"),
          reason: eb.ref("excluded.reason"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
}

export async function appendOrderEvents(db: Db, events: readonly OrderEventRow[]): Promise<void> {
  for (const part of chunks(events)) {
    await db.insertInto("order_events").values(part.map(eventValues)).execute();
  }
}

// ---- the journal's batches ----

export type GroupOp =
  | { readonly kind: "insert"; readonly group: GroupRow; readonly legs: readonly LegRow[] }
  | { readonly kind: "update"; readonly groupId: string; readonly patch: GroupPatch }
  | {
      readonly kind: "leg_external";
      readonly groupId: string;
      readonly legIndex: number;
      readonly lots: number;
      readonly reason: string;
    };

/** One batch of the engine's journal, committed in one transaction, parents first. */
export interface JournalBatch {
  readonly groups: readonly GroupOp[];
  /**
   * at most one row per client order id (its latest state); `fresh`: the order's first write is
   * in this batch (an insert), otherwise the row exists and only its progress changes
   */
  readonly orders: Iterable<{ readonly row: EngineOrderRow; readonly fresh: boolean }>;
  readonly events: readonly OrderEventRow[];
  readonly fills: readonly FillRecord[];
}

/** The store as the journal writes to it: Kysely everywhere, the raw connection on SQLite. */
export interface JournalTarget {
  readonly db: Kysely<Database>;
  readonly sqlite: SqliteAccess | undefined;
}

/**
 * Commits one journal batch in one transaction: group inserts/updates and leg write-offs in
 * order, then order rows (upserts), then order events, then fills (each fill once per
 * venue/account/fill id). On SQLite the statements are prepared once and run synchronously
 * under the connection's lock (no query building: this is the engine's hot path); on
 * PostgreSQL the same statements go through Kysely, multi-row.
 */
export async function commitJournalBatch(target: JournalTarget, b: JournalBatch): Promise<void> {
  if (target.sqlite !== undefined) {
    // values are built (and checked) before the transaction starts, so a bad value never begins one
    const plan = sqlitePlan(b);
    await target.sqlite.transaction((s) => {
      for (const [sql, params, orElse] of plan) {
        // an order the journal believed stored but is not (it never is, unless the row was
        // removed by hand): insert it whole instead
        if (s.run(sql, params) === 0 && orElse !== undefined) s.run(...orElse());
      }
    });
    return;
  }
  await target.db.transaction().execute(async (trx) => {
    for (const op of b.groups) {
      if (op.kind === "insert") await insertGroup(trx, op.group, op.legs);
      else if (op.kind === "update") await updateGroup(trx, op.groupId, op.patch);
      else await updateLegExternal(trx, op.groupId, op.legIndex, op.lots, op.reason);
    }
    const orders = Array.from(b.orders, (o) => o.row);
    if (orders.length > 0) await upsertEngineOrders(trx, orders);
    if (b.events.length > 0) await appendOrderEvents(trx, b.events);
    for (const part of chunks(b.fills)) {
      await trx
        .insertInto("fills")
        .values(part.map(fillValues))
        .onConflict((oc) => oc.columns(["venue", "account", "fill_id"]).doNothing())
        .execute();
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
export async function groupExists(target: JournalTarget, groupId: string): Promise<boolean> {
  if (target.sqlite !== undefined) {
    return target.sqlite.read(
      (s) => s.get(`select 1 as "one" from "engine_groups" where "group_id" = ?`, [groupId]) !== undefined,
    );
  }
  const r = await target.db
    .selectFrom("engine_groups")
    .select("group_id")
    .where("group_id", "=", groupId)
    .executeTakeFirst();
  return r !== undefined;
}

function groupOf(r: Database["engine_groups"]): GroupRow {
  return {
    groupId: r.group_id,
    strategy: r.strategy,
    status: r.status,
    entry: r.entry,
    fillTimeoutMs: toNumber(r.fill_timeout_ms, "engine_groups.fill_timeout_ms"),
    hedged: toNumber(r.hedged, "engine_groups.hedged") === 1,
    meta: r.meta,
    closeReason: r.close_reason,
    failureReason: r.failure_reason,
    detail: r.detail,
    createdAt: toNumber(r.created_at, "engine_groups.created_at"),
    updatedAt: toNumber(r.updated_at, "engine_groups.updated_at"),
    closedAt: r.closed_at === null ? null : toNumber(r.closed_at, "engine_groups.closed_at"),
  };
}

export interface GroupFilter {
  readonly status?: readonly string[];
  readonly strategy?: string;
  readonly groupIds?: readonly string[];
  /** only groups not closed or failed (the index of open intents) */
  readonly activeOnly?: boolean;
  readonly limit?: number;
}

export async function listGroupRows(db: Db, f: GroupFilter = {}): Promise<GroupRow[]> {
  let q = db.selectFrom("engine_groups").selectAll();
  if (f.activeOnly) q = q.where("status", "not in", TERMINAL_GROUP);
  if (f.status !== undefined && f.status.length > 0) q = q.where("status", "in", [...f.status]);
  if (f.strategy !== undefined) q = q.where("strategy", "=", f.strategy);
  if (f.groupIds !== undefined) {
    if (f.groupIds.length === 0) return [];
    q = q.where("group_id", "in", [...f.groupIds]);
  }
  const rows = await q
    .orderBy("created_at")
    .orderBy("group_id")
    .limit(f.limit ?? 100_000)
    .execute();
  return rows.map(groupOf);
}

export async function listLegRows(db: Db, groupIds: readonly string[]): Promise<LegRow[]> {
  const out: LegRow[] = [];
  for (const part of chunks(groupIds)) {
    const rows = await db.selectFrom("engine_legs").selectAll().where("group_id", "in", part).execute();
    for (const r of rows)
      out.push({
        groupId: r.group_id,
        legIndex: toNumber(r.leg_index, "engine_legs.leg_index"),
        venue: r.venue,
        account: r.account,
        symbol: r.symbol,
        side: r.side as LegRow["side"],
        targetLots: toNumber(r.target_lots, "engine_legs.target_lots"),
        externalLots: toNumber(r.external_lots, "engine_legs.external_lots"),
        externalReason: r.external_reason,
      });
  }
  return out.sort((a, b) =>
    a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : a.legIndex - b.legIndex,
  );
}

function engineOrderOf(r: Database["orders"]): EngineOrderRow {
  if (r.intent_id == null || r.price_ticks == null || r.size_lots == null)
    throw new InvalidValueError(`order ${r.client_order_id} has no engine columns`);
  return {
    clientOrderId: r.client_order_id,
    venue: r.venue,
    account: r.account,
    symbol: r.symbol,
    side: r.side as EngineOrderRow["side"],
    type: r.order_type as EngineOrderRow["type"],
    tif: r.tif as EngineOrderRow["tif"],
    priceTicks: toNumber(r.price_ticks, "orders.price_ticks"),
    sizeLots: toNumber(r.size_lots, "orders.size_lots"),
    reduceOnly: toNumber(r.reduce_only, "orders.reduce_only") === 1,
    priceText: r.price ?? "0",
    sizeText: r.size,
    filledText: r.filled_size,
    filledLots: toNumber(r.filled_lots ?? 0, "orders.filled_lots"),
    status: r.status,
    venueOrderId: r.venue_order_id,
    groupId: r.group_id,
    intentId: r.intent_id,
    legIndex: toNumber(r.leg_index ?? 0, "orders.leg_index"),
    purpose: r.purpose ?? "",
    attempt: toNumber(r.attempt ?? 0, "orders.attempt"),
    reason: r.reason,
    createdAt: toNumber(r.created_at, "orders.created_at"),
    updatedAt: toNumber(r.updated_at, "orders.updated_at"),
    strategy: r.strategy ?? null,
    groupRef: r.group_ref ?? null,
  };
}

/** Engine orders of these groups, in creation order. */
export async function listOrdersOfGroups(db: Db, groupIds: readonly string[]): Promise<EngineOrderRow[]> {
  const out: EngineOrderRow[] = [];
  for (const part of chunks(groupIds)) {
    const rows = await db
      .selectFrom("orders")
      .selectAll()
      .where("group_id", "in", part)
      .where("intent_id", "is not", null)
      .execute();
    out.push(...rows.map(engineOrderOf));
  }
  return out.sort((a, b) => a.createdAt - b.createdAt);
}

/** Engine orders not known to be finished: what restart recovery must resolve. */
export async function listUnfinishedOrders(db: Db): Promise<EngineOrderRow[]> {
  const rows = await db
    .selectFrom("orders")
    .selectAll()
    .where("status", "not in", TERMINAL_ORDER)
    .where("intent_id", "is not", null)
    .orderBy("created_at")
    .execute();
  return rows.map(engineOrderOf);
}

/** Every engine order (audits and the chaos checks). */
export async function listAllEngineOrders(db: Db): Promise<EngineOrderRow[]> {
  const rows = await db.selectFrom("orders").selectAll().where("intent_id", "is not", null).execute();
  return rows.map(engineOrderOf);
}

export async function listOrderEvents(db: Db, clientOrderIds: readonly string[]): Promise<OrderEventRow[]> {
  const out: (OrderEventRow & { id: number })[] = [];
  for (const part of chunks(clientOrderIds)) {
    const rows = await db
      .selectFrom("order_events")
      .selectAll()
      .where("client_order_id", "in", part)
      .execute();
    for (const r of rows)
      out.push({
        id: toNumber(r.id, "order_events.id"),
        clientOrderId: r.client_order_id,
        kind: r.kind,
        payload: r.payload,
        ts: toNumber(r.ts, "order_events.ts"),
      });
  }
  return out.sort((a, b) => a.id - b.id);
}

export interface FillTotals {
  fee: Money;
  realisedPnl: Money;
  /** Σ price × size and Σ size (floats: analytics, for average prices) */
  notional: number;
  size: number;
}

/** Fees, realised PnL and traded amounts of the stored fills of these orders, by client order id. */
export async function fillTotalsByOrder(
  db: Db,
  clientOrderIds: readonly string[],
): Promise<Map<string, FillTotals>> {
  const out = new Map<string, FillTotals>();
  for (const part of chunks(clientOrderIds)) {
    const rows = await db
      .selectFrom("fills")
      .select(["client_order_id", "fee", "realised_pnl", "fill_id", "price", "size"])
      .where("client_order_id", "in", part)
      .execute();
    for (const r of rows) {
      const id = r.client_order_id ?? "";
      const t = out.get(id) ?? { fee: 0n, realisedPnl: 0n, notional: 0, size: 0 };
      t.notional += Number(r.price) * Number(r.size);
      t.size += Number(r.size);
      t.fee += moneyFromText(r.fee, `fills.fee of ${r.fill_id}`);
      t.realisedPnl += moneyFromText(r.realised_pnl, `fills.realised_pnl of ${r.fill_id}`);
      out.set(id, t);
    }
  }
  return out;
}

export async function loadTimers(db: Db): Promise<TimerRow[]> {
  const rows = await db.selectFrom("engine_timers").selectAll().orderBy("due_at").orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    dueAt: toNumber(r.due_at, "engine_timers.due_at"),
    payload: r.payload,
  }));
}

export async function saveTimer(db: Db, t: TimerRow): Promise<void> {
  await db
    .insertInto("engine_timers")
    .values({ id: t.id, kind: t.kind, due_at: t.dueAt, payload: t.payload })
    .onConflict((oc) => oc.column("id").doUpdateSet({ kind: t.kind, due_at: t.dueAt, payload: t.payload }))
    .execute();
}

export async function removeTimer(db: Db, id: string): Promise<void> {
  await db.deleteFrom("engine_timers").where("id", "=", id).execute();
}
