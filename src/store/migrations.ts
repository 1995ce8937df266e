import { type ColumnDefinitionBuilder, type Kysely, sql } from "kysely";
import type { Migration, MigrationProvider } from "kysely/migration";
import type { StoreDialect } from "./schema.ts";

/**
 * The one list of schema migrations, for both backends. Append new entries at the end with the
 * next number; never edit or reorder an entry that has been released, because stores in the
 * field have already applied it. Each migration gets the dialect, for the few column types that
 * differ (auto-increment ids).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not today's types
type AnyDb = Kysely<any>;
type MigrationDef = (dialect: StoreDialect) => Migration;

/** An auto-increment primary key: SQLite's rowid alias, PostgreSQL's identity column. */
function idColumn(dialect: StoreDialect): {
  type: "integer" | "bigint";
  build: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  return dialect === "sqlite"
    ? { type: "integer", build: (c) => c.primaryKey().autoIncrement() }
    : { type: "bigint", build: (c) => c.primaryKey().generatedByDefaultAsIdentity() };
}

const foundation: MigrationDef = (dialect) => ({
  async up(db: AnyDb): Promise<void> {
    const id = idColumn(dialect);
    await db.schema
      .createTable("orders")
      .addColumn("client_order_id", "text", (c) => c.primaryKey())
      .addColumn("venue", "text", (c) => c.notNull())
      .addColumn("account", "text", (c) => c.notNull())
      .addColumn("symbol", "text", (c) => c.notNull())
      .addColumn("side", "text", (c) => c.notNull().check(sql`side in ('buy', 'sell')`))
      .addColumn("order_type", "text", (c) => c.notNull())
      .addColumn("tif", "text", (c) => c.notNull())
      .addColumn("price", "text")
      .addColumn("size", "text", (c) => c.notNull())
      .addColumn("filled_size", "text", (c) => c.notNull().defaultTo("0"))
      .addColumn("reduce_only", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("venue_order_id", "text")
      .addColumn("group_id", "text")
      .addColumn("reason", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("orders_by_account_status")
      .on("orders")
      .columns(["venue", "account", "status"])
      .execute();
    await db.schema.createIndex("orders_by_group").on("orders").column("group_id").execute();

    await db.schema
      .createTable("fills")
      .addColumn("id", id.type, id.build)
      .addColumn("venue", "text", (c) => c.notNull())
      .addColumn("account", "text", (c) => c.notNull())
      .addColumn("symbol", "text", (c) => c.notNull())
      .addColumn("fill_id", "text", (c) => c.notNull())
      // null for fills no order of ours caused (a liquidation, a manual trade found by reconciliation)
      .addColumn("client_order_id", "text", (c) => c.references("orders.client_order_id"))
      .addColumn("venue_order_id", "text")
      .addColumn("side", "text", (c) => c.notNull().check(sql`side in ('buy', 'sell')`))
      .addColumn("price", "text", (c) => c.notNull())
      .addColumn("size", "text", (c) => c.notNull())
      .addColumn("fee", "text", (c) => c.notNull())
      .addColumn("realised_pnl", "text", (c) => c.notNull())
      .addColumn("liquidity", "text", (c) => c.notNull())
      .addColumn("ts", "bigint", (c) => c.notNull())
      // a venue can repeat a fill (reconnect, replay): the same fill is stored once
      .addUniqueConstraint("fills_unique_venue_fill", ["venue", "account", "fill_id"])
      .execute();
    await db.schema
      .createIndex("fills_by_account_ts")
      .on("fills")
      .columns(["venue", "account", "ts"])
      .execute();
    await db.schema.createIndex("fills_by_order").on("fills").column("client_order_id").execute();

    await db.schema
      .createTable("funding_payments")
      .addColumn("id", id.type, id.build)
      .addColumn("venue", "text", (c) => c.notNull())
      .addColumn("account", "text", (c) => c.notNull())
      .addColumn("symbol", "text", (c) => c.notNull())
      .addColumn("amount", "text", (c) => c.notNull())
      .addColumn("rate_per_hour", "text", (c) => c.notNull())
      .addColumn("position_size", "text")
      .addColumn("ts", "bigint", (c) => c.notNull())
      .addUniqueConstraint("funding_unique_settlement", ["venue", "account", "symbol", "ts"])
      .execute();

    await db.schema
      .createTable("equity_snapshots")
      .addColumn("id", id.type, id.build)
      .addColumn("venue", "text", (c) => c.notNull())
      .addColumn("account", "text", (c) => c.notNull())
      .addColumn("equity", "text", (c) => c.notNull())
      .addColumn("cash", "text", (c) => c.notNull())
      .addColumn("maintenance_margin", "text", (c) => c.notNull())
      .addColumn("ts", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("equity_by_account_ts")
      .on("equity_snapshots")
      .columns(["venue", "account", "ts"])
      .execute();

    await db.schema
      .createTable("alerts")
      .addColumn("id", id.type, id.build)
      .addColumn("severity", "text", (c) =>
        c.notNull().check(sql`severity in ('info', 'warning', 'critical')`),
      )
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("message", "text", (c) => c.notNull())
      .addColumn("context", "text")
      .addColumn("ts", "bigint", (c) => c.notNull())
      .addColumn("acknowledged_at", "bigint")
      .execute();
    await db.schema.createIndex("alerts_by_ts").on("alerts").column("ts").execute();

    await db.schema
      .createTable("kv")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
  },
});

/** Append only. The key order is the order they run in. */
const MIGRATIONS: readonly (readonly [string, MigrationDef])[] = [["0001_foundation", foundation]];

/** Names of every migration, in order (for checks that a store is up to date). */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

/** The tables the migrations create (integrityCheck verifies they exist). */
export const EXPECTED_TABLES = [
  "orders",
  "fills",
  "funding_payments",
  "equity_snapshots",
  "alerts",
  "kv",
] as const;

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(MIGRATIONS.map(([name, def]) => [name, def(dialect)]));
    },
  };
}
