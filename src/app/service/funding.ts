import type { AccountFilter, FundingPaymentRecord } from "../../store/records.ts";
import type { Store } from "../../store/store.ts";

/** Funding payments from the store (positive: received, negative: paid). */

export type { FundingPaymentRecord };

/** Payments oldest first; with `limit` and `latest`, the most recent `limit` of them. */
export function listFunding(
  store: Pick<Store, "funding">,
  filter: AccountFilter = {},
): Promise<FundingPaymentRecord[]> {
  return store.funding.list(filter);
}
