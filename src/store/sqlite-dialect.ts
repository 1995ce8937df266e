import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from "node:sqlite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";

/**
 * A Kysely dialect over Node's built-in `node:sqlite` (DatabaseSync), so the default store needs
 * no native add-on. One database handle is the only connection; a mutex hands it to one user at
 * a time, which is what keeps a transaction's statements from interleaving with another caller's
 * (DatabaseSync itself is synchronous, but Kysely awaits between the statements of a transaction).
 */
export interface NodeSqliteDialectConfig {
  /** an open database, or a function opening it when Kysely first needs it */
  readonly database: DatabaseSync | (() => DatabaseSync);
}

/** A FIFO lock: `acquire()` resolves once every earlier holder has called `release()`. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;

  async acquire(): Promise<void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((r) => {
      release = r;
    });
    await previous;
    this.#release = release;
  }

  release(): void {
    const r = this.#release;
    if (!r) throw new Error("sqlite connection released twice");
    this.#release = null;
    r();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** prepared statements kept per connection: preparing costs more than running a small statement */
const STATEMENT_CACHE_SIZE = 256;

class NodeSqliteConnection implements DatabaseConnection, SqliteStatements {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #returnsRows = new WeakMap<StatementSync, boolean>();
  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  run(sql: string, params: readonly SQLInputValue[]): number {
    return Number(this.prepare(sql).run(...params).changes);
  }

  get(sql: string, params: readonly SQLInputValue[]): Record<string, SQLOutputValue> | undefined {
    return this.prepare(sql).get(...params);
  }

  /**
   * Whether a statement returns columns, asked of SQLite once per statement (columns() builds
   * a description of every column each time): what kind of statement it is never changes.
   */
  returnsRows(stmt: StatementSync): boolean {
    let r = this.#returnsRows.get(stmt);
    if (r === undefined) {
      r = stmt.columns().length > 0;
      this.#returnsRows.set(stmt, r);
    }
    return r;
  }

  prepare(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      // a DDL statement changes the schema other cached statements were compiled against;
      // SQLite re-prepares those itself, so only the cache size needs bounding
      if (this.#statements.size >= STATEMENT_CACHE_SIZE)
        this.#statements.delete(this.#statements.keys().next().value!);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.prepare(compiled.sql);
    const params = compiled.parameters as SQLInputValue[];
    // a statement that returns columns (SELECT, or anything with RETURNING) is read with all()
    if (this.returnsRows(stmt)) {
      // node:sqlite rows have a null prototype; plain objects behave like pg's rows everywhere
      return { rows: stmt.all(...params).map((row) => ({ ...row }) as R) };
    }
    const { changes, lastInsertRowid } = stmt.run(...params);
    return {
      rows: [],
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // not cached: an iterating statement must not be shared with a concurrent executeQuery
    const stmt = this.#db.prepare(compiled.sql);
    for (const row of stmt.iterate(...(compiled.parameters as SQLInputValue[]))) {
      yield { rows: [{ ...row } as R] };
    }
  }
}

/**
 * Direct, synchronous use of the connection for a hot path: cached prepared statements, no query
 * building. Only valid inside the callback it was handed to.
 */
export interface SqliteStatements {
  /** runs a statement that returns no rows; the number of rows it changed */
  run(sql: string, params: readonly SQLInputValue[]): number;
  /** the first row of a query, or undefined */
  get(sql: string, params: readonly SQLInputValue[]): Record<string, SQLOutputValue> | undefined;
}

/** The connection, handed out under the same lock Kysely's queries and transactions take. */
export interface SqliteAccess {
  /**
   * Runs `fn` synchronously inside BEGIN IMMEDIATE … COMMIT (ROLLBACK if it throws), holding the
   * connection: nothing else runs on it until the commit. Resolves after the commit.
   */
  transaction<T>(fn: (s: SqliteStatements) => T): Promise<T>;
  /** Runs `fn` synchronously holding the connection, outside any transaction. */
  read<T>(fn: (s: SqliteStatements) => T): Promise<T>;
}

/** The one connection and its lock, shared by the Kysely driver and the direct access. */
class NodeSqliteCore implements SqliteAccess {
  readonly #config: NodeSqliteDialectConfig;
  readonly mutex = new Mutex();
  #db: DatabaseSync | null = null;
  #connection: NodeSqliteConnection | null = null;
  #destroyed = false;

  constructor(config: NodeSqliteDialectConfig) {
    this.#config = config;
  }

  /** idempotent: Kysely initialises its driver lazily, the direct access may come first */
  init(): void {
    if (this.#connection || this.#destroyed) return;
    const db = typeof this.#config.database === "function" ? this.#config.database() : this.#config.database;
    this.#db = db;
    this.#connection = new NodeSqliteConnection(db);
  }

  connection(): NodeSqliteConnection | null {
    return this.#connection;
  }

  async transaction<T>(fn: (s: SqliteStatements) => T): Promise<T> {
    const c = await this.#hold();
    try {
      c.prepare("begin immediate").run();
      let out: T;
      try {
        out = fn(c);
        c.prepare("commit").run();
      } catch (err) {
        // a failed COMMIT may already have ended the transaction itself
        if (c.inTransaction) c.prepare("rollback").run();
        throw err;
      }
      return out;
    } finally {
      this.mutex.release();
    }
  }

  async read<T>(fn: (s: SqliteStatements) => T): Promise<T> {
    const c = await this.#hold();
    try {
      return fn(c);
    } finally {
      this.mutex.release();
    }
  }

  async #hold(): Promise<NodeSqliteConnection> {
    this.init();
    await this.mutex.acquire();
    if (!this.#connection) {
      this.mutex.release();
      throw new Error("sqlite connection is already closed");
    }
    return this.#connection;
  }

  async destroy(): Promise<void> {
    // wait for the current holder, so close() never cuts a transaction in half
    await this.mutex.acquire();
    this.#destroyed = true;
    this.#connection = null;
    this.#db?.close();
    this.#db = null;
    this.mutex.release();
  }
}

class NodeSqliteDriver implements Driver {
  readonly #core: NodeSqliteCore;

  constructor(core: NodeSqliteCore) {
    this.#core = core;
  }

  async init(): Promise<void> {
    this.#core.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#core.mutex.acquire();
    const c = this.#core.connection();
    if (!c) {
      this.#core.mutex.release();
      throw new Error("sqlite driver is not initialised or already destroyed");
    }
    return c;
  }

  async releaseConnection(): Promise<void> {
    this.#core.mutex.release();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  async destroy(): Promise<void> {
    await this.#core.destroy();
  }
}

export class NodeSqliteDialect implements Dialect {
  readonly #core: NodeSqliteCore;
  constructor(config: NodeSqliteDialectConfig) {
    this.#core = new NodeSqliteCore(config);
  }
  /** the connection for direct, prepared-statement use, under the driver's lock */
  get access(): SqliteAccess {
    return this.#core;
  }
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#core);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface takes Kysely<any>
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
