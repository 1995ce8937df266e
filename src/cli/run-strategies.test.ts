import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { StatusReport } from "../app/service/status.ts";
import { BIN, cleanEnv, runCli } from "../testing/cli-run.ts";

/**
 * farm, carry and scalp from one perpbot.toml in one `perpbot run` process (paper mode, bounded
 * by --duration), each instance on its own wallets, one farm under a `max_exposure_usd`
 * allocation; then `perpbot status` and `perpbot status --json` show every instance with its
 * kind, wallets, allocation and state (groups, exits, failed opens, scan rejections).
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const WALLETS = {
  farm_a: ["paper-01", "paper-02", "paper-03"],
  farm_b: ["paper-04", "paper-05", "paper-06"],
  carry_a: ["paper-07"],
  scalp_a: ["paper-08"],
} as const;

const CONFIG = `
[sim]
wallets = 8

[strategies.farm_a]
kind = "farm"
wallets = ${JSON.stringify(WALLETS.farm_a)}
venues = ["simA"]
mode = "same_venue"
markets = ["BTC"]
min_group_size = 3
max_group_size = 3
check_interval_seconds = 1

# a group of three paper wallets is thousands of dollars: this allocation refuses every open
[strategies.farm_b]
kind = "farm"
wallets = ${JSON.stringify(WALLETS.farm_b)}
venues = ["simB"]
mode = "same_venue"
markets = ["ETH"]
min_group_size = 3
max_group_size = 3
check_interval_seconds = 1
max_exposure_usd = 100

[strategies.carry_a]
kind = "carry"
wallets = ${JSON.stringify(WALLETS.carry_a)}
venues = ["simA", "simB"]
funding_check_interval_s = 1
pairs = { allowlist = ["BTC"] }

[strategies.scalp_a]
kind = "scalp"
enabled = true
wallets = ${JSON.stringify(WALLETS.scalp_a)}
venues = ["simA", "simB"]
pairs = { allowlist = ["SOL"] }
`;

test("perpbot run with farm, carry and scalp from one config, each on its own wallets and one under max_exposure_usd; perpbot status shows each", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-strategies-"));
  dirs.push(cwd);
  writeFileSync(join(cwd, "perpbot.toml"), CONFIG);
  const child = spawn(process.execPath, [BIN, "run", "--duration", "20", "--status-every", "2"], {
    cwd,
    env: cleanEnv(),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(guard);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(
    stdout,
    /paper mode: 2 simulated venues, 8 wallets, strategies farm_a, farm_b, carry_a, scalp_a/,
  );
  assert.match(stdout, /stopping \(duration\)/);
  // the allocation is the engine's: farm_b's opens are refused by it, with the figures
  assert.match(stderr, /allocation_cap: .*strategy farm_b would hold [\d.]+ USD, allocation 100 USD/);

  const status = (...args: string[]) => runCli(cwd, ["status", ...args]);
  const json = status("--json");
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout) as StatusReport;
  const by = new Map(report.instances.map((i) => [i.strategy, i]));
  assert.deepEqual([...by.keys()], ["carry_a", "farm_a", "farm_b", "scalp_a"]);
  for (const [name, wallets] of Object.entries(WALLETS)) {
    const i = by.get(name)!;
    assert.ok(i.run !== null, `${name}: no runner report`);
    assert.equal(i.run.kind, name.slice(0, name.indexOf("_")));
    assert.deepEqual(i.run.wallets, wallets, `${name}'s wallets`);
    assert.equal(i.run.maxExposureUsd, name === "farm_b" ? 100 : null);
    // whatever an instance traded, it traded on its own wallets only
    for (const g of [...i.active, ...i.recentlyClosed])
      for (const l of g.legs)
        assert.ok((wallets as readonly string[]).includes(l.wallet), `${g.id} leg on ${l.wallet}`);
  }
  const farmA = by.get("farm_a")!;
  assert.ok(farmA.active.length >= 1, `farm_a opened nothing: ${stdout}`);
  const farmB = by.get("farm_b")!;
  assert.equal(farmB.active.length, 0);
  assert.ok((farmB.failedOpens.risk_refused ?? 0) >= 1, JSON.stringify(farmB.failedOpens));
  assert.equal(farmB.totals.groups, farmB.failedOpens.risk_refused);
  // carry scanned and scalp watched books: each says why it did (or did not) enter
  for (const name of ["carry_a", "scalp_a"]) {
    const rejections = by.get(name)!.run!.rejections;
    assert.ok(rejections !== null, `${name}: no rejections`);
    const total = Object.values(rejections).reduce((s, n) => s + n, 0);
    const groups = by.get(name)!.totals.groups;
    assert.ok(total + groups > 0, `${name} did nothing: ${JSON.stringify(rejections)}`);
  }

  const text = status();
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^instance carry_a \(carry, wallets paper-07\): \d+ active/m);
  assert.match(
    text.stdout,
    /^instance farm_a \(farm, wallets paper-01, paper-02, paper-03\): [1-9]\d* active/m,
  );
  assert.match(
    text.stdout,
    /^instance farm_b \(farm, wallets paper-04, paper-05, paper-06, max exposure \$100\.00\): 0 active, \d+ groups?: .*\n {4}failed opens: risk_refused \d+/m,
  );
  assert.match(text.stdout, /^instance scalp_a \(scalp, wallets paper-08\): \d+ active/m);
  assert.match(text.stdout, /^ {4}.*rejections: \w+ \d+/m);
});
