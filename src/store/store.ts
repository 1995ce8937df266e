import { CompiledQuery, Kysely, sql } from "kysely";
import { Migrator } from "kysely/migration";
import pg from "pg";
import { StoreError, StoreMissingError } from "./errors.ts";
import { type JournalWriter, journalWriter } from "./journal/writer.ts";
import { allMigrationsApplied, EXPECTED_TABLES, MIGRATION_NAMES, migrationProvider } from "./migrations.ts";
import { StorePostgresDialect } from "./pg-dialect.ts";
import { AlertsRepo } from "./repos/alerts.ts";
import { ControlRequestsRepo } from "./repos/control-requests.ts";
import { EquityRepo } from "./repos/equity.ts";
import { FillsRepo } from "./repos/fills.ts";
import { FundingRepo } from "./repos/funding.ts";
import { GroupsRepo } from "./repos/groups.ts";
import { KvRepo } from "./repos/kv.ts";
import { OrderEventsRepo, OrdersRepo } from "./repos/orders.ts";
import { TimersRepo } from "./repos/timers.ts";
import type { Database, StoreDialect } from "./schema.ts";
import type { SqliteAccess } from "./sqlite-dialect.ts";
import { openSqlite, type SqliteParts, storeFileError } from "./sqlite-open.ts";

export { StoreError, StoreMissingError };

export interface OpenStoreOptions {
  /** base for a relative sqlite path (default: the working directory) */
  readonly cwd?: string;
  /** PostgreSQL only: use (and create if missing) this schema, via the connection's search_path */
  readonly pgSchema?: string;
  /**
   * PostgreSQL only: custom session settings (`-c name=value` at connect) every connection of the
   * pool carries, e.g. a worker's lease and fencing token, which database triggers read (src/cluster).
   * Names are dotted lower-case words; values letters, digits and `_.:-`.
   */
  readonly pgSettings?: Readonly<Record<string, string>>;
  /**
   * PostgreSQL only: the sessions' application_name, which other sessions see in
   * pg_stat_activity (a leased unit's names its lease and token, so a takeover can end a stale
   * holder's sessions: lease-store.ts fenceSessionName). Printable ASCII, at most 63 characters.
   */
  readonly pgApplicationName?: string;
  /** PostgreSQL only: pool size (default 10) */
  readonly pgPoolSize?: number;
  /**
   * PostgreSQL only: the server ends a session that stays idle inside a transaction this long
   * (idle_in_transaction_session_timeout), rolling it back and freeing its locks. A leased unit's
   * store sets it to the lease TTL: a paused process must not hold the lease row's lock (which a
   * takeover waits for) past its lease.
   */
  readonly pgIdleInTransactionTimeoutMs?: number;
  /**
   * PostgreSQL only: schemas the caller already found created and migrated in this process
   * (filled in here): one of them opens with no schema check at all. A pool's worker opens a
   * unit's store on every takeover, and those checks were three round trips of it.
   */
  readonly pgCheckedSchemas?: Set<string>;
  /**
   * PostgreSQL only: a pool connected ahead of time for this store (`openPgStandby`, with the
   * same pgSchema and idle-in-transaction timeout). The store takes it over instead of
   * connecting; pgSettings and pgApplicationName are then set on each of its connections before
   * the connection's first query, where a fresh pool would carry them from the connect.
   */
  readonly pgStandby?: PgStandby;
  /** called with errors of idle PostgreSQL connections (the pool drops them and reconnects) */
  readonly onPoolError?: (err: Error) => void;
  /**
   * SQLite only: the command only reads. A missing file is a StoreMissingError (nothing is
   * created), the file is opened read-only (also in a read-only directory), and the store is
   * migrated only when it needs it (then opened for writing). PostgreSQL opens as usual.
   */
  readonly readOnly?: boolean;
}

type Db = Kysely<Database>;

