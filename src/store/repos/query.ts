import type { Kysely, SelectQueryBuilder, Transaction } from "kysely";
import { InvalidValueError } from "../../core/errors.ts";
import type { AccountFilter } from "../records.ts";
import type { Database } from "../schema.ts";

/** What every repository queries through: the store's Kysely handle, or a transaction of it. */
export type Db = Kysely<Database> | Transaction<Database>;

export function checkLimit(limit: number | undefined, fallback = 10_000): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new InvalidValueError(`limit ${limit} must be a positive integer`);
  return limit;
}

/** Applies the account/time filters shared by fills, funding and equity to a query on `table`. */
export function filtered<T extends "fills" | "funding_payments" | "equity_snapshots", O>(
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
export function oldestFirst<R>(rows: R[], f: { latest?: boolean }): R[] {
  return f.latest ? rows.reverse() : rows;
}
