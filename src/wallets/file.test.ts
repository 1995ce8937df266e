import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { KeystoreBusyError } from "./errors.ts";
import { withKeystoreLock, writeFileAtomic } from "./file.ts";

const dir = mkdtempSync(join(tmpdir(), "perpbot-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("atomic write replaces the content, mode 0600, no temporary left", () => {
  const f = join(dir, "a.json");
  writeFileAtomic(f, "one");
  writeFileAtomic(f, "two");
  assert.equal(readFileSync(f, "utf8"), "two");
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes("a.json")),
    ["a.json"],
  );
});

test("a live lock holder refuses others (exit 5); a dead holder's lock and temporaries are taken over", async () => {
  const f = join(dir, "k.json");
  await withKeystoreLock(f, async () => {
    await assert.rejects(
      withKeystoreLock(f, async () => 1),
      (e: Error) => {
        assert.ok(e instanceof KeystoreBusyError);
        assert.match(e.message, new RegExp(`being changed by process ${process.pid}`));
        return true;
      },
    );
  });
  assert.ok(!existsSync(`${f}.lock`));
  // a pid that has exited: a finished child's
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  writeFileSync(`${f}.lock`, dead.stdout);
  writeFileSync(join(dir, ".k.json.tmp-1-deadbeef"), "half a keystore");
  assert.equal(await withKeystoreLock(f, async () => 42), 42);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes("k.json")),
    [],
  );
});
