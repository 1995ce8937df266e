import type { Kysely, Transaction } from "kysely";
import { InvalidValueError } from "../core/errors.ts";
import type { Money } from "../core/money.ts";
import { decimalText, moneyFromText, timestamp, toNumber } from "./codec.ts";
import type { Database } from "./schema.ts";

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

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export async function insertGroup(db: Db, g: GroupRow, legs: readonly LegRow[]): Promise<void> {
  await db
    .insertInto("engine_groups")
    .values({
      group_id: g.groupId,
      strategy: g.strategy,
      status: g.status,
      entry: g.entry,
      fill_timeout_ms: g.fillTimeoutMs,
      hedged: g.hedged ? 1 : 0,
      meta: g.meta,
      close_reason: g.closeReason,
      failure_reason: g.failureReason,
      detail: g.detail,
      created_at: timestamp(g.createdAt, `group ${g.groupId} createdAt`),
      updated_at: g.updatedAt,
      closed_at: g.closedAt,
    })
    .execute();
  if (legs.length === 0) return;
  await db
    .insertInto("engine_legs")
    .values(
      legs.map((l) => ({
        group_id: l.groupId,
        leg_index: l.legIndex,
        venue: l.venue,
        account: l.account,
        symbol: l.symbol,
        side: l.side,
        target_lots: l.targetLots,
        external_lots: l.externalLots,
        external_reason: l.externalReason,
      })),
    )
    .execute();
}

export type GroupPatch = Partial<
  Pick<GroupRow, "status" | "closeReason" | "failureReason" | "detail" | "closedAt">
> & { readonly updatedAt: number };

export async function updateGroup(db: Db, groupId: string, p: GroupPatch): Promise<void> {
  const set: Record<string, unknown> = { updated_at: p.updatedAt };
  if (p.status !== undefined) set.status = p.status;
  if (p.closeReason !== undefined) set.close_reason = p.closeReason;
  if (p.failureReason !== undefined) set.failure_reason = p.failureReason;
  if (p.detail !== undefined) set.detail = p.detail;
  if (p.closedAt !== undefined) set.closed_at = p.closedAt;
  await db.updateTable("engine_groups").set(set).where("group_id", "=", groupId).execute();
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
  const what = `order ${o.clientOrderId}`;
  const row = {
    client_order_id: o.clientOrderId,
    venue: o.venue,
    account: o.account,
    symbol: o.symbol,
    side: o.side,
    order_type: o.type,
    tif: o.tif,
    price: decimalText(o.priceText, `${what} price`),
    size: decimalText(o.sizeText, `${what} size`),
    filled_size: decimalText(o.filledText, `${what} filled size`),
    reduce_only: o.reduceOnly ? 1 : 0,
    status: o.status,
    venue_order_id: o.venueOrderId,
    group_id: o.groupId,
    reason: o.reason,
    created_at: timestamp(o.createdAt, `${what} createdAt`),
    updated_at: o.updatedAt,
    intent_id: o.intentId,
    leg_index: o.legIndex,
    purpose: o.purpose,
    attempt: o.attempt,
    price_ticks: o.priceTicks,
    size_lots: o.sizeLots,
    filled_lots: o.filledLots,
  };
  await db
    .insertInto("orders")
    .values(row)
    .onConflict((oc) =>
      oc.column("client_order_id").doUpdateSet({
        filled_size: row.filled_size,
        filled_lots: row.filled_lots,
        status: row.status,
        venue_order_id: row.venue_order_id,
        reason: row.reason,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export async function appendOrderEvents(db: Db, events: readonly OrderEventRow[]): Promise<void> {
  for (const part of chunks(events)) {
    await db
      .insertInto("order_events")
      .values(
        part.map((e) => ({ client_order_id: e.clientOrderId, kind: e.kind, payload: e.payload, ts: e.ts })),
      )
      .execute();
  }
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
