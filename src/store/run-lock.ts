import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import pg from "pg";
import { PerpbotError } from "../core/errors.ts";
import { maskUrl } from "./store.ts";

/**
 * One runner per store (issue 10, D3): two `perpbot run`s on one store would each resume the
 * other's groups, and live that is two engines on the same wallets. The runner takes this lock
 * before it opens anything else and holds it until it has stopped.
 *
 * - SQLite: a lock file next to the database (`perpbot.db.lock`) holding the holder's pid, host
 *   and start time, created with O_EXCL so only one process can make it. A lock left by a
 *   process that died (its pid no longer alive on this host, after a `kill -9` or a crash) is
 *   taken over with a warning. A lock from another host cannot be checked: it is refused.
 * - PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a key derived from the
 *   database and schema, held by a connection of its own; the server drops it with the session,
 *   so it can never go stale. The connection's application_name carries pid, host and start
 *   time, which is how a second runner tells who holds it. (The multi-worker issue replaces
 *   this with leases.)
 */

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** epoch ms the holder started */
  readonly startedAt: number;
}

/** Exit code of a run refused because another runner holds the store (sysexits EX_TEMPFAIL). */
export const STORE_LOCKED_EXIT_CODE = 75;

export class StoreLockedError extends PerpbotError {
  readonly exitCode: number = STORE_LOCKED_EXIT_CODE;
  readonly holder: LockHolder | undefined;
  constructor(where: string, holder: LockHolder | undefined) {
    const who =
      holder === undefined
        ? "a runner that could not be identified"
        : `pid ${holder.pid} on ${holder.host}, running since ${new Date(holder.startedAt).toISOString()}`;
    super(
      "store_locked",
      `another perpbot run holds the store (${where}): ${who}. One runner per store: stop that one first${holder ? ` (Ctrl-C in its terminal, or kill ${holder.pid})` : ""}.`,
    );
    this.holder = holder;
  }
}

export interface RunLock {
  /** the lock file, or the PostgreSQL database and key */
  readonly where: string;
  release(): Promise<void>;
}

export interface RunLockOptions {
  /** base of a relative sqlite path (default: the working directory) */
  readonly cwd?: string;
  /** PostgreSQL: the schema the store uses (part of the key) */
  readonly pgSchema?: string;
  /** a stale lock file was taken over */
  readonly onTakeover?: (stale: LockHolder | undefined, where: string) => void;
  /** the PostgreSQL lock connection failed after the lock was taken */
  readonly onLost?: (err: Error) => void;
}

/** Takes the store's runner lock or throws StoreLockedError naming the holder. */
export async function acquireRunLock(url: string, options: RunLockOptions = {}): Promise<RunLock> {
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: Date.now() };
  if (url.startsWith("sqlite:")) {
    const raw = url.slice("sqlite:".length);
    if (raw === ":memory:" || raw === "") return { where: "memory", release: async () => {} };
    return fileLock(`${resolve(options.cwd ?? process.cwd(), raw)}.lock`, me, options);
  }
  return advisoryLock(url, me, options);
}

// ---- SQLite: the lock file ----

/** An unreadable lock file younger than this may be one being written right now. */
const TORN_LOCK_GRACE_MS = 10_000;

function fileLock(path: string, me: LockHolder, options: RunLockOptions): RunLock {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      return { where: path, release: async () => releaseFile(path, me) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 2) throw err;
    }
    const holder = readHolder(path);
    const stale =
      holder === undefined
        ? ageMs(path) > TORN_LOCK_GRACE_MS
        : holder.host === me.host && !pidAlive(holder.pid);
    if (!stale) throw new StoreLockedError(path, holder);
    options.onTakeover?.(holder, path);
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof v.pid === "number" && typeof v.host === "string" && typeof v.startedAt === "number")
      return { pid: v.pid, host: v.host, startedAt: v.startedAt };
  } catch {
    // gone, torn or not ours: undefined
  }
  return undefined;
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Whether a process with this pid exists on this host (EPERM: it does, under another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseFile(path: string, me: LockHolder): void {
  const h = readHolder(path);
  // never remove a lock that is not ours (taken over after we were presumed dead)
  if (h === undefined || h.pid !== me.pid || h.startedAt !== me.startedAt || h.host !== me.host) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

// ---- PostgreSQL: the advisory lock ----

const APP_PREFIX = "perpbot run ";

/** A signed 64-bit key from the database and schema names (the same store, the same key). */
export function advisoryKey(database: string, schema: string): bigint {
  return createHash("sha256")
    .update(`perpbot.run\u0000${database}\u0000${schema}`)
    .digest()
    .readBigInt64BE(0);
}

function applicationName(me: LockHolder): string {
  // PostgreSQL keeps 63 bytes of it: the host is what gets cut
  const tail = ` ${me.startedAt}`;
  const head = `${APP_PREFIX}${me.pid}@`;
  return `${head}${me.host.slice(0, Math.max(1, 63 - head.length - tail.length))}${tail}`;
}

function parseApplicationName(name: string): LockHolder | undefined {
  const m = /^perpbot run (\d+)@(.*) (\d+)$/.exec(name);
  return m ? { pid: Number(m[1]), host: m[2], startedAt: Number(m[3]) } : undefined;
}

async function advisoryLock(url: string, me: LockHolder, options: RunLockOptions): Promise<RunLock> {
  const schema = options.pgSchema;
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName(me),
    connectionTimeoutMillis: 5000,
    options: schema ? `-c search_path=${schema}` : undefined,
  });
  client.on("error", (err) => options.onLost?.(err));
  try {
    await client.connect();
  } catch (err) {
    throw new PerpbotError(
      "store_unavailable",
      `cannot connect to PostgreSQL at ${maskUrl(url)} for the runner lock: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    const names = await client.query<{ db: string; schema: string | null }>(
      "select current_database() as db, current_schema() as schema",
    );
    const db = names.rows[0].db;
    const key = advisoryKey(db, schema ?? names.rows[0].schema ?? "public");
    const where = `PostgreSQL database ${db}${schema ? ` schema ${schema}` : ""}, advisory lock ${key}`;
    const got = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1::bigint) as ok", [
      key.toString(),
    ]);
    if (got.rows[0].ok) {
      return {
        where,
        async release() {
          await client.query("select pg_advisory_unlock($1::bigint)", [key.toString()]).catch(() => {});
          await client.end().catch(() => {});
        },
      };
    }
    // a bigint advisory lock shows in pg_locks as classid (high 32 bits) and objid (low), objsubid 1
    const u = BigInt.asUintN(64, key);
    const holders = await client.query<{ application_name: string; backend_start: Date; pid: number }>(
      `select a.application_name, a.backend_start, a.pid from pg_locks l
         join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.classid = $1::bigint::oid and l.objid = $2::bigint::oid and l.database = (
            select oid from pg_database where datname = current_database())`,
      [(u >> 32n).toString(), (u & 0xffffffffn).toString()],
    );
    const row = holders.rows[0];
    const holder =
      row === undefined
        ? undefined
        : (parseApplicationName(row.application_name) ?? {
            pid: row.pid,
            host: "the database server (backend pid)",
            startedAt: new Date(row.backend_start).getTime(),
          });
    await client.end().catch(() => {});
    throw new StoreLockedError(where, holder);
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}