/**
 * The store as the rest of the program sees it: one repository per concern, domain records in
 * and out, and no database handle: every query lives in src/store, so both backends are tested
 * in one place and nothing above the store depends on its tables.
 */
export interface Store {
  readonly dialect: StoreDialect;
  /** the URL with any password masked, for messages */
  readonly displayUrl: string;
  /** hedge groups and their legs (engine_groups, engine_legs) */
  readonly groups: GroupsRepo;
  /** orders: as a venue sees them, and the engine's journaled view of those it sent */
  readonly orders: OrdersRepo;
  /** the append-only history of each engine order */
  readonly orderEvents: OrderEventsRepo;
  readonly fills: FillsRepo;
  readonly funding: FundingRepo;
  readonly equity: EquityRepo;
  readonly alerts: AlertsRepo;
  /** small named values: the engine's trading state, the runner's heartbeat */
  readonly kv: KvRepo;
  /** operator requests to the running process (perpbot close / flatten) */
  readonly controlRequests: ControlRequestsRepo;
  /** the scheduler's persistent timers */
  readonly timers: TimersRepo;
  /**
   * The engine journal's batch writer: on SQLite prepared statements on the store's own
   * connection (under the same lock as every other query), on PostgreSQL Kysely.
   */
  readonly journal: JournalWriter;
  /** SQLite: the absolute path of the file (":memory:" in memory); PostgreSQL: undefined */
  readonly file: string | undefined;
  /**
   * `err` as the user should read it: a SQLite file problem met after opening (damaged pages,
   * full disk, read-only file) becomes a DbFileError naming the file (exit 6); anything else
   * is returned unchanged.
   */
  explainError(err: unknown): unknown;
  close(): Promise<void>;
  /** Problems found (empty when healthy): SQLite integrity and foreign keys, tables, migrations. */
  integrityCheck(): Promise<string[]>;
}

/** What only src/store itself reaches: the Kysely handle and, on SQLite, the raw connection. */
interface StoreInternals {
  readonly db: Db;
  readonly sqlite: SqliteAccess | undefined;
}

const INTERNALS = new WeakMap<Store, StoreInternals>();

/**
 * The database handle behind a store, for src/store's own tests (transactions, pragmas, a dropped
 * table). Not exported by the store's index, and nothing outside src/store may use it.
 */
export function storeInternals(store: Store): StoreInternals {
  const i = INTERNALS.get(store);
  if (i === undefined) throw new StoreError("not a store opened by openStore");
  return i;
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
const SETTING_NAME_RE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const SETTING_VALUE_RE = /^[A-Za-z0-9_.:-]*$/;

/** The libpq `options` string: search_path and the custom settings, each checked. */
function connectOptions(
  schema: string | undefined,
  settings: Readonly<Record<string, string>>,
  idleInTransactionMs: number | undefined,
): string | undefined {
  const parts = schema ? [`-c search_path=${schema}`] : [];
  if (idleInTransactionMs !== undefined) {
    if (!(Number.isSafeInteger(idleInTransactionMs) && idleInTransactionMs > 0))
      throw new StoreError(
        `pgIdleInTransactionTimeoutMs ${idleInTransactionMs}: expected a whole number of ms above 0`,
      );
    parts.push(`-c idle_in_transaction_session_timeout=${idleInTransactionMs}`);
  }
  for (const [name, value] of checkedSettings(settings)) parts.push(`-c ${name}=${value}`);
  return parts.length === 0 ? undefined : parts.join(" ");
}

/** The custom settings as name/value pairs, each name and value checked. */
function checkedSettings(settings: Readonly<Record<string, string>>): [string, string][] {
  const pairs = Object.entries(settings);
  for (const [name, value] of pairs) {
    if (!SETTING_NAME_RE.test(name))
      throw new StoreError(`pgSettings name "${name}": expected "prefix.name" in lower case`);
    if (!SETTING_VALUE_RE.test(value))
      throw new StoreError(`pgSettings ${name} = "${value}": use letters, digits and "_.:-" only`);
  }
  return pairs;
}

function checkSchema(schema: string | undefined): void {
  if (schema !== undefined && !SCHEMA_NAME_RE.test(schema)) {
    throw new StoreError(`pgSchema "${schema}": use lower-case letters, digits and "_"`);
  }
}

function newPgPool(url: string, max: number, options: string | undefined, appName?: string): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max,
    ...(appName === undefined ? {} : { application_name: appName }),
    connectionTimeoutMillis: 5000,
    options,
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
}

