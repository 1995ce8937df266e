import type { EngineOrderRow } from "../../store/journal/rows.ts";
import type { Store } from "../../store/store.ts";

/** The orders the engine sent, as it journaled them (intent, leg, purpose, state, fills). */

export type EngineOrder = EngineOrderRow;

/** The engine's orders of these groups (every order when `groupIds` is omitted), oldest first. */
export async function listOrders(
  store: Pick<Store, "orders">,
  filter: { groupIds?: readonly string[]; unfinishedOnly?: boolean } = {},
): Promise<EngineOrder[]> {
  if (filter.unfinishedOnly) {
    const open = await store.orders.unfinished();
    return filter.groupIds === undefined
      ? open
      : open.filter((o) => filter.groupIds?.includes(o.groupId ?? ""));
  }
  return filter.groupIds === undefined ? store.orders.allEngine() : store.orders.ofGroups(filter.groupIds);
}
