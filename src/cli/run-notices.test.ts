import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openCounts, runCli, startCli } from "../testing/cli-run.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-notices-"));
  dirs.push(d);
  return d;
}

// D7 (issue 10): warnings reach the console and the JSON log, with their reason
test("a run whose opens the risk gate refuses shows the refusal and its reason on the console and in the log file", async () => {
  const cwd = tempDir();
  // every order is far above a $10 cap
  const run = startCli(cwd, ["run", "--status-every", "1"], (_out, err) => /risk_refused/.test(err), {
    env: { PERPBOT__ENGINE__MAX_NOTIONAL_USD: "10" },
  });
  await run.ready;
  run.child.kill("SIGINT");
  assert.equal((await run.exited).code, 0, run.err());
  const warn = run
    .err()
    .split("\n")
    .find((l) => l.includes("risk_refused"));
  assert.match(warn ?? "", /WARN +\[alerts\] Group not opened: .*risk_refused: .*\S/);
  // nothing was sent, so no wallet rests: the next check tries again
  assert.match(run.err(), /refused before any order was sent \(risk_refused\): its wallets stay free/);
  assert.doesNotMatch(run.err(), /rests [\d.]+ min after/);
  const lines = readFileSync(join(cwd, "data", "logs", "perpbot.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { level: number; msg: string; key?: string; severity?: string });
  const logged = lines.find((l) => l.msg.includes("risk_refused") && l.key?.startsWith("farm."));
  assert.ok(logged, "the log file has the refusal");
  assert.equal(logged.level, 40);
  assert.equal(logged.severity, "warning");
  assert.match(logged.key ?? "", /^farm\.open_failed:/);
});

// D13 (issue 10): an emptied store with positions still on the venues starts loudly
test("a deleted store with positions still on the venues: the run warns at start and stores the alert", async () => {
  const cwd = tempDir();
  const first = startCli(cwd, ["run", "--status-every", "1"], (out) => openCounts(out).some((n) => n > 0));
  await first.ready;
  first.child.kill("SIGINT");
  assert.equal((await first.exited).code, 0, first.err());
  for (const f of ["perpbot.db", "perpbot.db-wal", "perpbot.db-shm"])
    rmSync(join(cwd, "data", f), { force: true });

  const second = startCli(cwd, ["run", "--status-every", "1"], (out) => out.includes("paper mode"));
  await second.ready;
  second.child.kill("SIGINT");
  assert.equal((await second.exited).code, 0, second.err());
  assert.match(
    second.out(),
    /WARNING: the store .* holds no groups, but the venues hold \d+ position\(s\) no group owns .*was the store deleted or replaced\?/,
  );
  assert.match(second.err(), /ERROR +\[alerts\] empty store, positions on the venues: /);
  const listed = runCli(cwd, ["alerts", "--json"]);
  const stored = JSON.parse(listed.stdout) as { key: string; severity: string }[];
  assert.ok(
    stored.some((a) => a.key === "engine.empty_store_positions" && a.severity === "critical"),
    listed.stdout,
  );
});

// D16 (issue 10): requests queued with no runner are acted on at the next start, and it says so
test("a flatten queued while no runner runs: the next run says it acts on 1 queued request and from when", async () => {
  const cwd = tempDir();
  const queued = runCli(cwd, ["flatten", "--no-wait"]);
  assert.equal(queued.status, 0, queued.stderr);
  const run = startCli(cwd, ["run", "--status-every", "1"], (out) => out.includes("paper mode"));
  await run.ready;
  run.child.kill("SIGINT");
  assert.equal((await run.exited).code, 0, run.err());
  const m = /acting on 1 queued request\(s\) from (\S+) on: #1 flatten all/.exec(run.out());
  assert.ok(m, run.out());
  const since = Date.parse(m[1]);
  assert.ok(Date.now() - since < 60_000 && since <= Date.now(), m[1]);
});
