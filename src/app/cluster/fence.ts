import { performance } from "node:perf_hooks";
import type { Venue } from "../../core/venue.ts";
import { checkSchemaName, fenceSessionName, type LeaseStore } from "../../store/cluster/lease-store.ts";
import { type OpenStoreOptions, openStore, type Store } from "../../store/store.ts";
import type { HeldLease, LeaseManager } from "./lease-manager.ts";

/**
 * The fencing seam (issue 19): a leased unit's store is a PostgreSQL schema of its own whose
 * every table runs the cluster's fence trigger, opened on connections that carry the lease key
 * and token as session settings. The engine writes as always; the database refuses every write
 * once the token is stale. Order sends go through `fenceVenue`, which checks the lease's local
 * deadline right before anything leaves for the venue.
 */

/** The data schema of unit `key` under `base` (e.g. perpbot + farm_a → perpbot_u_farm_a). */
export function dataSchemaFor(base: string, key: string): string {
  const s = `${base}_u_${key}`;
  checkSchemaName(`data schema of lease "${key}"`, s);
  return s;
}

/** Lease keys: what a schema name can carry. */
export const LEASE_KEY_RE = /^[a-z0-9_]{1,40}$/;

/**
 * Opens the unit's store with the lease's token on every connection and installs the fence.
 * Give `pgIdleInTransactionTimeoutMs` the lease TTL: the server then ends a session left idle
 * inside a transaction (a paused worker's) by then, so a takeover does not wait on its lock.
 */
export async function openFencedStore(
  url: string,
  leases: LeaseStore,
  lease: HeldLease,
  dataSchema: string,
  options: Omit<OpenStoreOptions, "pgSchema" | "pgSettings" | "pgApplicationName"> = {},
  /** told how long the store's open (connect, schema check) and the fence's install took, ms */
  timed?: (phases: { openMs: number; fenceMs: number }) => void,
): Promise<Store> {
  const t0 = performance.now();
  const store = await openStore(url, {
    ...options,
    pgSchema: dataSchema,
    pgSettings: { "perpbot.fence_key": lease.key, "perpbot.fence_token": String(lease.token) },
    // named for the lease: a takeover ends these sessions once the lease ran out (LeaseStore.acquire)
    pgApplicationName: fenceSessionName(leases.schema, lease.key, lease.token),
  });
  const t1 = performance.now();
  try {
    await leases.installFence(dataSchema);
    timed?.({ openMs: t1 - t0, fenceMs: performance.now() - t1 });
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}

/** The venue calls that change something at the venue: each first checks the lease. */
const SENDS = new Set(["submit", "cancel", "amend", "setLeverage", "bindAccount"]);

/**
 * `venue` as the unit's engine sees it: every read passes through; every send first checks that
 * `lease` is still held and inside its local deadline (LeaseLostError otherwise, which the engine
 * records as a refused send; the lease is marked lost and its unit stopped).
 */
export function fenceVenue(venue: Venue, manager: LeaseManager, lease: HeldLease): Venue {
  // each method wrapped once: the engine reads the venue's methods on every book read and
  // order, and a fresh bound function each time was 2 % of a chaos worker's CPU
  const wrapped = new Map<PropertyKey, { of: unknown; fn: unknown }>();
  return new Proxy(venue, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      const hit = wrapped.get(prop);
      if (hit !== undefined && hit.of === v) return hit.fn;
      const fn =
        typeof prop === "string" && SENDS.has(prop)
          ? (...args: unknown[]) => {
              try {
                manager.assertHeld(lease);
              } catch (e) {
                return Promise.reject(e);
              }
              return v.apply(target, args);
            }
          : v.bind(target);
      wrapped.set(prop, { of: v, fn });
      return fn;
    },
  });
}
