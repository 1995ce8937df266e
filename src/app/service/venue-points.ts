import type { WalletPointsReport } from "../../core/venue-points.ts";
import type { Store } from "../../store/store.ts";

/**
 * The live process's per-wallet venue points (src/core/venue-points.ts), kept in the store's kv so
 * `perpbot status`, which never connects to a venue, can show them: JSON `{ ts, points }`. Unlike
 * notices they stay when the runner stops (each value carries when it was read).
 */
export const VENUE_POINTS_KV_KEY = "venues.points";

export async function writeVenuePoints(
  store: Pick<Store, "kv">,
  points: readonly WalletPointsReport[],
  ts: number,
): Promise<void> {
  await store.kv.put(VENUE_POINTS_KV_KEY, JSON.stringify({ ts, points }), ts);
}

/** The stored points; none when absent or unreadable. */
export async function readVenuePoints(store: Pick<Store, "kv">): Promise<readonly WalletPointsReport[]> {
  const raw = await store.kv.get(VENUE_POINTS_KV_KEY);
  if (raw === null) return [];
  try {
    const v = JSON.parse(raw) as { points?: unknown };
    return Array.isArray(v.points) ? (v.points as WalletPointsReport[]) : [];
  } catch {
    return [];
  }
}
