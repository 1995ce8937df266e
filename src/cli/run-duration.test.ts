import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { UsageError } from "./errors.ts";
import { parseRunDuration, parseStatusEvery, RUN_DURATION_MAX_S } from "./time-arg.ts";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("--duration: up to 366 days; 1e10, Infinity, negative, zero and past the maximum are usage errors", () => {
  assert.equal(parseRunDuration("2592000"), 2_592_000);
  assert.equal(parseRunDuration(String(RUN_DURATION_MAX_S)), 366 * 86_400);
  assert.equal(parseRunDuration("0.5"), 0.5);
  for (const text of ["1e10", "Infinity", "-5", "0", "31622401", "10000000000"]) {
    assert.throws(
      () => parseRunDuration(text),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          `--duration "${text}": expected a decimal number of seconds above 0 and at most 31622400`,
      text,
    );
  }
});

test("--status-every: between 1 s and a day", () => {
  assert.equal(parseStatusEvery("1"), 1);
  assert.equal(parseStatusEvery("86400"), 86_400);
  for (const text of ["0.0001", "0.5", "0", "1e10", "86401", "Infinity"]) {
    assert.throws(
      () => parseStatusEvery(text),
      /--status-every ".*": expected a decimal number of seconds at least 1 and at most 86400/,
    );
  }
});

test("run --duration 2592000 (30 days) keeps running instead of stopping at once", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-duration-"));
  dirs.push(cwd);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  env.PERPBOT__FARM__ENABLED = "false";
  const child = spawn(process.execPath, [BIN, "run", "--duration", "2592000", "--status-every", "1"], {
    cwd,
    env,
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
  const deadline = Date.now() + 30_000;
  while (!/Ctrl-C to stop/.test(stdout) && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 100));
  // past start-up: three seconds later it must still be going
  await new Promise((r) => setTimeout(r, 3_000));
  const stillRunning = child.exitCode === null;
  child.kill("SIGINT");
  const code = await exited;
  assert.ok(stillRunning, `the run stopped by itself:\n${stdout}\n${stderr}`);
  assert.doesNotMatch(stdout, /stopping \(duration\)/);
  assert.match(stdout, /stopping \(SIGINT\)/);
  assert.equal(code, 0, stderr);
});
