import type { AccountFilter, FillRecord } from "../../store/records.ts";
import type { Store } from "../../store/store.ts";

/** Fills from the store (the CSV trade log holds the same fills). */

export type { AccountFilter, FillRecord };

/** Fills oldest first; with `limit` and `latest`, the most recent `limit` of them. */
export function listTrades(store: Pick<Store, "fills">, filter: AccountFilter = {}): Promise<FillRecord[]> {
  return store.fills.list(filter);
}
