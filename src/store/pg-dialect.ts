import {
  type DialectAdapter,
  type Kysely,
  type MigrationLockOptions,
  PostgresAdapter,
  PostgresDialect,
  sql,
} from "kysely";

/**
 * Kysely's PostgreSQL adapter takes ONE session advisory lock (a fixed id) for every migration in
 * the database (kysely dist/dialect/postgres/postgres-adapter.js, `LOCK_ID`): every store being
 * migrated anywhere on the server, whatever its schema and process, waits in one line. A pool's
 * 50 units migrating their schemas queued for up to 28 s behind each other and behind other
 * programs' migrations (takeover p99, docs/deploy.md). A migration only touches its own schema,
 * so the lock is taken per schema instead: two openers of one schema still exclude each other.
 */
export function migrationLockKey(schema: string | undefined): string {
  return `perpbot.migrate.${schema ?? "public"}`;
}

class SchemaLockAdapter extends PostgresAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>, opt: MigrationLockOptions): Promise<void> {
    await sql`select pg_advisory_lock(hashtext(${migrationLockKey(opt.lockTableSchema)}))`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>, opt: MigrationLockOptions): Promise<void> {
    await sql`select pg_advisory_unlock(hashtext(${migrationLockKey(opt.lockTableSchema)}))`.execute(db);
  }
}

/** The PostgreSQL dialect of the store: Kysely's, with a migration lock per schema. */
export class StorePostgresDialect extends PostgresDialect {
  override createAdapter(): DialectAdapter {
    return new SchemaLockAdapter();
  }
}
