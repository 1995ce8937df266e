import { listGroupRecords } from "../../engine/groups/group-records.ts";
import type { GroupFilter, GroupRecord } from "../../engine/groups/group-types.ts";
import type { Store } from "../../store/store.ts";

/** Hedge groups from the store: what status screens list and what close requests name. */

export type { GroupFilter, GroupRecord };

/** Groups with their legs, entry fills, fees and realised PnL, oldest first. */
export function listGroups(
  store: Pick<Store, "groups" | "orders" | "fills">,
  filter: GroupFilter = {},
): Promise<GroupRecord[]> {
  return listGroupRecords(store, filter);
}

export interface FoundGroup {
  readonly id: string;
  readonly status: string;
  /** close reason, or the failure reason of a group that never opened */
  readonly reason: string | null;
}

/** A group named by its exact id, else by a unique prefix of it. */
export type GroupLookup =
  | { readonly kind: "found"; readonly group: FoundGroup }
  | { readonly kind: "none" }
  | { readonly kind: "ambiguous"; readonly ids: readonly string[] };

export async function findGroup(store: Pick<Store, "groups">, text: string): Promise<GroupLookup> {
  const one = async (id: string): Promise<GroupLookup> => {
    const [g] = await store.groups.list({ groupIds: [id] });
    return g === undefined
      ? { kind: "none" }
      : {
          kind: "found",
          group: { id: g.groupId, status: g.status, reason: g.closeReason ?? g.failureReason },
        };
  };
  const exact = await one(text);
  if (exact.kind === "found") return exact;
  const ids = await store.groups.idsStartingWith(text, 6);
  if (ids.length > 1) return { kind: "ambiguous", ids };
  return ids.length === 1 ? one(ids[0]) : { kind: "none" };
}

/** How many groups are not closed or failed. */
export async function countActiveGroups(store: Pick<Store, "groups">): Promise<number> {
  return (await store.groups.list({ activeOnly: true })).length;
}
