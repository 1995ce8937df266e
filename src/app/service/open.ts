import type { LoadedConfig } from "../../config/load.ts";
import { storeSection } from "../../config/sections.ts";
import { openStore, type Store } from "../../store/store.ts";

/**
 * The business layer's way to the store: the CLI (and later the HTTP API and Telegram) opens the
 * store the config names through here and hands it to the service functions, never to a query.
 */

export type { Store };

export interface StoreUse {
  /**
   * The command only reads (status, alerts, trades): no store is created where there is none
   * (StoreMissingError, exit 7), and a read-only store or directory is read all the same.
   */
  readonly readOnly?: boolean;
}

/** Opens (creating and migrating if needed) the store the config's `[store]` section names. */
export function openConfiguredStore(config: LoadedConfig, use: StoreUse = {}): Promise<Store> {
  return openStore(storeSection.get(config.values).url, { readOnly: use.readOnly });
}

/**
 * Opens the configured store, runs `fn` on it and closes it, whatever `fn` does. A damaged page,
 * a full disk or a read-only file met on the way is reported as the file's problem (exit 6).
 */
export async function withStore<T>(
  config: LoadedConfig,
  fn: (store: Store) => Promise<T>,
  use: StoreUse = {},
): Promise<T> {
  const store = await openConfiguredStore(config, use);
  try {
    return await fn(store);
  } catch (err) {
    throw store.explainError(err);
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
