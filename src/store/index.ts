export * from "./codec.ts";
export type * from "./journal/rows.ts";
export type { JournalWriter } from "./journal/writer.ts";
export { EXPECTED_TABLES, MIGRATION_NAMES } from "./migrations.ts";
export type * from "./records.ts";
export type { AlertFilter } from "./repos/alerts.ts";
export type { GroupFillRecord } from "./repos/fills.ts";
export type * from "./schema.ts";
export { NodeSqliteDialect } from "./sqlite-dialect.ts";
// storeInternals stays out: the database handle is src/store's own
export {
  maskUrl,
  type OpenStoreOptions,
  openStore,
  type Store,
  StoreError,
  StoreMissingError,
} from "./store.ts";
