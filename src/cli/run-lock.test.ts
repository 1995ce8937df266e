import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startCli } from "../testing/cli-run.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// D3 (issue 10): one runner per store
test("a second perpbot run on the same store refuses with the first one's pid and start time (exit 75); after a kill -9 the next run takes the stale lock over", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-run-lock-"));
  dirs.push(cwd);
  const first = startCli(cwd, ["run", "--status-every", "1"], (out) => out.includes("paper mode"));
  await first.ready;
  const lock = JSON.parse(readFileSync(join(cwd, "data", "perpbot.db.lock"), "utf8")) as {
    pid: number;
    startedAt: number;
  };
  assert.equal(lock.pid, first.child.pid);

  const second = startCli(cwd, ["run", "--status-every", "1"], () => false);
  const refused = await second.exited;
  assert.equal(refused.code, 75, second.err());
  assert.match(
    second.err(),
    new RegExp(
      `another perpbot run holds the store .*pid ${lock.pid} on .*running since ${new Date(lock.startedAt).toISOString()}`,
    ),
  );
  assert.doesNotMatch(second.out(), /paper mode/);
  // the first one is untouched and still prints
  const printed = first.out().length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(first.out().length > printed, "the first runner goes on");

  first.child.kill("SIGKILL");
  await first.exited;
  const third = startCli(cwd, ["run", "--status-every", "1"], (out) => out.includes("paper mode"));
  await third.ready;
  assert.match(
    third.out(),
    new RegExp(`warning: pid ${lock.pid} .*left the runner lock .* no longer running: taking it over`),
  );
  third.child.kill("SIGINT");
  assert.equal((await third.exited).code, 0, third.err());
  assert.equal(existsSync(join(cwd, "data", "perpbot.db.lock")), false, "a clean stop releases the lock");
});
