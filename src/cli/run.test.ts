import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) env[k] = v;
  return env;
}

/** Start `perpbot run` and resolve once `lines` status lines have been printed. */
function startRun(cwd: string, lines: number) {
  const child = spawn(process.execPath, [BIN, "run", "--status-every", "0.5"], { cwd, env: cleanEnv() });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no status within 20 s\nstdout: ${stdout}\nstderr: ${stderr}`)),
      20_000,
    );
    child.stdout.on("data", (d) => {
      stdout += d;
      if ((stdout.match(/ BTC: /g) ?? []).length >= lines) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on("exit", (code) => resolve({ code, at: Date.now() })),
  );
  return { child, ready, exited, out: () => stdout, err: () => stderr };
}

test("perpbot run: paper mode prints market status lines and stops cleanly on Ctrl-C within 2 s", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-run-"));
  dirs.push(cwd);
  const run = startRun(cwd, 3);
  await run.ready;
  const sentAt = Date.now();
  run.child.kill("SIGINT");
  const { code, at } = await run.exited;
  assert.equal(code, 0, run.err());
  assert.ok(at - sentAt < 2000, `took ${at - sentAt} ms to stop`);
  const status = run
    .out()
    .split("\n")
    .filter((l) => l.includes(" BTC: "));
  // every status line names both simulated venues with a price and a funding rate per hour
  for (const line of status)
    assert.match(line, /BTC: simA \d+ [+-]\d\.\d{4}%\/h, simB \d+ [+-]\d\.\d{4}%\/h/);
  assert.match(run.out(), /paper mode: 2 simulated venues, 12 wallets/);
  assert.match(run.out(), /stopped; state saved/);
  assert.ok(existsSync(join(cwd, "data", "sim.db")), "the simulator's state is on disk");
});
