import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { EMULATED_VENUES } from "../app/emulate.ts";
import { cleanEnv, PERPBOT_BIN } from "../testing/run-process.ts";

/**
 * `perpbot emulate all` as a process: one line per emulator of EMULATED_VENUES (kind, label, URL,
 * ws URL, markets), each on its own port and answering there, and Ctrl-C stops them all: the
 * process exits 0 and every port is closed.
 */
test("perpbot emulate all starts every registered emulator on its own port and stops them all on SIGINT", async () => {
  const child = spawn(process.execPath, [PERPBOT_BIN, "emulate", "all"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let out = "";
  let err = "";
  child.stderr.on("data", (b: Buffer) => {
    err += b.toString();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${out}\n${err}`)), 30_000);
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (/emulators running; Ctrl-C stops them all/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const kinds = Object.keys(EMULATED_VENUES);
    assert.ok(kinds.length >= 6, `the registry lists the emulators: ${kinds}`);
    const urls: string[] = [];
    for (const kind of kinds) {
      const line = out.split("\n").find((l) => l.startsWith(`${kind}: `));
      assert.ok(line, `a line for ${kind} in:\n${out}`);
      const m = /on (http:\/\/127\.0\.0\.1:(\d+)\S*)\s+ws (\S+)\s+markets (\S.*)$/.exec(line);
      assert.ok(m, `url, ws and markets in: ${line}`);
      assert.ok(m[3] === "none" || m[3].startsWith("ws://127.0.0.1:"), line);
      urls.push(m[1]);
    }
    const ports = urls.map((u) => new URL(u).port);
    assert.equal(new Set(ports).size, kinds.length, `one port each: ${ports}`);
    for (const u of urls) {
      // any HTTP answer (a 404 for the bare path included) shows the emulator listening
      const res = await fetch(u);
      assert.ok(res.status > 0, u);
      await res.body?.cancel();
    }
    child.kill("SIGINT");
    assert.equal(await exited, 0, err);
    for (const u of urls) await assert.rejects(fetch(u), `${u} is closed after Ctrl-C`);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
