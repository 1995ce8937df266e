import { z } from "zod";
import type { WalletPointsReport } from "../../core/venue-points.ts";
import type { Store } from "../../store/store.ts";

/**
 * The live process's per-wallet venue points (src/core/venue-points.ts), kept in the store's kv so
 * `perpbot status`, which never connects to a venue, can show them: JSON `{ ts, points, sources }`
 * where `sources` names the venues that have a points endpoint (so a wallet there with no reading
 * yet is "not read yet", and any other venue "n/a"). Unlike notices they stay when the runner
 * stops (each value carries when it was read).
 */
export const VENUE_POINTS_KV_KEY = "venues.points";

export interface StoredVenuePoints {
  readonly points: readonly WalletPointsReport[];
  /** venue ids with a points endpoint */
  readonly sources: readonly string[];
}

export async function writeVenuePoints(
  store: Pick<Store, "kv">,
  points: readonly WalletPointsReport[],
  ts: number,
  sources: readonly string[] = [...new Set(points.map((p) => p.venue))],
): Promise<void> {
  await store.kv.put(VENUE_POINTS_KV_KEY, JSON.stringify({ ts, points, sources }), ts);
}

/** The stored points; none when absent or unreadable. */
export async function readVenuePoints(store: Pick<Store, "kv">): Promise<readonly WalletPointsReport[]> {
  return (await readStoredVenuePoints(store)).points;
}

/**
 * The stored points and the venues that publish them (a value written before `sources` existed:
 * the venues its points name). Nothing stored (a paper run, a live run on venues without points):
 * no points, no sources.
 */
export async function readStoredVenuePoints(store: Pick<Store, "kv">): Promise<StoredVenuePoints> {
  const raw = await store.kv.get(VENUE_POINTS_KV_KEY);
  if (raw === null) return { points: [], sources: [] };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { points: [], sources: [] };
  }
  const v = StoredSchema.safeParse(json);
  if (!v.success) return { points: [], sources: [] };
  const points = v.data.points;
  return { points, sources: v.data.sources ?? [...new Set(points.map((p) => p.venue))] };
}

const StoredSchema = z.object({
  points: z.array(
    z.object({
      venue: z.string(),
      account: z.string(),
      total: z.number(),
      lastWeek: z.number(),
      ts: z.number(),
    }),
  ),
  sources: z.array(z.string()).optional(),
});
