import type { AlertRecord } from "../../store/records.ts";
import type { AlertFilter } from "../../store/repos/alerts.ts";
import type { Store } from "../../store/store.ts";

/** Stored alerts: every alert the engine raised, whatever the notification destinations did with it. */

export type { AlertFilter, AlertRecord };

/** Alerts oldest first; with `limit` and `latest`, the most recent `limit` of them. */
export function listAlerts(store: Pick<Store, "alerts">, filter: AlertFilter = {}): Promise<AlertRecord[]> {
  return store.alerts.list(filter);
}

/** Marks an alert seen; false when there is no such alert or it already was. */
export function acknowledgeAlert(store: Pick<Store, "alerts">, id: number, now: number): Promise<boolean> {
  return store.alerts.acknowledge(id, now);
}
