import type { Clock } from "../../core/clock.ts";
import type { Fill } from "../../core/types.ts";
import type { Venue } from "../../core/venue.ts";
import type { AlertBus } from "../alerts.ts";
import type { RateLimiter } from "../risk/rate-limiter.ts";
import type { EngineOrder } from "./order-records.ts";
import type { OrderEvent } from "./order-state.ts";

/** how far before an order's creation its fill history is read (clock skew with the venue) */
const FILL_HISTORY_SLACK_MS = 60_000;

export interface BackfillHost {
  readonly venues: ReadonlyMap<string, Venue>;
  readonly limits: RateLimiter;
  readonly alerts: AlertBus;
  readonly clock: Clock;
  /** the gateway's apply: the event through the state machine and into the journal */
  apply(o: EngineOrder, event: OrderEvent): void;
}

/**
 * Reads the venue's fill history for orders a status report says filled more than the fill
 * events we got (lost events), once per (venue, account), and applies the fills it finds; each
 * fill id applies once, so a fill that arrives twice is counted once. Orders whose fills the
 * venue still does not show are alerted. Returns the number of fills found.
 */
export async function backfillFills(
  missingFills: ReadonlySet<EngineOrder>,
  host: BackfillHost,
): Promise<number> {
  if (missingFills.size === 0) return 0;
  const byAccount = new Map<string, EngineOrder[]>();
  for (const o of missingFills) {
    const key = `${o.venue}\u0000${o.tracked.request.account}`;
    const list = byAccount.get(key);
    if (list === undefined) byAccount.set(key, [o]);
    else list.push(o);
  }
  let found = 0;
  for (const list of byAccount.values()) {
    const first = list[0];
    const venue = host.venues.get(first.venue);
    if (venue === undefined) continue;
    const account = first.tracked.request.account;
    let since = Number.POSITIVE_INFINITY;
    for (const o of list) since = Math.min(since, o.createdAt - FILL_HISTORY_SLACK_MS);
    let fills: readonly Fill[];
    try {
      const wait = host.limits.acquire(first.venue, account, "fills");
      if (wait !== undefined) await wait;
      fills = await venue.fills(account, Math.max(0, since));
    } catch (err) {
      host.alerts.raise({
        severity: "warning",
        key: `engine.fill_history_failed:${first.venue}:${account}`,
        title: "fill history could not be read",
        message: `${first.venue} ${account}: ${(err as Error).message}; retried next pass`,
        context: { venue: first.venue },
        ts: host.clock.now(),
      });
      continue;
    }
    const wanted = new Map(list.map((o) => [o.tracked.clientOrderId, o]));
    for (const f of fills) {
      const o = wanted.get(f.clientOrderId);
      if (o === undefined) continue;
      const before = o.tracked.filledLots;
      host.apply(o, { kind: "fill", ts: host.clock.now(), fill: f });
      if (o.tracked.filledLots > before) found++;
    }
    for (const o of list) {
      if (o.tracked.missingFillLots === 0) continue;
      host.alerts.raise({
        severity: "warning",
        key: `engine.fills_missing:${o.tracked.clientOrderId}`,
        title: "fills missing from the venue's history",
        message: `${o.venue} ${o.tracked.clientOrderId}: the venue reports ${o.tracked.missingFillLots} lots filled that neither its events nor its fill history show; retried next pass`,
        context: { venue: o.venue, group: o.groupId ?? undefined },
        ts: host.clock.now(),
      });
    }
  }
  return found;
}
