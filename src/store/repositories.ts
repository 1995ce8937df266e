import type { SQLInputValue } from "node:sqlite";
import type { Insertable, Kysely, Selectable, SelectQueryBuilder } from "kysely";
import { InvalidValueError } from "../core/errors.ts";
import {
  decimalText,
  isDecimalText,
  isTimestamp,
  moneyFromText,
  moneyToText,
  rowObject,
  timestamp,
  toNumber,
} from "./codec.ts";
import type {
  AccountFilter,
  AlertInput,
  AlertRecord,
  EquitySnapshot,
  FillRecord,
  FundingPaymentRecord,
  OrderRecord,
} from "./records.ts";
import type { Database, FillsTable, FundingPaymentsTable } from "./schema.ts";

/** The repository methods behind the Store facade: domain records in, domain records out. */

type Db = Kysely<Database>;

const SIDES = new Set(["buy", "sell"]);
const SEVERITIES = new Set(["info", "warning", "critical", "emergency"]);

function checkSide(side: string, what: string): void {
  if (!SIDES.has(side))
    throw new InvalidValueError(`${what}: side ${JSON.stringify(side)} is not "buy" or "sell"`);
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return 10_000;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new InvalidValueError(`limit ${limit} must be a positive integer`);
  return limit;
}

/** Applies the account/time filters shared by fills, funding and equity to a query on `table`. */
function filtered<T extends "fills" | "funding_payments" | "equity_snapshots", O>(
  q: SelectQueryBuilder<Database, T, O>,
  f: AccountFilter,
): SelectQueryBuilder<Database, T, O> {
  // the tables share these column names; Kysely cannot see that through the generic table name
  // biome-ignore lint/suspicious/noExplicitAny: see above
  let out = q as SelectQueryBuilder<any, any, O>;
  if (f.venue !== undefined) out = out.where("venue", "=", f.venue);
  if (f.account !== undefined) out = out.where("account", "=", f.account);
  if (f.symbol !== undefined) out = out.where("symbol", "=", f.symbol);
  if (f.sinceTs !== undefined) out = out.where("ts", ">=", f.sinceTs);
  if (f.untilTs !== undefined) out = out.where("ts", "<", f.untilTs);
  const dir = f.latest ? "desc" : "asc";
  return out.orderBy("ts", dir).orderBy("id", dir).limit(checkLimit(f.limit)) as SelectQueryBuilder<
    Database,
    T,
    O
  >;
}

/** Rows oldest first: a `latest` query reads newest first (so its limit keeps the newest). */
function oldestFirst<R>(rows: R[], f: { latest?: boolean }): R[] {
  return f.latest ? rows.reverse() : rows;
}

export async function upsertOrder(db: Db, o: OrderRecord): Promise<void> {
  const what = `order ${o.clientOrderId}`;
  checkSide(o.side, what);
  const row = {
    client_order_id: o.clientOrderId,
    venue: o.venue,
    account: o.account,
    symbol: o.symbol,
    side: o.side,
    order_type: o.type,
    tif: o.tif,
    price: o.price === null ? null : decimalText(o.price, `${what} price`),
    size: decimalText(o.size, `${what} size`),
    filled_size: decimalText(o.filledSize, `${what} filled size`),
    reduce_only: o.reduceOnly ? 1 : 0,
    status: o.status,
    venue_order_id: o.venueOrderId,
    group_id: o.groupId,
    reason: o.reason,
    created_at: timestamp(o.createdAt, `${what} createdAt`),
    updated_at: timestamp(o.updatedAt, `${what} updatedAt`),
  };
  const { client_order_id: _key, created_at: _created, ...changes } = row;
  await db
    .insertInto("orders")
    .values(row)
    .onConflict((oc) => oc.column("client_order_id").doUpdateSet(changes))
    .execute();
}

