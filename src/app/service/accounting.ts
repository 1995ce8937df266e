import type { GroupRecord } from "../../engine/groups/group-types.ts";
import type { Store } from "../../store/store.ts";
import { type AccountedGroup, accountFarm, type FarmAccounting } from "../../strategies/farm/accounting.ts";

/**
 * Farm accounting (volume, fees, funding, realised PnL per leg, group, wallet and in total) from
 * the store alone: what `perpbot status` shows without a venue connection and what the runtime's
 * `accounting()` returns. Every stored fill of an order of these groups and every funding
 * payment since the first of them opened; no row limit.
 */
export async function farmAccountingFromStore(
  store: Pick<Store, "fills" | "funding">,
  groups: readonly GroupRecord[],
): Promise<FarmAccounting> {
  const accounted = groups.map(accountedGroupOf);
  if (accounted.length === 0) return accountFarm([], [], []);
  const fills = await store.fills.ofGroupOrders();
  const since = accounted.reduce((m, g) => Math.min(m, g.openedAt), Number.POSITIVE_INFINITY);
  return accountFarm(accounted, fills, await store.funding.since(since));
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
