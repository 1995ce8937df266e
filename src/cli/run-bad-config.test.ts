import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import "../app/sections.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { openStore } from "../store/store.ts";
import { runCli } from "../testing/cli-run.ts";

/**
 * A carry and a scalp table with every kind of mistake at once (an unknown key, a threshold of
 * the wrong sign, a min above its max, a blocklist regex that does not compile): every one is
 * reported with its path, in one error, and `perpbot run` stops before it opens anything.
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BAD = `
[strategies.carry_a]
kind = "carry"
wallets = ["paper-01"]
venues = ["simA", "simB"]
min_funding_bpz = 5
min_funding_bps = -3
hold_min_hours = 30
hold_max_hours = 10
pairs = { blocked_patterns = ["^[A-Z+$"] }

[strategies.scalp_a]
kind = "scalp"
enabled = true
wallets = ["paper-02"]
venues = ["simA", "simB"]
spread_entry_bsp = 5
spread_entry_bps = -2
notional_per_trade_min = 500
notional_per_trade_max = 100
pairs = { blocked_patterns = ["(unclosed"] }
`;

/** path → what the message must say, for all eight faults */
const EXPECTED: readonly (readonly [string, RegExp])[] = [
  ["strategies.carry_a.min_funding_bpz", /unknown key/],
  ["strategies.carry_a.min_funding_bps", /expected number to be >=0 \(got -3\)/],
  ["strategies.carry_a.hold_min_hours", /must be at most hold_max_hours \(10\) \(got 30\)/],
  ["strategies.carry_a.pairs.blocked_patterns.0", /regular expression "\^\[A-Z\+\$" does not compile/],
  ["strategies.scalp_a.spread_entry_bsp", /unknown key/],
  ["strategies.scalp_a.spread_entry_bps", /expected number to be >=0 \(got -2\)/],
  ["strategies.scalp_a.notional_per_trade_min", /must be at most notional_per_trade_max \(100\) \(got 500\)/],
  ["strategies.scalp_a.pairs.blocked_patterns.0", /regular expression "\(unclosed" does not compile/],
];

function dirWith(toml: string): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-bad-config-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), toml);
  return d;
}

test("carry and scalp with an unknown key, a wrong-sign threshold, min above max and a bad blocklist regex: all eight reported, each at its path", () => {
  let err: unknown;
  try {
    loadConfig({ cwd: dirWith(BAD), env: {} });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, String(err));
  const issues = err.issues;
  assert.deepEqual(issues.map((i) => i.path).sort(), EXPECTED.map(([p]) => p).sort());
  for (const [path, message] of EXPECTED) {
    const issue = issues.find((i) => i.path === path);
    assert.ok(issue !== undefined, path);
    assert.match(issue.message, message, path);
    assert.equal(issue.origin, "perpbot.toml", path);
  }
});

/** every file under `dir` with the hash of its bytes */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const path = join(e.parentPath, e.name);
      out[relative(dir, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  return out;
}

test("perpbot run with that config exits 2 at start, prints every error with its path, and writes nothing to the store", async () => {
  const cwd = dirWith(BAD);
  // the state a previous run left (the default store, sqlite:./data/perpbot.db)
  mkdirSync(join(cwd, "data"));
  const store = await openStore(`sqlite:${join(cwd, "data", "perpbot.db")}`);
  await store.kv.put("earlier.run", "state", 1);
  await store.close();
  const before = snapshot(cwd);
  assert.ok("data/perpbot.db" in before, JSON.stringify(before));
  const r = runCli(cwd, ["run", "--duration", "5"]);
  assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /invalid configuration \(8 problems\)/);
  for (const [path, message] of EXPECTED) {
    const line = r.stderr.split("\n").find((l) => l.includes(`- ${path}: `));
    assert.ok(line !== undefined, `${path} not printed:\n${r.stderr}`);
    assert.match(line, message, path);
  }
  // nothing started: the store's file untouched (no journal or WAL file beside it), no log file
  assert.deepEqual(snapshot(cwd), before);
  assert.doesNotMatch(r.stdout, /paper mode|start-up/);
});
