import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
import { PerpbotError } from "./errors.ts";

/**
 * What can be wrong with a database file perpbot keeps (the store's perpbot.db, the simulated
 * venues' sim.db), told apart so that the user reads which file, what is wrong and what to do,
 * instead of a stack and "a bug; please report it". Shared by src/store and src/venues/sim.
 */
export type DbFileProblem =
  | "damaged"
  | "not_a_database"
  | "read_only"
  | "locked"
  | "full"
  | "io"
  | "cannot_open";

/** The exit code of every DbFileError (docs/configuration.md, "Exit codes"). */
export const DB_FILE_EXIT_CODE = 6;

/** A database file is damaged, not a database, read-only, locked or on a full disk: exit code 6. */
export class DbFileError extends PerpbotError {
  readonly exitCode: number = DB_FILE_EXIT_CODE;
  readonly file: string;
  readonly problem: DbFileProblem;
  constructor(problem: DbFileProblem, file: string, message: string, options?: { cause?: unknown }) {
    super(`db_${problem}`, message, options);
    this.problem = problem;
    this.file = file;
  }
}

// SQLite's primary result codes (https://www.sqlite.org/rescode.html); node:sqlite puts the
// extended code in `errcode`, whose low byte is the primary one
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

interface CodedError {
  readonly errcode?: unknown;
  readonly errstr?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The SQLite or file-system error inside `err` (it may be wrapped in causes), if any. */
function rootCause(err: unknown): CodedError | undefined {
  for (let e = err, depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const c = e as CodedError;
    if (typeof c.errcode === "number" || (typeof c.code === "string" && c.code.startsWith("E"))) return c;
    e = c.cause;
  }
  return undefined;
}

/** Whether this process may create files in `dir` (false on a read-only mount or directory). */
export function dirWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The DbFileError `err` amounts to for `file`, or undefined when it is not a file problem (a
 * bug, a constraint, a syntax error: those keep their stack). `what` names the file's role
 * ("store", "sim venue simA's state") and `afresh` what moving a damaged file aside costs.
 */
export function dbFileError(
  err: unknown,
  file: string,
  what: string,
  afresh = "a new, empty one is created at the next run",
): DbFileError | undefined {
  if (err instanceof DbFileError) return err;
  const c = rootCause(err);
  if (c === undefined) return undefined;
  const detail = String(c.errstr ?? c.message ?? c.code);
  const primary = typeof c.errcode === "number" ? c.errcode & 0xff : undefined;
  const fsCode = typeof c.code === "string" ? c.code : "";
  const readOnly = `make it writable (the file and ${dirname(file)}), or set data_dir (or store.url) to a writable place; status, alerts and trades still read it`;
  const make = (problem: DbFileProblem, text: string) =>
    new DbFileError(problem, file, `${what} ${file}: ${text}`, { cause: err });
  if (primary === SQLITE_CORRUPT)
    return make(
      "damaged",
      `the file is damaged (${detail}): it was truncated or partly overwritten. Move it aside (mv ${file} ${file}.damaged) and ${afresh}, or put a backup in its place; perpbot does not repair it`,
    );
  if (primary === SQLITE_NOTADB)
    return make(
      "not_a_database",
      `the file is not a SQLite database (${detail}): something else was written over it. Move it aside (mv ${file} ${file}.damaged) and ${afresh}, or put a backup in its place`,
    );
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED)
    return make(
      "locked",
      `the database is locked by another process (${detail}): wait for it, or stop the other program using this data directory, and try again`,
    );
  if (primary === SQLITE_FULL || fsCode === "ENOSPC")
    return make(
      "full",
      `the disk is full (${detail}): nothing after the last completed write was saved. Free some space and run again`,
    );
  const cannotWrite = primary === SQLITE_READONLY || ["EACCES", "EPERM", "EROFS"].includes(fsCode);
  if (cannotWrite || (primary === SQLITE_CANTOPEN && !dirWritable(dirname(file))))
    return make("read_only", `cannot write it (${detail}): ${readOnly}`);
  if (primary === SQLITE_IOERR || fsCode === "EIO")
    return make("io", `a disk I/O error (${detail}): check the disk and the file system, then try again`);
  if (primary === SQLITE_CANTOPEN || ["ENOTDIR", "EISDIR", "ENOENT"].includes(fsCode))
    return make("cannot_open", `cannot open it (${detail}): check that the path names a file in a directory`);
  return undefined;
}
