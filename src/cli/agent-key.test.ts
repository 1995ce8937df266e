import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { BIN, cleanEnv, startCli } from "../testing/cli-run.ts";
import { LlmTestServer } from "../testing/llm-server.ts";

/**
 * The agent's API key from the keystore (issue 17, 1): stored with `perpbot keys add`, named by
 * the config, sent as a bearer header to the endpoint (a local OpenAI-compatible server), and
 * nowhere in the run's output, log files, store (observations, decision log) or the endpoint's
 * echoed error.
 */
const PW = "agent key test pw";
const KEY = `sk-or-v1-${"5a17c0ffee".repeat(6)}`;
const FAST = ["--kdf-memory", "64", "--kdf-iterations", "1"];

let server: LlmTestServer;
const dirs: string[] = [];
before(async () => {
  server = await LlmTestServer.start();
});
after(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function keys(cwd: string, args: string[], input = "") {
  const r = spawnSync(process.execPath, [BIN, "keys", ...args], {
    cwd,
    env: cleanEnv({ PERPBOT_KEYSTORE_PASSWORD: PW }),
    encoding: "utf8",
    input,
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `keys ${args.join(" ")}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test("perpbot run: the agent's key comes from the keystore, goes out as a bearer header, and is in no log, store or output", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-agent-key-"));
  dirs.push(cwd);
  keys(cwd, ["init", ...FAST]);
  keys(cwd, ["add", "w1"], `${"11".repeat(32)}\n`);
  const added = keys(cwd, ["add", "openrouter", "--venue", "llm", "--secret", "api_key"], `${KEY}\n`);
  assert.ok(!added.includes(KEY));
  const listed = keys(cwd, ["list"]);
  assert.match(listed, /openrouter/);
  assert.ok(!listed.includes(KEY));
  writeFileSync(
    join(cwd, "perpbot.toml"),
    [
      "[strategies.ag]",
      'kind = "agent"',
      'wallets = ["w1"]',
      'markets = ["ETH"]',
      `base_url = "${server.baseUrl}"`,
      'model = "test/model"',
      'api_key_keystore = "openrouter"',
      "cycle_interval_s = 1",
      "max_retries = 0",
      "",
    ].join("\n"),
  );
  // the first reply is an error that echoes the key; then valid decisions
  server.push({ status: 401, body: `{"error":{"message":"Incorrect API key provided: ${KEY}"}}` });
  server.fallback = { content: '{"positions": {}}' };
  const asked = server.requests.length;
  try {
    const run = startCli(cwd, ["run", "--duration", "6"], () => false, {
      env: { PERPBOT_KEYSTORE_PASSWORD: PW },
      timeoutMs: 60_000,
    });
    const { code } = await run.exited;
    assert.equal(code, 0, `${run.out()}\n${run.err()}`);
    const got = server.requests.slice(asked);
    assert.ok(got.length >= 2, `${got.length} model calls\n${run.out()}\n${run.err()}`);
    for (const r of got) assert.equal(r.authorization, `Bearer ${KEY}`);
    for (const r of got) assert.ok(!JSON.stringify(r.body).includes(KEY), "not in the prompt");
    assert.ok(!run.out().includes(KEY) && !run.err().includes(KEY), "not in the output");
    const data = join(cwd, "data");
    const files = filesUnder(data).filter((f) => !f.endsWith("keystore.json"));
    assert.ok(
      files.some((f) => f.endsWith(".db")) && files.some((f) => f.includes("logs")),
      files.join(", "),
    );
    for (const f of files) assert.ok(!readFileSync(f).includes(KEY), `the key is in ${f}`);
    // the echoed error was stored, redacted: the search above would have found it otherwise
    const dbText = files
      .filter((f) => f.endsWith(".db") || f.endsWith(".db-wal"))
      .map((f) => readFileSync(f).toString("latin1"))
      .join("");
    assert.match(dbText, /Incorrect API key provided: \[redacted\]/);
  } finally {
    server.fallback = undefined;
  }
});

test("perpbot run: a config naming a keystore wallet without an llm api_key is refused before anything trades", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-agent-key-"));
  dirs.push(cwd);
  keys(cwd, ["init", ...FAST]);
  keys(cwd, ["add", "w1"], `${"22".repeat(32)}\n`);
  writeFileSync(
    join(cwd, "perpbot.toml"),
    `[strategies.ag]\nkind = "agent"\nwallets = ["w1"]\nmarkets = ["ETH"]\napi_key_keystore = "nobody"\n`,
  );
  const run = startCli(cwd, ["run", "--duration", "3"], () => false, {
    env: { PERPBOT_KEYSTORE_PASSWORD: PW },
    timeoutMs: 60_000,
  });
  const { code } = await run.exited;
  assert.notEqual(code, 0);
  assert.match(run.err(), /api_key_keystore "nobody".*perpbot keys add nobody --venue llm --secret api_key/);
  assert.doesNotMatch(run.out(), /paper mode:/);
});
