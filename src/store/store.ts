import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Kysely, PostgresDialect, sql } from "kysely";
import { Migrator } from "kysely/migration";
import pg from "pg";
import { PerpbotError } from "../core/errors.ts";
import { EXPECTED_TABLES, MIGRATION_NAMES, migrationProvider } from "./migrations.ts";
import * as repo from "./repositories.ts";
import type { Database, StoreDialect } from "./schema.ts";
import { NodeSqliteDialect } from "./sqlite-dialect.ts";

/** The store could not be opened or migrated; the message never contains a password. */
export class StoreError extends PerpbotError {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super("store_unavailable", message, options);
  }
}

export interface OpenStoreOptions {
  /** base for a relative sqlite path (default: the working directory) */
  readonly cwd?: string;
  /** PostgreSQL only: use (and create if missing) this schema, via the connection's search_path */
  readonly pgSchema?: string;
  /** PostgreSQL only: pool size (default 10) */
  readonly pgPoolSize?: number;
  /** called with errors of idle PostgreSQL connections (the pool drops them and reconnects) */
  readonly onPoolError?: (err: Error) => void;
}

type Db = Kysely<Database>;
type Drop<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;

export interface Store {
  readonly db: Db;
  readonly dialect: StoreDialect;
  /** the URL with any password masked, for messages */
  readonly displayUrl: string;
  close(): Promise<void>;
  /** Problems found (empty when healthy): SQLite integrity and foreign keys, tables, migrations. */
  integrityCheck(): Promise<string[]>;
  upsertOrder: Drop<typeof repo.upsertOrder>;
  getOrder: Drop<typeof repo.getOrder>;
  insertFill: Drop<typeof repo.insertFill>;
  listFills: Drop<typeof repo.listFills>;
  insertFundingPayment: Drop<typeof repo.insertFundingPayment>;
  listFundingPayments: Drop<typeof repo.listFundingPayments>;
  recordEquity: Drop<typeof repo.recordEquity>;
  listEquity: Drop<typeof repo.listEquity>;
  insertAlert: Drop<typeof repo.insertAlert>;
  listAlerts: Drop<typeof repo.listAlerts>;
  acknowledgeAlert: Drop<typeof repo.acknowledgeAlert>;
  putKv(key: string, value: string, ts?: number): Promise<void>;
  getKv: Drop<typeof repo.getKv>;
  deleteKv: Drop<typeof repo.deleteKv>;
}

/** A store URL for messages: the password replaced by ****. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === "") return url;
    u.password = "****";
    return u.toString();
  } catch {
    return url;
  }
}

const SCHEMA_NAME_RE = /^[a-z_][a-z0-9_]*$/;

function openSqlite(url: string, cwd: string): Db {
  const raw = url.slice("sqlite:".length);
  if (raw === "") throw new StoreError(`store url "${url}": no file after "sqlite:"`);
  const memory = raw === ":memory:";
  const file = memory ? raw : resolve(cwd, raw);
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (err) {
    throw new StoreError(`cannot open SQLite store ${file}: ${(err as Error).message}`, { cause: err });
  }
  // WAL: readers never block the writer. synchronous=NORMAL is durable across a process crash in
  // WAL mode (only an OS crash can lose the last commits). Waiting on a lock beats failing on it.
  db.exec(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
  );
  return new Kysely<Database>({ dialect: new NodeSqliteDialect({ database: db }) });
}

async function openPostgres(url: string, options: OpenStoreOptions): Promise<Db> {
  const schema = options.pgSchema;
  if (schema !== undefined && !SCHEMA_NAME_RE.test(schema)) {
    throw new StoreError(`pgSchema "${schema}": use lower-case letters, digits and "_"`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pgPoolSize ?? 10,
    connectionTimeoutMillis: 5000,
    options: schema ? `-c search_path=${schema}` : undefined,
    // BIGINT columns hold ms timestamps and ids: numbers, as SQLite returns them. NUMERIC stays
    // text (the default), and the store never uses it for money anyway.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") => {
        if (oid === pg.types.builtins.INT8) {
          return (v: string) => {
            const n = Number(v);
            if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${v} exceeds the safe integer range`);
            return n;
          };
        }
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  pool.on("error", options.onPoolError ?? (() => undefined));
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists "${schema}"`);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot connect to PostgreSQL at ${maskUrl(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * The migrator, with its bookkeeping tables in the store's own schema when one is set: without
 * `migrationTableSchema` Kysely takes a kysely_migration table in any other schema of the
 * database for its own and then cannot find it through the search_path.
 */
