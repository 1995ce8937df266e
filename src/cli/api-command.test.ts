import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/** `perpbot api` against the store alone (no run): reads answer, control is queued, Ctrl-C stops it. */

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return env;
}

test("perpbot api serves the store; a control request waits for a runner; SIGINT stops it with 0", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-apicmd-"));
  try {
    const token = execFileSync(process.execPath, [BIN, "api", "token"], {
      cwd,
      env: cleanEnv(),
      encoding: "utf8",
    }).split("\n")[0];
    const child = spawn(process.execPath, [BIN, "api", "--port", "0"], { cwd, env: cleanEnv() });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no address within 20 s: ${out} ${err}`)), 20_000);
      child.stdout.on("data", (d) => {
        out += d;
        const m = /perpbot api: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]);
        }
      });
    });
    const s = (await (await fetch(`${url}/api/status`)).json()) as {
      runner: { running: boolean };
      active: unknown[];
      live: unknown;
    };
    assert.deepEqual([s.runner.running, s.active.length, s.live], [false, 0, null]);
    const r = await fetch(`${url}/api/control/halt`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(r.status, 202);
    assert.match(((await r.json()) as { message: string }).message, /no perpbot run is polling/);
    const exited = new Promise<number | null>((res) => child.once("exit", res));
    child.kill("SIGINT");
    assert.equal(await exited, 0, err);
    // a second token replaces the first
    execFileSync(process.execPath, [BIN, "api", "token"], { cwd, env: cleanEnv() });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