/**
 * A connection's error listener (`onPoolError`) and the pool's: a connection the server ends
 * while it is checked out (idle_in_transaction_session_timeout, an administrator) emits "error"
 * where the pool no longer listens: without a listener of its own that is an uncaught exception;
 * its next query fails instead.
 */
function listenForErrors(pool: pg.Pool, onPoolError: (err: Error) => void): void {
  pool.on("error", onPoolError);
  pool.on("connect", (client) => client.on("error", onPoolError));
}

interface StandbyState {
  readonly pool: pg.Pool;
  readonly idleInTransactionMs: number | undefined;
  /** a store took the pool, or close() ended it */
  taken: boolean;
}

const STANDBY = new WeakMap<PgStandby, StandbyState>();
/** connections a standby opens ahead (at most its pool's size) */
const STANDBY_CONNECTIONS = 2;

/** What `openPgStandby` hands back: a pool waiting for its store (OpenStoreOptions.pgStandby). */
export interface PgStandby {
  readonly schema: string;
  /** resolves once its connections are up; a failed one is dropped (openStore connects) */
  readonly ready: Promise<void>;
  /** ends the pool if no store took it; a store that took it ends it with the store */
  close(): Promise<void>;
}

/**
 * Connects a pool for the store of `schema` before the store is opened (a pool's worker, while a
 * lease it is about to take over runs out: src/app/cluster/pool.ts). Its sessions carry the
 * search_path and the idle-in-transaction timeout from the connect; nothing else is known yet.
 */
export function openPgStandby(
  url: string,
  options: { pgSchema: string; pgPoolSize?: number; pgIdleInTransactionTimeoutMs?: number },
): PgStandby {
  checkSchema(options.pgSchema);
  const idleTx = options.pgIdleInTransactionTimeoutMs;
  const pool = newPgPool(url, options.pgPoolSize ?? 10, connectOptions(options.pgSchema, {}, idleTx));
  listenForErrors(pool, () => undefined);
  const state: StandbyState = { pool, idleInTransactionMs: idleTx, taken: false };
  // two connections, both held at once so the pool opens a second: the store's start-up sends
  // its first reads together (the journal's recovery, the timers, the trading state)
  const ahead = Math.min(options.pgPoolSize ?? 10, STANDBY_CONNECTIONS);
  const ready = Promise.all(
    Array.from({ length: ahead }, () =>
      pool.connect().then(
        (c) => c,
        () => undefined,
      ),
    ),
  ).then((clients) => {
    for (const c of clients) c?.release();
  });
  const standby: PgStandby = {
    schema: options.pgSchema,
    ready,
    close: async () => {
      if (state.taken) return;
      state.taken = true;
      await ready;
      await pool.end().catch(() => undefined);
    },
  };
  STANDBY.set(standby, state);
  return standby;
}

/** The standby's pool, once: its close() no longer ends it (the store's close does). */
function takeStandby(standby: PgStandby, options: OpenStoreOptions): pg.Pool {
  const s = STANDBY.get(standby);
  if (s === undefined) throw new StoreError("pgStandby: not a standby opened by openPgStandby");
  if (s.taken) throw new StoreError(`pgStandby for schema ${standby.schema}: already closed or taken`);
  if (standby.schema !== options.pgSchema || s.idleInTransactionMs !== options.pgIdleInTransactionTimeoutMs)
    throw new StoreError(
      `pgStandby for schema ${standby.schema}: the store opens ${options.pgSchema ?? "no schema"} (or another idle-in-transaction timeout)`,
    );
  // its own close() leaves the pool to the store from now on
  s.taken = true;
  return s.pool;
}

