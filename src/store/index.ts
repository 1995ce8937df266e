export * from "./codec.ts";
export { EXPECTED_TABLES, MIGRATION_NAMES } from "./migrations.ts";
export type * from "./records.ts";
export type * from "./schema.ts";
export { NodeSqliteDialect } from "./sqlite-dialect.ts";
export * from "./store.ts";
