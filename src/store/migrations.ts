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
        c.notNull().check(sql`severity in ('info', 'warning', 'critical', 'emergency')`),
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

/**
 * The engine's journal (src/engine/journal.ts): hedge groups and their legs, the engine's columns
 * on `orders` (which intent, leg and attempt an order is, and its request on the grid), the
 * append-only `order_events` every order is rebuilt from at restart, and the persistent timers.
 */
const engineJournal: MigrationDef = (dialect) => ({
  async up(db: AnyDb): Promise<void> {
    const id = idColumn(dialect);
    await db.schema
      .createTable("engine_groups")
      .addColumn("group_id", "text", (c) => c.primaryKey())
      .addColumn("strategy", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("entry", "text", (c) => c.notNull())
      .addColumn("fill_timeout_ms", "bigint", (c) => c.notNull())
      .addColumn("hedged", "integer", (c) => c.notNull())
      .addColumn("meta", "text")
      .addColumn("close_reason", "text")
      .addColumn("failure_reason", "text")
      .addColumn("detail", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addColumn("closed_at", "bigint")
      .execute();
    // the index of open intents: restart recovery reads every group not yet closed or failed
    await db.schema.createIndex("engine_groups_by_status").on("engine_groups").column("status").execute();

    await db.schema
      .createTable("engine_legs")
      .addColumn("group_id", "text", (c) => c.notNull().references("engine_groups.group_id"))
      .addColumn("leg_index", "integer", (c) => c.notNull())
      .addColumn("venue", "text", (c) => c.notNull())
      .addColumn("account", "text", (c) => c.notNull())
      .addColumn("symbol", "text", (c) => c.notNull())
      .addColumn("side", "text", (c) => c.notNull().check(sql`side in ('buy', 'sell')`))
      .addColumn("target_lots", "integer", (c) => c.notNull())
      // lots that left the venue without an order of ours (liquidation, a manual close), signed
      .addColumn("external_lots", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("external_reason", "text")
      .addPrimaryKeyConstraint("engine_legs_pk", ["group_id", "leg_index"])
      .execute();
    await db.schema
      .createIndex("engine_legs_by_account")
      .on("engine_legs")
      .columns(["venue", "account", "symbol"])
      .execute();

    await db.schema.alterTable("orders").addColumn("intent_id", "text").execute();
    await db.schema.alterTable("orders").addColumn("leg_index", "integer").execute();
    await db.schema.alterTable("orders").addColumn("purpose", "text").execute();
    await db.schema.alterTable("orders").addColumn("attempt", "integer").execute();
    await db.schema.alterTable("orders").addColumn("price_ticks", "bigint").execute();
    await db.schema.alterTable("orders").addColumn("size_lots", "bigint").execute();
    await db.schema.alterTable("orders").addColumn("filled_lots", "bigint").execute();
    await db.schema.createIndex("orders_by_status").on("orders").column("status").execute();

    await db.schema
      .createTable("order_events")
      .addColumn("id", id.type, id.build)
      .addColumn("client_order_id", "text", (c) => c.notNull().references("orders.client_order_id"))
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("ts", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("order_events_by_order")
      .on("order_events")
      .columns(["client_order_id", "id"])
      .execute();

    await db.schema
      .createTable("engine_timers")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("due_at", "bigint", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .execute();
  },
});

/** Engine alerts have a headline of their own besides the message (src/alerts). */
const alertTitle: MigrationDef = () => ({
  async up(db: AnyDb): Promise<void> {
    await db.schema.alterTable("alerts").addColumn("title", "text").execute();
  },
});

/**
 * Requests from the CLI (`perpbot close`, `perpbot flatten`) to the running `perpbot run`, which
 * owns the venues: the CLI inserts a pending row, the runner claims it (running), acts, and marks
 * it done or failed with a JSON result (src/app/control.ts).
 */
const controlRequests: MigrationDef = (dialect) => ({
  async up(db: AnyDb): Promise<void> {
    const id = idColumn(dialect);
    await db.schema
      .createTable("control_requests")
      .addColumn("id", id.type, id.build)
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("args", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) =>
        c.notNull().check(sql`status in ('pending', 'running', 'done', 'failed')`),
      )
      .addColumn("result", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("control_requests_by_status")
      .on("control_requests")
      .columns(["status", "id"])
      .execute();
  },
});

/**
 * Single-order intents (src/engine/orders/single-orders.ts): every engine order records the
 * strategy that placed it (a single order has no group to say so), and a single order the group
 * it serves, as a label only (`group_id` would make it one of the group's leg orders).
 */
const singleOrders: MigrationDef = () => ({
  async up(db: AnyDb): Promise<void> {
    await db.schema.alterTable("orders").addColumn("strategy", "text").execute();
    await db.schema.alterTable("orders").addColumn("group_ref", "text").execute();
  },
});

/** Append only. The key order is the order they run in. */
const MIGRATIONS: readonly (readonly [string, MigrationDef])[] = [
  ["0001_foundation", foundation],
  ["0002_engine_journal", engineJournal],
  ["0003_alert_title", alertTitle],
  ["0004_control_requests", controlRequests],
  ["0005_single_orders", singleOrders],
];

/** Names of every migration, in order (for checks that a store is up to date). */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

/**
 * Whether a store that recorded the migrations `applied` is up to date: every one this perpbot
 * knows and none other (a store with unknown ones goes through the migrator, which says so).
 */
export function allMigrationsApplied(applied: ReadonlySet<string>): boolean {
  return applied.size === MIGRATION_NAMES.length && MIGRATION_NAMES.every((n) => applied.has(n));
}

/** The tables the migrations create (integrityCheck verifies they exist). */
export const EXPECTED_TABLES = [
  "orders",
  "fills",
  "funding_payments",
  "equity_snapshots",
  "alerts",
  "kv",
  "engine_groups",
  "engine_legs",
  "order_events",
  "engine_timers",
  "control_requests",
] as const;

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(MIGRATIONS.map(([name, def]) => [name, def(dialect)]));
    },
  };
}
