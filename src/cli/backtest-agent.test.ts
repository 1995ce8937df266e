import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN, cleanEnv } from "../testing/cli-run.ts";

/** `perpbot backtest agent` through the real CLI: a report, and bad flags refused by name. */
const cwd = mkdtempSync(join(tmpdir(), "perpbot-bt-agent-cli-"));
after(() => rmSync(cwd, { recursive: true, force: true }));

function perpbot(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "backtest", "agent", ...args], {
    cwd,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("perpbot backtest agent --replies scripted: the report, as text and as JSON", () => {
  const text = perpbot(["--days", "0.1", "--replies", "scripted", "--cycle-s", "120", "--seed", "2"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^agent backtest: 2026-01-01T00:00:00\.000Z to 2026-01-01T02:24:00\.000Z/);
  assert.match(text.stdout, /cycles: 72 \(decided 72\)/);
  assert.match(text.stdout, /buy-and-hold -?\d+\.\d\d %\s+flat 0\.00 %/);
  assert.match(text.stdout, /Sharpe .* max drawdown /);
  assert.match(text.stdout, /trades \d+\s+win rate .* profit factor /);
  assert.match(text.stdout, /exit walk: .* a stop and a take-profit held at every instant/);
  const json = perpbot([
    "--days",
    "0.1",
    "--replies",
    "scripted",
    "--cycle-s",
    "120",
    "--seed",
    "2",
    "--json",
  ]);
  assert.equal(json.code, 0, json.stderr);
  const r = JSON.parse(json.stdout) as {
    cycles: number;
    metrics: { trades: number };
    exitWalk: { violations: unknown[] };
  };
  assert.equal(r.cycles, 72);
  assert.ok(r.metrics.trades > 0);
  assert.deepEqual(r.exitWalk.violations, []);
});

test("perpbot backtest agent: bad flags are usage errors naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--data", "bogus"], /--data: expected synthetic or recorded, got "bogus"/],
    [
      ["--replies", "scripted", "--endpoint", "http://127.0.0.1:1/v1"],
      /--replies and --endpoint exclude each other/,
    ],
    [["--replies", join(cwd, "missing.jsonl"), "--days", "0.01"], /--replies .*missing\.jsonl: ENOENT/],
    [["--days", "0"], /--days/],
    [["--endpoint", "ftp://x"], /--endpoint: expected an http\(s\) URL/],
    [["--data", "recorded", "--data-dir", cwd], /recording usdm-btcusdt_20240808\.gz is not in/],
  ];
  for (const [args, re] of cases) {
    const r = perpbot(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
