import type { LoadedConfig } from "../../config/load.ts";
import { storeSection } from "../../config/sections.ts";
import { openStore, type Store } from "../../store/store.ts";

/**
 * The business layer's way to the store: the CLI (and later the HTTP API and Telegram) opens the
 * store the config names through here and hands it to the service functions, never to a query.
 */

export type { Store };

/** Opens (creating and migrating if needed) the store the config's `[store]` section names. */
export function openConfiguredStore(config: LoadedConfig): Promise<Store> {
  return openStore(storeSection.get(config.values).url);
}

/** Opens the configured store, runs `fn` on it and closes it, whatever `fn` does. */
export async function withStore<T>(config: LoadedConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface StoreCheck {
  /** the store URL, password masked */
  readonly displayUrl: string;
  readonly dialect: Store["dialect"];
  /** empty when healthy */
  readonly problems: readonly string[];
}

/** `perpbot db check`: the store opened (and so migrated), then its integrity check. */
export function checkStore(config: LoadedConfig): Promise<StoreCheck> {
  return withStore(config, async (store) => ({
    displayUrl: store.displayUrl,
    dialect: store.dialect,
    problems: await store.integrityCheck(),
  }));
}
