import type { Store } from "../app/service/open.ts";
import type { LoadedConfig } from "../config/load.ts";

/** What every route reads through: the store (via app/service), the loaded config, wall time. */
export interface ApiContext {
  readonly store: Store;
  readonly config: LoadedConfig;
  readonly now: () => number;
  /** true when bound beyond loopback: reads need the token too */
  readonly remote: boolean;
}
