import type { VenueNotice } from "../../core/venue-notices.ts";
import type { Store } from "../../store/store.ts";

/**
 * The running live process's venue notices (src/core/venue-notices.ts), kept in the store's kv
 * so `perpbot status`, which never connects to a venue, can show them: JSON `{ ts, notices }`,
 * rewritten by the runner every few seconds, dropped when it stops.
 */
export const VENUE_NOTICES_KV_KEY = "venues.notices";

export interface StoredVenueNotices {
  /** wall ms of the runner's last write */
  readonly ts: number;
  readonly notices: readonly VenueNotice[];
}

export async function writeVenueNotices(
  store: Pick<Store, "kv">,
  notices: readonly VenueNotice[],
  ts: number,
): Promise<void> {
  await store.kv.put(VENUE_NOTICES_KV_KEY, JSON.stringify({ ts, notices }), ts);
}

export async function clearVenueNotices(store: Pick<Store, "kv">): Promise<void> {
  await store.kv.delete(VENUE_NOTICES_KV_KEY);
}

/** The stored notices; none when absent or unreadable. */
export async function readVenueNotices(store: Pick<Store, "kv">): Promise<StoredVenueNotices | undefined> {
  const raw = await store.kv.get(VENUE_NOTICES_KV_KEY);
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as StoredVenueNotices;
    return typeof v.ts === "number" && Array.isArray(v.notices) ? v : undefined;
  } catch {
    return undefined;
  }
}
