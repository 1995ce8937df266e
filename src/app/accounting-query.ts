import type { Kysely } from "kysely";
import type { GroupRecord } from "../engine/group-types.ts";
import { moneyFromText, toNumber } from "../store/codec.ts";
import type { FillRecord, FundingPaymentRecord } from "../store/records.ts";
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
  const funding: FundingPaymentRecord[] = fundingRows.map((r) => ({
    venue: r.venue,
    account: r.account,
    symbol: r.symbol,
    amount: moneyFromText(r.amount, "funding_payments.amount"),
    ratePerHour: Number(r.rate_per_hour),
    positionSize: r.position_size,
    ts: toNumber(r.ts, "funding_payments.ts"),
  }));
  return accountFarm(accounted, fills, funding);
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
  return rows.map((r) => ({
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
    groupId: r.group_id,
  }));
}