function migrator(db: Db, dialect: StoreDialect, pgSchema: string | undefined): Migrator {
  return new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema: pgSchema });
}

async function migrate(db: Db, dialect: StoreDialect, displayUrl: string, pgSchema?: string): Promise<void> {
  const m = migrator(db, dialect, pgSchema);
  const { error, results } = await m.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "?";
    throw new StoreError(
      `migrating ${displayUrl} failed at ${failed}: ${(error as Error).message ?? error}`,
      {
        cause: error,
      },
    );
  }
}

async function integrityCheck(db: Db, dialect: StoreDialect, pgSchema?: string): Promise<string[]> {
  const problems: string[] = [];
  if (dialect === "sqlite") {
    const integrity = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db);
    for (const r of integrity.rows)
      if (r.integrity_check !== "ok") problems.push(`integrity_check: ${r.integrity_check}`);
    const fk = await sql<{ table: string; rowid: number; parent: string }>`PRAGMA foreign_key_check`.execute(
      db,
    );
    for (const r of fk.rows)
      problems.push(`foreign key: ${r.table} row ${r.rowid} points at a missing ${r.parent} row`);
  } else {
    // PostgreSQL enforces its constraints itself; check that we reach it and that nothing was
    // left invalid (a constraint added NOT VALID, an index whose build failed).
    const invalidIdx = await sql<{ name: string }>`
      select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and not i.indisvalid`.execute(db);
    for (const r of invalidIdx.rows) problems.push(`index ${r.name} is invalid`);
    const invalidCon = await sql<{ name: string }>`
      select con.conname as name from pg_constraint con join pg_namespace n on n.oid = con.connamespace
      where n.nspname = current_schema() and not con.convalidated`.execute(db);
    for (const r of invalidCon.rows) problems.push(`constraint ${r.name} is not validated`);
  }
  const tables = new Set((await db.introspection.getTables()).map((t) => t.name));
  for (const t of EXPECTED_TABLES) if (!tables.has(t)) problems.push(`table ${t} is missing`);
  const applied = new Set(
    (await migrator(db, dialect, pgSchema).getMigrations())
      .filter((m) => m.executedAt !== undefined)
      .map((m) => m.name),
  );
  for (const name of MIGRATION_NAMES)
    if (!applied.has(name)) problems.push(`migration ${name} is not applied`);
  return problems;
}

/**
 * Opens the store at `url` ("sqlite:<file>", "sqlite::memory:" or "postgres://…") and applies
 * every pending migration before returning.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  let dialect: StoreDialect;
  let db: Db;
  const displayUrl = maskUrl(url);
  if (url.startsWith("sqlite:")) {
    dialect = "sqlite";
    db = openSqlite(url, options.cwd ?? process.cwd());
  } else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    dialect = "postgres";
    db = await openPostgres(url, options);
  } else {
    throw new StoreError(`store url "${displayUrl}": expected "sqlite:<file>" or "postgres://…"`);
  }
  try {
    await migrate(db, dialect, displayUrl, dialect === "postgres" ? options.pgSchema : undefined);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    db,
    dialect,
    displayUrl,
    close: () => db.destroy(),
    integrityCheck: () => integrityCheck(db, dialect, dialect === "postgres" ? options.pgSchema : undefined),
    upsertOrder: (o) => repo.upsertOrder(db, o),
    getOrder: (id) => repo.getOrder(db, id),
    insertFill: (f) => repo.insertFill(db, f),
    listFills: (f) => repo.listFills(db, f),
    insertFundingPayment: (p) => repo.insertFundingPayment(db, p),
    listFundingPayments: (f) => repo.listFundingPayments(db, f),
    recordEquity: (s) => repo.recordEquity(db, s),
    listEquity: (f) => repo.listEquity(db, f),
    insertAlert: (a) => repo.insertAlert(db, a),
    listAlerts: (f) => repo.listAlerts(db, f),
    acknowledgeAlert: (id, ts) => repo.acknowledgeAlert(db, id, ts),
    putKv: (key, value, ts = Date.now()) => repo.putKv(db, key, value, ts),
    getKv: (key) => repo.getKv(db, key),
    deleteKv: (key) => repo.deleteKv(db, key),
  };
}
