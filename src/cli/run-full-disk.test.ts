import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * D9 of issue 10 end to end: `perpbot run` with data/ on a real, small file system (a 4 MiB
 * tmpfs) that is filled up while it trades. The run must stop by itself with one line naming the
 * file and the full disk (exit 6), no stack; once there is room again a new run resumes. Mounting
 * needs root (CAP_SYS_ADMIN): elsewhere the test is skipped, saying so; the same failure is
 * covered in-process by src/venues/sim/full-disk.test.ts and src/engine/journal-full.test.ts.
 */

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), "perpbot-full-"));
const data = join(cwd, "data");
mkdirSync(data);
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", data]).status === 0;
after(() => {
  if (mounted) spawnSync("umount", [data]);
  rmSync(cwd, { recursive: true, force: true });
});

function env(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) out[k] = v;
  return out;
}

test("a disk that fills up during a run stops it with one line, exit 6; a run with room resumes", {
  skip: mounted ? false : "cannot mount a tmpfs here (needs root): no real full disk to test on",
}, async () => {
  const child = spawn(process.execPath, [BIN, "run", "--duration", "60", "--status-every", "1"], {
    cwd,
    env: env(),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // trading first: a status line with groups open (the first status line, printed at start, may
  // still say "0 groups open": that one does not count)
  const trading = /\b[1-9]\d* groups? open/;
  for (let i = 0; i < 120 && !trading.test(stdout); i++) await new Promise((r) => setTimeout(r, 250));
  assert.match(stdout, trading, `the run never opened a group:\n${stdout}\n${stderr}`);
  // fill the disk: what is left of the 4 MiB goes to a file, until write() fails
  const filler = join(data, "filler");
  try {
    writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
  } catch {
    // ENOSPC: the file holds what fitted, the disk is full
  }
  const code = await Promise.race([
    exited,
    new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 45_000)),
  ]);
  if (code === "timeout") child.kill("SIGKILL");
  assert.equal(code, 6, `exit ${code}\n${stdout}\n${stderr}`);
  const problems = stderr.split("\n").filter((l) => l.startsWith("perpbot:"));
  assert.equal(problems.length, 1, stderr);
  assert.match(problems[0], /(sim\.db|perpbot\.db): the disk is full/);
  assert.doesNotMatch(stderr, /unexpected error|cannot rollback|\n\s+at /, stderr);
  assert.match(stdout, /perpbot stopped: trading halted/);

  // room again: the next run starts and resumes the groups it had
  rmSync(filler);
  const again = spawnSync(process.execPath, [BIN, "run", "--duration", "3"], {
    cwd,
    env: env(),
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr + again.stdout, /[1-9]\d* groups? resumed/);
  assert.match(again.stdout, /perpbot stopped; state saved/);
});
