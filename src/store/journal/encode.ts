import type { SQLInputValue } from "node:sqlite";
import type { Insertable } from "kysely";
import { InvalidValueError } from "../../core/errors.ts";
import { decimalText, isDecimalText, isTimestamp, rowObject, timestamp, toNumber } from "../codec.ts";
import type { Database } from "../schema.ts";
import type { EngineOrderRow, GroupPatch, GroupRow, LegRow, OrderEventRow } from "./rows.ts";

/**
 * The journal's rows as columns, shared by both backends: one definition per table, a column
 * list and its parameters in that order. The prepared-statement path (SQLite) binds the
 * parameters as they are; the Kysely path (PostgreSQL, and the reads on both) zips them with the
 * columns. The checks run on the happy path without building a message (this is the engine's
 * hot path); only a bad value pays for the detailed error.
 */

export const TERMINAL_GROUP = ["closed", "failed"];
export const TERMINAL_ORDER = ["filled", "canceled", "rejected", "expired"];
const CHUNK = 400;

/** Lists cut to at most CHUNK items (multi-row statements and IN lists stay under the backends' limits). */
export function chunks<T>(xs: readonly T[]): (readonly T[])[] {
  if (xs.length <= CHUNK) return xs.length === 0 ? [] : [xs];
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

export const GROUP_COLS = [
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

export function groupParams(g: GroupRow): SQLInputValue[] {
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

export const groupValues = (g: GroupRow) =>
  rowObject<Insertable<Database["engine_groups"]>>(GROUP_COLS, groupParams(g));

export const LEG_COLS = [
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

export function legParams(l: LegRow): SQLInputValue[] {
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

export const legValues = (l: LegRow) =>
  rowObject<Insertable<Database["engine_legs"]>>(LEG_COLS, legParams(l));

export function patchValues(p: GroupPatch): Record<string, string | number | null> {
  const set: Record<string, string | number | null> = { updated_at: p.updatedAt };
  if (p.status !== undefined) set.status = p.status;
  if (p.closeReason !== undefined) set.close_reason = p.closeReason;
  if (p.failureReason !== undefined) set.failure_reason = p.failureReason;
  if (p.detail !== undefined) set.detail = p.detail;
  if (p.closedAt !== undefined) set.closed_at = p.closedAt;
  return set;
}

export const ORDER_COLS = [
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
export const ORDER_PROGRESS = [
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

export function engineOrderParams(o: EngineOrderRow): SQLInputValue[] {
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
export function orderProgressParams(o: EngineOrderRow): SQLInputValue[] {
  if (!isDecimalText(o.filledText)) checkEngineOrder(o);
  return [o.filledText, o.filledLots, o.status, o.venueOrderId, o.reason, o.updatedAt, o.clientOrderId];
}

export const engineOrderValues = (o: EngineOrderRow) =>
  rowObject<Insertable<Database["orders"]>>(ORDER_COLS, engineOrderParams(o));

export const EVENT_COLS = ["client_order_id", "kind", "payload", "ts"] as const;

export const eventParams = (e: OrderEventRow): SQLInputValue[] => [e.clientOrderId, e.kind, e.payload, e.ts];

export const eventValues = (e: OrderEventRow) =>
  rowObject<Insertable<Database["order_events"]>>(EVENT_COLS, eventParams(e));

export function groupOf(r: Database["engine_groups"]): GroupRow {
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

export function engineOrderOf(r: Database["orders"]): EngineOrderRow {
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
