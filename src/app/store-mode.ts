/**
 * Sandbox and live both trade venue ids of real venues (`hyperliquid`), so their groups look
 * alike in the store: a live run resuming a sandbox's groups would take simulated positions for
 * real ones (and the other way round). The store remembers which of the two last ran on it, and
 * the other one refuses it, before any venue connects.
 */

import { ConfigError } from "../config/errors.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Store } from "../store/store.ts";

const KEY = "run.real_venue_mode";

export async function claimStoreFor(
  mode: "sandbox" | "live",
  store: Store,
  config: LoadedConfig,
  now: number,
): Promise<void> {
  const before = await store.kv.get(KEY);
  if (before !== null && before !== mode) {
    const o = config.originOf("store.url");
    throw new ConfigError([
      {
        path: "store.url",
        message: `${store.displayUrl} holds the groups of a ${before} run, and a ${mode} run would take them for its own: give the ${mode} run a store of its own (e.g. store.url = "sqlite:./data/${mode}.db")`,
        origin: o.kind === "env" ? `env ${o.name}` : o.kind === "file" ? o.file : "default",
      },
    ]);
  }
  if (before !== mode) await store.kv.put(KEY, mode, now);
}
