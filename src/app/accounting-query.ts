import type { Kysely } from "kysely";
import type { GroupRecord } from "../engine/groups/group-types.ts";
import type { FillRecord } from "../store/records.ts";
import { fillFromRow, fundingFromRow } from "../store/repositories.ts";
import type { Database } from "../store/schema.ts";
import { type AccountedGroup, accountFarm, type FarmAccounting } from "../strategies/farm/accounting.ts";

/**
 * Farm accounting (volume, fees, funding, realised PnL per leg, group, wallet and in total) from
 * the store alone: what `perpbot status` shows without a venue connection and what the runtime's
 * `accounting()` returns. Every stored fill of an order of these groups and every funding
 * payment since the first of them opened; no row limit.
 */
export async function farmAccountingFromStore(
  db: Kysely<Database>,
  groups: readonly GroupRecord[],
): Promise<FarmAccounting> {
  const accounted = groups.map(accountedGroupOf);
  if (accounted.length === 0) return accountFarm([], [], []);
  const fills = await groupFills(db);
  const since = accounted.reduce((m, g) => Math.min(m, g.openedAt), Number.POSITIVE_INFINITY);
  const fundingRows = await db
    .selectFrom("funding_payments")
    .selectAll()
    .where("ts", ">=", since)
    .orderBy("ts")
    .orderBy("id")
    .execute();
  // every row since the oldest group opened (the list repository caps at 10,000 rows)
  return accountFarm(accounted, fills, fundingRows.map(fundingFromRow));
}

export function accountedGroupOf(g: GroupRecord): AccountedGroup {
  return {
    id: g.groupId,
    closeReason: g.closeReason,
    openedAt: g.createdAt,
    closedAt: g.closedAt,
    legs: g.legs,
  };
}

/** Stored fills of orders that belong to a group, oldest first, with the order's group. */
async function groupFills(db: Kysely<Database>): Promise<(FillRecord & { groupId: string | null })[]> {
  const rows = await db
    .selectFrom("fills")
    .innerJoin("orders", "orders.client_order_id", "fills.client_order_id")
    .select([
      "fills.venue",
      "fills.account",
      "fills.symbol",
      "fills.fill_id",
      "fills.client_order_id",
      "fills.venue_order_id",
      "fills.side",
      "fills.price",
      "fills.size",
      "fills.fee",
      "fills.realised_pnl",
      "fills.liquidity",
      "fills.ts",
      "orders.group_id",
    ])
    .where("orders.group_id", "is not", null)
    .orderBy("fills.ts")
    .orderBy("fills.id")
    .execute();
  return rows.map((r) => ({ ...fillFromRow(r), groupId: r.group_id }));
}
