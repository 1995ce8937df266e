import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import pg from "pg";
import { acquireRunLock, type LockHolder, StoreLockedError } from "./run-lock.ts";

const PG_URL = process.env.PERPBOT_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-lock-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
}

test("sqlite: the lock file holds pid, host and start time; a second taker is refused with them; release frees it", async () => {
  const dir = tempDir();
  const url = `sqlite:${join(dir, "data", "perpbot.db")}`;
  const lock = await acquireRunLock(url);
  const file = join(dir, "data", "perpbot.db.lock");
  assert.equal(lock.where, file);
  const held = JSON.parse(readFileSync(file, "utf8")) as LockHolder;
  assert.equal(held.pid, process.pid);
  assert.equal(held.host, hostname());
  assert.ok(Math.abs(held.startedAt - Date.now()) < 5000);

  await assert.rejects(acquireRunLock(url), (e: unknown) => {
    assert.ok(e instanceof StoreLockedError);
    assert.equal(e.exitCode, 75);
    assert.equal(e.holder?.pid, process.pid);
    assert.match(
      e.message,
      new RegExp(`pid ${process.pid} on .*running since ${new Date(held.startedAt).toISOString()}`),
    );
    return true;
  });
  await lock.release();
  assert.equal(existsSync(file), false);
  const again = await acquireRunLock(url);
  await again.release();
});

test("sqlite: a lock left by a dead process on this host is taken over with a warning; one from another host is refused", async () => {
  const dir = tempDir();
  const url = `sqlite:${join(dir, "perpbot.db")}`;
  const file = join(dir, "perpbot.db.lock");
  const stale: LockHolder = { pid: deadPid(), host: hostname(), startedAt: Date.now() - 60_000 };
  writeFileSync(file, JSON.stringify(stale));
  const warnings: (LockHolder | undefined)[] = [];
  const lock = await acquireRunLock(url, { onTakeover: (h) => warnings.push(h) });
  assert.deepEqual(warnings, [stale]);
  assert.equal((JSON.parse(readFileSync(file, "utf8")) as LockHolder).pid, process.pid);
  await lock.release();

  // a live pid elsewhere cannot be checked from here
  writeFileSync(file, JSON.stringify({ ...stale, host: `not-${hostname()}` }));
  await assert.rejects(
    acquireRunLock(url, { onTakeover: () => assert.fail("no takeover") }),
    StoreLockedError,
  );
  // and a lock that is not ours is never removed by our release
  const foreign = readFileSync(file, "utf8");
  const other = await acquireRunLock(`sqlite:${join(dir, "other.db")}`);
  await other.release();
  assert.equal(readFileSync(file, "utf8"), foreign);
});

test("postgres: an advisory lock per database and schema; the second taker is refused with the holder's pid and start time", async () => {
  const schema = `perpbot_lock_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
  } catch (e) {
    assert.fail(`PostgreSQL at ${PG_URL} is needed for this test: ${(e as Error).message}`);
  }
  await client.query(`create schema if not exists "${schema}"`);
  cleanups.push(async () => {
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });
  const before = Date.now();
  const lock = await acquireRunLock(PG_URL, { pgSchema: schema });
  assert.match(lock.where, new RegExp(`database test schema ${schema}, advisory lock -?\\d+`));
  await assert.rejects(acquireRunLock(PG_URL, { pgSchema: schema }), (e: unknown) => {
    assert.ok(e instanceof StoreLockedError, String(e));
    assert.equal(e.exitCode, 75);
    assert.equal(e.holder?.pid, process.pid);
    assert.equal(e.holder?.host, hostname().slice(0, e.holder?.host.length));
    assert.ok((e.holder?.startedAt ?? 0) >= before - 5 && (e.holder?.startedAt ?? 0) <= Date.now());
    return true;
  });
  // another schema of the same database is another store
  const elsewhere = await acquireRunLock(PG_URL, { pgSchema: `${schema}_b` });
  await elsewhere.release();
  await lock.release();
  const again = await acquireRunLock(PG_URL, { pgSchema: schema });
  await again.release();
});

test("postgres: the lock goes with its session, so a killed runner never leaves it behind", async () => {
  const schema = `perpbot_lock_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  // a child process takes the lock and is killed -9 while holding it
  const code = `
    const { acquireRunLock } = await import(${JSON.stringify(new URL("./run-lock.ts", import.meta.url).href)});
    await acquireRunLock(${JSON.stringify(PG_URL)}, { pgSchema: ${JSON.stringify(schema)} });
    process.stdout.write("locked\\n");
    setInterval(() => {}, 1000);`;
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["--input-type=module", "-e", code]);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => String(d).includes("locked") && resolve());
    child.on("exit", () => reject(new Error("the child exited before locking")));
  });
  await assert.rejects(
    acquireRunLock(PG_URL, { pgSchema: schema }),
    (e: unknown) => e instanceof StoreLockedError && e.holder?.pid === child.pid,
  );
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  // the server notices the dead session at once (its socket closed)
  const until = Date.now() + 5000;
  for (;;) {
    try {
      const lock = await acquireRunLock(PG_URL, { pgSchema: schema });
      await lock.release();
      break;
    } catch (e) {
      if (!(e instanceof StoreLockedError) || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
