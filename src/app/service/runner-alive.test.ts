import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openStore } from "../../store/store.ts";
import { RUNNER_KV_KEY, runnerState } from "./control.ts";

/**
 * D15 of issue 10: a runner killed with -9 leaves a fresh heartbeat behind. On the host that
 * wrote it, `status` and `close` check that its pid is alive instead of trusting its age.
 */

const dir = mkdtempSync(join(tmpdir(), "perpbot-runner-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const BIN = fileURLToPath(new URL("../../cli/bin.ts", import.meta.url));

function exited(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

test("a fresh heartbeat of a process killed with -9 on this host is not a running runner", async () => {
  const store = await openStore(`sqlite:${join(dir, "a.db")}`);
  try {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    const now = Date.now();
    const beat = (host: string) =>
      store.kv.put(RUNNER_KV_KEY, JSON.stringify({ pid: child.pid, host, startedAt: now, ts: now }), now);
    await beat(hostname());
    assert.equal((await runnerState(store, now + 1000)).running, true, "alive: running");
    const gone = exited(child);
    child.kill("SIGKILL");
    await gone;
    const after = await runnerState(store, now + 1000);
    assert.equal(after.running, false, "killed: not running, though the heartbeat is 1 s old");
    assert.equal(after.pid, child.pid);
    // another host's pid means nothing here: its heartbeat's age decides, as before
    await beat("some-other-host");
    assert.equal((await runnerState(store, now + 1000)).running, true);
    assert.equal((await runnerState(store, now + 16_000)).running, false);
  } finally {
    await store.close();
  }
});

test("perpbot status right after perpbot run was killed with -9 says not running", async () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) env[k] = v;
  const run = spawn(process.execPath, [BIN, "run", "--status-every", "1"], { cwd: dir, env });
  let out = "";
  run.stdout.on("data", (d) => {
    out += d;
  });
  const gone = exited(run);
  try {
    for (let i = 0; i < 120 && !out.includes("paper mode"); i++) await new Promise((r) => setTimeout(r, 250));
    assert.match(out, /paper mode/);
    const before = spawnSync(process.execPath, [BIN, "status", "--json"], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    assert.equal(JSON.parse(before.stdout).runner.running, true, before.stderr);
  } finally {
    run.kill("SIGKILL");
    await gone;
  }
  const r = spawnSync(process.execPath, [BIN, "status", "--json"], { cwd: dir, env, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const runner = JSON.parse(r.stdout).runner;
  assert.equal(runner.running, false, JSON.stringify(runner));
  assert.ok(
    Date.now() - runner.lastSeen < 15_000,
    "the heartbeat is still fresh: only the pid check can tell",
  );
});