export async function getOrder(db: Db, clientOrderId: string): Promise<OrderRecord | null> {
  const r = await db
    .selectFrom("orders")
    .selectAll()
    .where("client_order_id", "=", clientOrderId)
    .executeTakeFirst();
  if (!r) return null;
  return {
    clientOrderId: r.client_order_id,
    venue: r.venue,
    account: r.account,
    symbol: r.symbol,
    side: r.side as OrderRecord["side"],
    type: r.order_type as OrderRecord["type"],
    tif: r.tif as OrderRecord["tif"],
    price: r.price,
    size: r.size,
    filledSize: r.filled_size,
    reduceOnly: toNumber(r.reduce_only, "orders.reduce_only") === 1,
    status: r.status,
    venueOrderId: r.venue_order_id,
    groupId: r.group_id,
    reason: r.reason,
    createdAt: toNumber(r.created_at, "orders.created_at"),
    updatedAt: toNumber(r.updated_at, "orders.updated_at"),
  };
}

/** The fills table's columns, in the order fillParams gives their values. */
export const FILL_COLS = [
  "venue",
  "account",
  "symbol",
  "fill_id",
  "client_order_id",
  "venue_order_id",
  "side",
  "price",
  "size",
  "fee",
  "realised_pnl",
  "liquidity",
  "ts",
] as const;

/** Throws the detailed error for a bad value of the fill; returns when all are good. */
function checkFill(f: FillRecord): void {
  const what = `fill ${f.venue}/${f.account}/${f.fillId}`;
  checkSide(f.side, what);
  decimalText(f.price, `${what} price`);
  decimalText(f.size, `${what} size`);
  timestamp(f.ts, `${what} ts`);
}

/** A fill's column values in FILL_COLS order, checked (insertFill and the engine journal's batches). */
export function fillParams(f: FillRecord): SQLInputValue[] {
  if (!SIDES.has(f.side) || !isDecimalText(f.price) || !isDecimalText(f.size) || !isTimestamp(f.ts))
    checkFill(f);
  return [
    f.venue,
    f.account,
    f.symbol,
    f.fillId,
    f.clientOrderId,
    f.venueOrderId,
    f.side,
    f.price,
    f.size,
    moneyToText(f.fee),
    moneyToText(f.realisedPnl),
    f.liquidity,
    f.ts,
  ];
}

/** A fill's column values as a row object (the Kysely path). */
export function fillValues(f: FillRecord): Insertable<Database["fills"]> {
  return rowObject(FILL_COLS, fillParams(f));
}

