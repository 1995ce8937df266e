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
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return env;
}

/** `perpbot run` as a new user starts it; `until` decides from stdout when the test has seen enough. */
function startRun(cwd: string, until: (stdout: string) => boolean, timeoutMs = 30_000) {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [BIN, "run", "--status-every", "1"], { cwd, env: cleanEnv() });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const ready = new Promise<number>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`not ready within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
      timeoutMs,
    );
    child.stdout.on("data", (d) => {
      stdout += d;
      if (until(stdout)) {
        clearTimeout(t);
        resolve(Date.now() - startedAt);
      }
    });
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on("exit", (code) => resolve({ code, at: Date.now() })),
  );
  return { child, ready, exited, out: () => stdout, err: () => stderr };
}

const groupIds = (stdout: string) => new Set([...stdout.matchAll(/^\s+(farm-\S+) /gm)].map((m) => m[1]));
const openCounts = (stdout: string) =>
  [...stdout.matchAll(/^farm: (\d+) groups? open/gm)].map((m) => Number(m[1]));

test("npm start: paper farm opens groups within 30 s, updates them, stops on Ctrl-C, and a second start resumes them", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-run-"));
  dirs.push(cwd);
  // first start: wait until groups are open and a later status shows their risk read
  const first = startRun(cwd, (out) => /liq +\d+\.\d%/.test(out) && openCounts(out).some((n) => n > 0));
  const openedAfter = await first.ready;
  assert.ok(openedAfter < 30_000, `groups opened after ${openedAfter} ms`);
  const sentAt = Date.now();
  first.child.kill("SIGINT");
  const { code, at } = await first.exited;
  assert.equal(code, 0, first.err());
  assert.ok(at - sentAt < 2000, `took ${at - sentAt} ms to stop`);
  const out = first.out();
  assert.match(out, /paper mode: 2 simulated venues, 12 wallets, farm on/);
  for (const line of out.split("\n").filter((l) => l.includes(" BTC: "))) {
    assert.match(line, /^\d\d:\d\d:\d\d BTC: simA [\d,]+ [+-]\d\.\d{4}%\/h, simB [\d,]+ [+-]\d\.\d{4}%\/h/);
  }
  assert.match(out, /stopped; state saved/);
  assert.ok(existsSync(join(cwd, "data", "sim.db")) && existsSync(join(cwd, "data", "perpbot.db")));
  const opened = groupIds(out);
  assert.ok(opened.size > 0);

  // second start: the same groups come back, before any new one could be opened
  const second = startRun(cwd, (o) => openCounts(o).length > 0);
  await second.ready;
  second.child.kill("SIGINT");
  const again = await second.exited;
  assert.equal(again.code, 0, second.err());
  const resumed = groupIds(second.out());
  for (const id of opened) assert.ok(resumed.has(id), `group ${id} was not resumed`);
  assert.match(second.err(), new RegExp(`farm started: ${opened.size} groups resumed`));
});
