import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Kysely } from "kysely";
import { dbFileError, dirWritable } from "../core/db-file-error.ts";
import { PerpbotError } from "../core/errors.ts";
import { StoreError, StoreMissingError } from "./errors.ts";
import type { Database } from "./schema.ts";
import { NodeSqliteDialect, type SqliteAccess } from "./sqlite-dialect.ts";

/**
 * Opening the SQLite store: the file, its directory, the pragmas, and a clear DbFileError (exit
 * code 6) when the file is damaged, not a database, read-only or locked. Read-only opening for
 * the commands that only read (status, alerts, trades): they never create the file or its
 * directory, and they read a store in a read-only directory.
 */

/**
 * WAL checkpoints off the event loop. SQLite checkpoints by itself when a commit finds the WAL
 * past `wal_autocheckpoint` pages (default 1000): that commit then copies the WAL into the
 * database and fsyncs both, 5-20 ms on the thread that commits, every few dozen journal commits
 * (it was the engine's p99). Instead a worker thread with its own connection runs a PASSIVE
 * checkpoint every CHECKPOINT_MS (it never takes the write lock: the engine's commits go on
 * meanwhile). When the writes pause, the WAL is then fully copied and the next commit starts it
 * from the beginning again. Under writes that never pause a PASSIVE checkpoint cannot catch up
 * completely, so the main connection's own automatic checkpoint stays on as a backstop past
 * CHECKPOINT_BACKSTOP_PAGES (256 MiB of WAL at 4 KiB pages): one commit then copies what the
 * worker has not yet copied and resets the WAL. The backstop is also what remains if the worker
 * dies (then at the default 1000 pages again). The worker starts with the first write through
 * `Store.journal`, so short-lived commands never start a thread. Checkpoints are
 * crash-safe in SQLite: a SIGKILL at any point loses nothing committed.
 */
const CHECKPOINT_MS = 100;
const CHECKPOINT_BACKSTOP_PAGES = 65_536;
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(workerData.file);
db.exec("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 0;");
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const timer = setInterval(() => {
  try {
    passive.get();
  } catch {
    // busy or locked: the next turn retries
  }
}, workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

class Checkpointer {
  readonly #file: string;
  readonly #db: DatabaseSync;
  #worker: Worker | undefined;
  #exited: Promise<void> | undefined;
  #stopped = false;

  constructor(file: string, db: DatabaseSync) {
    this.#file = file;
    this.#db = db;
  }

  start(): void {
    if (this.#worker !== undefined || this.#stopped) return;
    const worker = new Worker(CHECKPOINT_WORKER, {
      eval: true,
      workerData: { file: this.#file, intervalMs: CHECKPOINT_MS },
    });
    this.#worker = worker;
    worker.unref();
    this.#exited = new Promise((resolve) => worker.once("exit", () => resolve()));
    // a worker that dies hands checkpoints back to SQLite's own (nothing is lost either way)
    worker.once("error", () => this.#fallback());
    worker.once("exit", () => this.#fallback());
    this.#db.exec(`PRAGMA wal_autocheckpoint = ${CHECKPOINT_BACKSTOP_PAGES}`);
  }

  #fallback(): void {
    if (this.#stopped || !this.#db.isOpen) return;
    this.#db.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }

  /** Stops the worker (before the main connection closes, so that close checkpoints the rest). */
  async stop(): Promise<void> {
    this.#stopped = true;
    const worker = this.#worker;
    if (worker === undefined) return;
    // referenced again while it winds down, or an otherwise idle process would not wait for it
    worker.ref();
    worker.postMessage("stop");
    await this.#exited;
  }
}

export interface SqliteParts {
  readonly db: Kysely<Database>;
  readonly sqlite: SqliteAccess;
  readonly checkpointer: Checkpointer | undefined;
  /** the absolute path of the file (":memory:" in memory) */
  readonly file: string;
}

/** What `file` asks for as the store's file. */
export function sqliteFileOf(url: string, cwd: string): string {
  const raw = url.slice("sqlite:".length);
  return raw === ":memory:" ? raw : resolve(cwd, raw);
}

/** The store's file problem as a DbFileError (exit 6), or `err` itself when it is not one. */
export function storeFileError(err: unknown, file: string): unknown {
  return dbFileError(err, file, "store") ?? err;
}

/**
 * A read-only connection. In WAL mode even a reader needs the -shm file beside the database;
 * in a directory it cannot write, where nothing can be writing either, the file is read as
 * SQLite's `immutable` (no locks, no -shm), as it stands.
 */
function openReadOnly(file: string): DatabaseSync {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    db.prepare("PRAGMA schema_version").get();
    return db;
  } catch (err) {
    db.close();
    if (dirWritable(dirname(file))) throw err;
    const url = pathToFileURL(file);
    url.searchParams.set("immutable", "1");
    const immutable = new DatabaseSync(url, { readOnly: true });
    immutable.prepare("PRAGMA schema_version").get();
    return immutable;
  }
}

export function openSqlite(url: string, cwd: string, readOnly: boolean): SqliteParts {
  const raw = url.slice("sqlite:".length);
  if (raw === "") throw new StoreError(`store url "${url}": no file after "sqlite:"`);
  const file = sqliteFileOf(url, cwd);
  const memory = file === ":memory:";
  // a command that only reads must not leave a data/ directory or an empty store behind
  if (readOnly && !memory && !existsSync(file)) throw new StoreMissingError(file);
  let db: DatabaseSync | undefined;
  try {
    if (readOnly && !memory) db = openReadOnly(file);
    else {
      if (!memory) mkdirSync(dirname(file), { recursive: true });
      db = new DatabaseSync(file);
      // WAL: readers never block the writer. synchronous=NORMAL is durable across a process crash in
      // WAL mode (only an OS crash can lose the last commits). Waiting on a lock beats failing on it.
      db.exec(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
      );
    }
  } catch (err) {
    if (db?.isOpen) db.close();
    const e = storeFileError(err, file);
    if (e instanceof PerpbotError) throw e;
    throw new StoreError(`cannot open SQLite store ${file}: ${(err as Error).message}`, { cause: err });
  }
  const dialect = new NodeSqliteDialect({ database: db });
  const checkpointer = memory || readOnly ? undefined : new Checkpointer(file, db);
  const access = dialect.access;
  const sqlite: SqliteAccess = {
    transaction: (fn) => {
      checkpointer?.start();
      return access.transaction(fn);
    },
    read: (fn) => access.read(fn),
  };
  return { db: new Kysely<Database>({ dialect }), sqlite, checkpointer, file };
}