/** Stores a fill once: returns false when the same (venue, account, fillId) was already stored. */
export async function insertFill(db: Db, f: FillRecord): Promise<boolean> {
  const result = await db
    .insertInto("fills")
    .values(fillValues(f))
    .onConflict((oc) => oc.columns(["venue", "account", "fill_id"]).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function listFills(db: Db, f: AccountFilter = {}): Promise<FillRecord[]> {
  const rows = oldestFirst(await filtered(db.selectFrom("fills").selectAll(), f).execute(), f);
  return rows.map(fillFromRow);
}

/** The columns of a `fills` row that make a FillRecord (a join may carry more). */
export type FillRow = Omit<Selectable<FillsTable>, "id">;

/** A `fills` row decoded: money from its exact text, timestamps as numbers. */
export function fillFromRow(r: FillRow): FillRecord {
  return {
    venue: r.venue,
    account: r.account,
    symbol: r.symbol,
    fillId: r.fill_id,
    clientOrderId: r.client_order_id,
    venueOrderId: r.venue_order_id,
    side: r.side as FillRecord["side"],
    price: r.price,
    size: r.size,
    fee: moneyFromText(r.fee, `fills.fee of ${r.fill_id}`),
    realisedPnl: moneyFromText(r.realised_pnl, `fills.realised_pnl of ${r.fill_id}`),
    liquidity: r.liquidity as FillRecord["liquidity"],
    ts: toNumber(r.ts, "fills.ts"),
  };
}

/** Stores a funding settlement once per (venue, account, symbol, ts); false if already stored. */
export async function insertFundingPayment(db: Db, p: FundingPaymentRecord): Promise<boolean> {
  const what = `funding ${p.venue}/${p.account}/${p.symbol}@${p.ts}`;
  if (!Number.isFinite(p.ratePerHour))
    throw new InvalidValueError(`${what}: rate ${p.ratePerHour} is not finite`);
  const result = await db
    .insertInto("funding_payments")
    .values({
      venue: p.venue,
      account: p.account,
      symbol: p.symbol,
      amount: moneyToText(p.amount),
      // the shortest text that reads back as the same float
      rate_per_hour: String(p.ratePerHour),
      position_size: p.positionSize === null ? null : decimalText(p.positionSize, `${what} position size`),
      ts: timestamp(p.ts, `${what} ts`),
    })
    .onConflict((oc) => oc.columns(["venue", "account", "symbol", "ts"]).doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function listFundingPayments(db: Db, f: AccountFilter = {}): Promise<FundingPaymentRecord[]> {
  const rows = oldestFirst(await filtered(db.selectFrom("funding_payments").selectAll(), f).execute(), f);
  return rows.map(fundingFromRow);
}

/** A `funding_payments` row decoded: money from its exact text, timestamps as numbers. */
export function fundingFromRow(r: Selectable<FundingPaymentsTable>): FundingPaymentRecord {
  return {
    venue: r.venue,
    account: r.account,
    symbol: r.symbol,
    amount: moneyFromText(r.amount, "funding_payments.amount"),
    ratePerHour: Number(r.rate_per_hour),
    positionSize: r.position_size,
    ts: toNumber(r.ts, "funding_payments.ts"),
  };
}

export async function recordEquity(db: Db, s: EquitySnapshot): Promise<void> {
  await db
    .insertInto("equity_snapshots")
    .values({
      venue: s.venue,
      account: s.account,
      equity: moneyToText(s.equity),
      cash: moneyToText(s.cash),
      maintenance_margin: moneyToText(s.maintenanceMargin),
      ts: timestamp(s.ts, `equity ${s.venue}/${s.account} ts`),
    })
    .execute();
}

export async function listEquity(db: Db, f: Omit<AccountFilter, "symbol"> = {}): Promise<EquitySnapshot[]> {
  const rows = oldestFirst(await filtered(db.selectFrom("equity_snapshots").selectAll(), f).execute(), f);
  return rows.map((r) => ({
    venue: r.venue,
    account: r.account,
    equity: moneyFromText(r.equity, "equity_snapshots.equity"),
    cash: moneyFromText(r.cash, "equity_snapshots.cash"),
    maintenanceMargin: moneyFromText(r.maintenance_margin, "equity_snapshots.maintenance_margin"),
    ts: toNumber(r.ts, "equity_snapshots.ts"),
  }));
}

/** Stores an alert; returns its id. */
export async function insertAlert(db: Db, a: AlertInput): Promise<number> {
  if (!SEVERITIES.has(a.severity))
    throw new InvalidValueError(`alert ${a.kind}: unknown severity ${JSON.stringify(a.severity)}`);
  const row = await db
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

export async function listAlerts(
  db: Db,
  f: { sinceTs?: number; unacknowledgedOnly?: boolean; limit?: number; latest?: boolean } = {},
): Promise<AlertRecord[]> {
  let q = db.selectFrom("alerts").selectAll();
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
    acknowledgedAt: r.acknowledged_at === null ? null : toNumber(r.acknowledged_at, "alerts.acknowledged_at"),
  }));
}

/** Marks an alert acknowledged; false when there is no such alert or it already was. */
export async function acknowledgeAlert(db: Db, id: number, ts: number): Promise<boolean> {
  const r = await db
    .updateTable("alerts")
    .set({ acknowledged_at: timestamp(ts, "acknowledge ts") })
    .where("id", "=", id)
    .where("acknowledged_at", "is", null)
    .executeTakeFirst();
  return (r.numUpdatedRows ?? 0n) > 0n;
}

export async function putKv(db: Db, key: string, value: string, ts: number): Promise<void> {
  await db
    .insertInto("kv")
    .values({ key, value, updated_at: timestamp(ts, `kv ${key} ts`) })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: ts }))
    .execute();
}

export async function getKv(db: Db, key: string): Promise<string | null> {
  const r = await db.selectFrom("kv").select("value").where("key", "=", key).executeTakeFirst();
  return r ? r.value : null;
}

export async function deleteKv(db: Db, key: string): Promise<boolean> {
  const r = await db.deleteFrom("kv").where("key", "=", key).executeTakeFirst();
  return (r.numDeletedRows ?? 0n) > 0n;
}