/** `set_config` for the settings a standby's connections get before their first query. */
function lateSettings(settings: Readonly<Record<string, string>>, appName: string | undefined) {
  const pairs = checkedSettings(settings);
  if (appName !== undefined) pairs.push(["application_name", appName]);
  if (pairs.length === 0) return undefined;
  const calls = pairs.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`);
  return CompiledQuery.raw(`select ${calls.join(", ")}`, pairs.flat());
}

async function openPostgres(url: string, options: OpenStoreOptions): Promise<Db> {
  const schema = options.pgSchema;
  checkSchema(schema);
  const appName = options.pgApplicationName;
  if (appName !== undefined && !/^[\x20-\x7e]{1,63}$/.test(appName))
    throw new StoreError(`pgApplicationName "${appName}": printable ASCII, 1 to 63 characters`);
  const standby = options.pgStandby;
  const late = standby === undefined ? undefined : lateSettings(options.pgSettings ?? {}, appName);
  const pool =
    standby !== undefined
      ? takeStandby(standby, options)
      : newPgPool(
          url,
          options.pgPoolSize ?? 10,
          connectOptions(schema, options.pgSettings ?? {}, options.pgIdleInTransactionTimeoutMs),
          appName,
        );
  const onPoolError = options.onPoolError ?? (() => undefined);
  // (a standby's first connection keeps the no-op listener it was connected with as well)
  listenForErrors(pool, onPoolError);
  try {
    // a standby's first connection may still be on its way: wait for it rather than open another
    await standby?.ready;
    const client = await pool.connect();
    try {
      if (schema && !options.pgCheckedSchemas?.has(schema))
        await client.query(`create schema if not exists "${schema}"`);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot connect to PostgreSQL at ${maskUrl(url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return new Kysely<Database>({
    dialect: new StorePostgresDialect({
      pool,
      // a standby's connections get their settings before their first query through Kysely (the
      // schema check above ran before them and writes nothing a fence guards)
      ...(late === undefined
        ? {}
        : { onCreateConnection: (c) => c.executeQuery(late).then(() => undefined) }),
    }),
  });
}

/**
 * The migrator, with its bookkeeping tables in the store's own schema when one is set: without
 * `migrationTableSchema` Kysely takes a kysely_migration table in any other schema of the
 * database for its own and then cannot find it through the search_path.
 */
function migrator(db: Db, dialect: StoreDialect, pgSchema: string | undefined): Migrator {
  return new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema: pgSchema });
}

/**
 * PostgreSQL: whether every migration this perpbot knows is recorded, in two small reads. Kysely's
 * migrateToLatest takes one advisory lock for the whole database (every schema, every process
 * opening a store there waits in line) and scans the catalogs several times, even when nothing is
 * pending; a pool's takeover opens a store each time, so an up-to-date schema skips all that.
 */
async function pgUpToDate(db: Db, pgSchema: string | undefined): Promise<boolean> {
  const table = pgSchema === undefined ? "kysely_migration" : `"${pgSchema}".kysely_migration`;
  const found = await sql<{ ok: boolean }>`select to_regclass(${table}) is not null as ok`.execute(db);
  if (found.rows[0]?.ok !== true) return false;
  const done = await sql<{ name: string }>`select name from ${sql.raw(table)}`.execute(db);
  return allMigrationsApplied(new Set(done.rows.map((r) => r.name)));
}

async function migrate(db: Db, dialect: StoreDialect, displayUrl: string, pgSchema?: string): Promise<void> {
  if (dialect === "postgres" && (await pgUpToDate(db, pgSchema))) return;
  const m = migrator(db, dialect, pgSchema);
  let { error, results } = await m.migrateToLatest();
  // Kysely's migrator lists the tables of every schema in the database; another process dropping
  // its own schema at that moment fails the catalog read with "schema … does not exist" (3F000).
  // Nothing of ours was touched by that read, and migrateToLatest resumes where it stopped: retry.
  for (
    let attempt = 1;
    error !== undefined && otherSchemaVanished(error, pgSchema) && attempt <= 5;
    attempt++
  ) {
    await new Promise((r) => setTimeout(r, 20 * attempt));
    ({ error, results } = await m.migrateToLatest());
  }
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

/** A catalog read that failed because a schema other than ours disappeared under it. */
function otherSchemaVanished(error: unknown, pgSchema: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (e.code !== "3F000" || typeof e.message !== "string") return false;
  const named = /schema "([^"]+)" does not exist/.exec(e.message)?.[1];
  return named !== undefined && named !== pgSchema;
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
  // on PostgreSQL only this store's schema counts: another store's tables in another schema of the
  // same database (another worker, another test) must not hide one missing here
  let schema: string | undefined;
  if (dialect === "postgres")
    schema = pgSchema ?? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s;
  // (and only it is read: introspecting every schema fails when another session drops one of
  // its own schemas meanwhile, "schema … does not exist")
  const tables = new Set(
    schema === undefined
      ? (await db.introspection.getTables()).map((t) => t.name)
      : (
          await sql<{
            name: string;
          }>`select tablename as name from pg_tables where schemaname = ${schema}`.execute(db)
        ).rows.map((r) => r.name),
  );
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
  let sqlite: SqliteParts | undefined;
  const displayUrl = maskUrl(url);
  const readOnly = options.readOnly === true;
  if (url.startsWith("sqlite:")) {
    dialect = "sqlite";
    sqlite = openSqlite(url, options.cwd ?? process.cwd(), readOnly);
    db = sqlite.db;
  } else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    dialect = "postgres";
    db = await openPostgres(url, options);
  } else {
    throw new StoreError(`store url "${displayUrl}": expected "sqlite:<file>" or "postgres://…"`);
  }
  const file = sqlite?.file;
  const explainError = (err: unknown) => (file === undefined ? err : storeFileError(err, file));
  try {
    if (readOnly && sqlite !== undefined) {
      // a store written by an older perpbot is migrated once, by a connection that may write
      const pending = (await migrator(db, dialect, undefined).getMigrations()).some(
        (m) => m.executedAt === undefined,
      );
      if (pending) {
        await db.destroy();
        return openStore(url, { ...options, readOnly: false });
      }
    } else if (dialect === "postgres") {
      const schema = options.pgSchema;
      const checked = options.pgCheckedSchemas;
      if (schema === undefined || checked === undefined || !checked.has(schema)) {
        await migrate(db, dialect, displayUrl, schema);
        if (schema !== undefined) checked?.add(schema);
      }
    } else await migrate(db, dialect, displayUrl);
  } catch (err) {
    await db.destroy();
    throw explainError(err);
  }
  const store: Store = {
    dialect,
    displayUrl,
    groups: new GroupsRepo(db),
    orders: new OrdersRepo(db),
    orderEvents: new OrderEventsRepo(db),
    fills: new FillsRepo(db),
    funding: new FundingRepo(db),
    equity: new EquityRepo(db),
    alerts: new AlertsRepo(db),
    kv: new KvRepo(db, sqlite?.sqlite),
    controlRequests: new ControlRequestsRepo(db),
    timers: new TimersRepo(db),
    journal: journalWriter(db, sqlite?.sqlite),
    file,
    explainError,
    close: async () => {
      await sqlite?.checkpointer?.stop();
      await db.destroy();
    },
    integrityCheck: () => integrityCheck(db, dialect, dialect === "postgres" ? options.pgSchema : undefined),
  };
  INTERNALS.set(store, { db, sqlite: sqlite?.sqlite });
  return store;
}
