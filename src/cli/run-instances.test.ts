import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * Two farm instances with disjoint wallets, each on its own simulated venue, in one `perpbot run`
 * process from one perpbot.toml: both open groups, the process stops, starts again, and both
 * resume their own groups; `perpbot status --json` shows the groups of both, each under its
 * instance name in the `strategy` column.
 */
const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return env;
}

const CONFIG = `
[sim]
wallets = 6

[strategies.farm_a]
kind = "farm"
wallets = ["paper-01", "paper-02", "paper-03"]
venues = ["simA"]
mode = "same_venue"
markets = ["BTC"]
min_group_size = 3
max_group_size = 3
check_interval_seconds = 1

[strategies.farm_b]
kind = "farm"
wallets = ["paper-04", "paper-05", "paper-06"]
venues = ["simB"]
mode = "same_venue"
markets = ["ETH"]
min_group_size = 3
max_group_size = 3
check_interval_seconds = 1
`;

/** Run until both instances show an open group (or `until` holds), then Ctrl-C. */
async function runUntil(cwd: string, until: (stdout: string) => boolean, timeoutMs = 40_000) {
  const child = spawn(process.execPath, [BIN, "run", "--status-every", "1"], { cwd, env: cleanEnv() });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`not seen within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.on("data", (d) => {
      stdout += d;
      if (until(stdout)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  child.kill("SIGINT");
  const code = await exited;
  assert.equal(code, 0, stderr);
  return { stdout, stderr };
}

const openOf = (stdout: string, name: string) =>
  [...stdout.matchAll(new RegExp(`^\\[${name}\\] farm: (\\d+) groups? open`, "gm"))].map((m) => Number(m[1]));
const idsOf = (stdout: string, name: string) =>
  new Set([...stdout.matchAll(new RegExp(`^\\s+(${name}-\\S+) `, "gm"))].map((m) => m[1]));

test("two farm instances in one process: both trade, both resume after a restart, status shows both", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-instances-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "perpbot.toml"), CONFIG);
  const bothOpen = (o: string) =>
    openOf(o, "farm_a").some((n) => n > 0) && openOf(o, "farm_b").some((n) => n > 0);
  const first = await runUntil(cwd, bothOpen);
  assert.match(first.stdout, /paper mode: 2 simulated venues, 6 wallets, strategies farm_a, farm_b/);
  const a = idsOf(first.stdout, "farm_a");
  const b = idsOf(first.stdout, "farm_b");
  assert.ok(a.size > 0 && b.size > 0, first.stdout);

  // a restart: each instance resumes exactly its own groups before it could open a new one
  const second = await runUntil(cwd, (o) => openOf(o, "farm_a").length > 0 && openOf(o, "farm_b").length > 0);
  for (const id of a) assert.ok(idsOf(second.stdout, "farm_a").has(id), `farm_a group ${id} not resumed`);
  for (const id of b) assert.ok(idsOf(second.stdout, "farm_b").has(id), `farm_b group ${id} not resumed`);
  assert.match(
    second.stderr,
    new RegExp(`farm started: ${a.size} groups resumed, 3 wallets \\(instance farm_a\\)`),
  );
  assert.match(
    second.stderr,
    new RegExp(`farm started: ${b.size} groups resumed, 3 wallets \\(instance farm_b\\)`),
  );

  const status = spawnSync(process.execPath, [BIN, "status", "--json"], {
    cwd,
    env: cleanEnv(),
    encoding: "utf8",
  });
  assert.equal(status.status, 0, status.stderr);
  const report = JSON.parse(status.stdout) as {
    active: { id: string; strategy: string; legs: { wallet: string; venue: string }[] }[];
  };
  const byStrategy = new Map<string, typeof report.active>();
  for (const g of report.active) byStrategy.set(g.strategy, [...(byStrategy.get(g.strategy) ?? []), g]);
  assert.deepEqual([...byStrategy.keys()].sort(), ["farm_a", "farm_b"]);
  // each instance's groups are on its own wallets and venue only
  for (const g of byStrategy.get("farm_a")!) {
    for (const l of g.legs)
      assert.ok(["paper-01", "paper-02", "paper-03"].includes(l.wallet) && l.venue === "simA");
  }
  for (const g of byStrategy.get("farm_b")!) {
    for (const l of g.legs)
      assert.ok(["paper-04", "paper-05", "paper-06"].includes(l.wallet) && l.venue === "simB");
  }
  for (const id of [...a, ...b])
    assert.ok(
      report.active.some((g) => g.id === id),
      `status lacks ${id}`,
    );
});
