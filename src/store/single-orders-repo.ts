import type { Kysely } from "kysely";
import { toNumber } from "./codec.ts";
import type { Database } from "./schema.ts";

/**
 * The queries of the engine's single-order intents (migration 0005). Their writes go through the
 * journal like every engine order's; these are the reads a restart and an idempotent place need.
 */

/** The purpose an engine order row carries when a strategy placed it as a single order. */
export const SINGLE_PURPOSE = "single";

/** Whether an engine order with this client order id was ever journaled (a primary-key lookup). */
export async function engineOrderExists(db: Kysely<Database>, clientOrderId: string): Promise<boolean> {
  const r = await db
    .selectFrom("orders")
    .select("client_order_id")
    .where("client_order_id", "=", clientOrderId)
    .executeTakeFirst();
  return r !== undefined;
}

export interface SingleHolding {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  /** signed lots the single orders filled there, in all: buys minus sells */
  readonly lots: number;
}

/**
 * Signed lots filled by single orders per (venue, account, symbol): what the strategies' single
 * orders hold, which the reconciler counts as owned (not an orphan).
 */
export async function singleOrderHoldings(db: Kysely<Database>): Promise<SingleHolding[]> {
  const rows = await db
    .selectFrom("orders")
    .select(["venue", "account", "symbol", "side"])
    .select((eb) => eb.fn.sum<number | string | bigint>("filled_lots").as("lots"))
    .where("purpose", "=", SINGLE_PURPOSE)
    .groupBy(["venue", "account", "symbol", "side"])
    .execute();
  const net = new Map<string, SingleHolding>();
  for (const r of rows) {
    const key = `${r.venue}\u0000${r.account}\u0000${r.symbol}`;
    const lots = toNumber(r.lots ?? 0, "orders.filled_lots sum") * (r.side === "buy" ? 1 : -1);
    const prev = net.get(key)?.lots ?? 0;
    net.set(key, { venue: r.venue, account: r.account, symbol: r.symbol, lots: prev + lots });
  }
  return [...net.values()];
}
