import type { Store } from "../../store/store.ts";
import { readLiveSnapshot } from "./live.ts";
import { orderRoundTrips, type VenueRoundTrips } from "./round-trips.ts";

/** The figures /metrics exports, read from the store (and the runner's live snapshot). */

export interface MetricsFigures {
  /** engine orders per venue and status (filled, rejected, unknown, ...) */
  readonly orders: readonly { venue: string; status: string; n: number }[];
  readonly fills: readonly { venue: string; n: number }[];
  /** per venue, each answered send's time to the venue's ack or reject, in ms (round-trips.ts) */
  readonly roundTrips: readonly VenueRoundTrips[];
  readonly openGroups: number;
  /** alerts per severity, and how many are not acknowledged */
  readonly alerts: readonly { severity: string; n: number; unacknowledged: number }[];
  /** from the live snapshot; null when no runner ever wrote one */
  readonly equityUsd: number | null;
  /** notional per venue at the mark, from the live snapshot */
  readonly exposureUsd: readonly { venue: string; usd: number }[];
  /** per venue, the oldest book of its instruments, in seconds (live snapshot) */
  readonly streamStalenessSeconds: readonly { venue: string; seconds: number }[];
  /** per venue and scope, the share of the rate-limit budget in use (live snapshot) */
  readonly rateBudgetUsed: readonly { venue: string; scope: string; used: number }[];
  /** age of the live snapshot in seconds (null: none) */
  readonly liveAgeSeconds: number | null;
}

export async function metricsFigures(
  store: Pick<Store, "orders" | "orderEvents" | "fills" | "groups" | "alerts" | "kv">,
  now: number,
): Promise<MetricsFigures> {
  const alerts = new Map<string, { n: number; unacknowledged: number }>();
  for (const a of await store.alerts.list({ limit: 100_000 })) {
    const s = alerts.get(a.severity) ?? { n: 0, unacknowledged: 0 };
    s.n++;
    if (a.acknowledgedAt === null) s.unacknowledged++;
    alerts.set(a.severity, s);
  }
  const live = await readLiveSnapshot(store, now);
  const exposure = new Map<string, number>();
  for (const p of live?.positions ?? []) exposure.set(p.venue, (exposure.get(p.venue) ?? 0) + p.notionalUsd);
  const stale = new Map<string, number>();
  for (const m of live?.markets ?? [])
    if (m.bookAgeMs !== null) stale.set(m.venue, Math.max(stale.get(m.venue) ?? 0, m.bookAgeMs / 1000));
  return {
    rateBudgetUsed: live?.rateLimits ?? [],
    streamStalenessSeconds: [...stale].map(([venue, seconds]) => ({ venue, seconds })),
    orders: await store.orders.countEngineByVenueStatus(),
    fills: await store.fills.countByVenue(),
    roundTrips: await orderRoundTrips(store),
    openGroups: (await store.groups.list({ activeOnly: true })).length,
    alerts: [...alerts].map(([severity, s]) => ({ severity, ...s })),
    equityUsd: live?.equityUsd ?? null,
    exposureUsd: [...exposure].map(([venue, usd]) => ({ venue, usd: Math.round(usd * 100) / 100 })),
    liveAgeSeconds: live === undefined ? null : Math.max(0, (now - live.ts) / 1000),
  };
}
