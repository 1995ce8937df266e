import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { CycleRecord } from "../strategies/agent/state.ts";
import { AgentHarness } from "../testing/agent-harness.ts";
import { LlmTestServer } from "../testing/llm-server.ts";

/** `perpbot agent replay` and `perpbot agent leaderboard` through the real CLI on a recorded run. */
const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
let server: LlmTestServer;
let dir = "";
let logLines: string[] = [];

function perpbot(args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) env[k] = v;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  server = await LlmTestServer.start();
  const h = await AgentHarness.start({ server });
  dir = h.dir;
  server.push(
    {
      content:
        '{"positions":{"ETH":{"coin":"ETH","signal":"buy","quantity":0.5,"leverage":2,"exit_plan":{"stop_loss":3400,"take_profit":3700,"invalidation":""},"justification":"x"}}}',
    },
    { content: '```json\n{"positions": {}}\n```' },
  );
  const done = async (n: number) =>
    (JSON.parse((await h.store.kv.get(`ag.cycle:${n}`)) ?? "{}") as CycleRecord).phase === "done";
  await h.until(() => done(1), 120_000);
  await h.until(() => done(2), 120_000);
  logLines = [];
  for (const n of [1, 2])
    logLines.push((JSON.parse((await h.store.kv.get(`ag.cycle:${n}`))!) as CycleRecord).logLine!);
  await h.stop();
  writeFileSync(
    join(dir, "perpbot.toml"),
    `[store]\nurl = "sqlite:${join(dir, "perpbot.db")}"\n\n[strategies.ag]\nkind = "agent"\nvenue = "simA"\nmarkets = ["ETH", "BTC"]\n`,
  );
});
after(async () => {
  await server.close();
});

test("perpbot agent replay <version>: every cycle identical, the log written with --out", () => {
  const r = perpbot([
    "agent",
    "replay",
    "v-test",
    "--from",
    "2025-12-31",
    "--to",
    "2026-01-02",
    "--out",
    "log.jsonl",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 cycles replayed, 2 identical, 0 differ/);
  assert.equal(readFileSync(join(dir, "log.jsonl"), "utf8"), `${logLines.join("\n")}\n`);
  const none = perpbot(["agent", "replay", "nope"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no version "nope"/);
});

test("perpbot agent replay --version V --from T --to T (the issue's spelling) is the same replay", () => {
  const args = ["--from", "2025-12-31", "--to", "2026-01-02", "--json"];
  const positional = perpbot(["agent", "replay", "v-test", ...args]);
  const flag = perpbot(["agent", "replay", "--version", "v-test", ...args]);
  const eq = perpbot(["agent", "replay", ...args, "--version=v-test"]);
  assert.equal(flag.code, 0, flag.stderr);
  assert.equal(eq.code, 0, eq.stderr);
  assert.equal(flag.stdout, positional.stdout);
  assert.equal(eq.stdout, positional.stdout);
  assert.match(flag.stdout, /"identical": 2/);
  // everywhere else --version is perpbot's own
  assert.match(perpbot(["--version"]).stdout, /^\d+\.\d+\.\d+\n$/);
  assert.match(perpbot(["agent", "--version"]).stdout, /^\d+\.\d+\.\d+\n$/);
});

test("perpbot agent leaderboard: the version beside buy-and-hold and flat, and why it is not ranked", () => {
  const r = perpbot(["agent", "leaderboard"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /version .*buy&hold\s+flat/);
  assert.match(r.stdout, /v-test not ranked: /);
  const j = perpbot(["agent", "leaderboard", "--json"]);
  const rows = JSON.parse(j.stdout) as { tag: string; flatReturn: number }[];
  assert.equal(rows[0].tag, "v-test");
  assert.equal(rows[0].flatReturn, 0);
});
