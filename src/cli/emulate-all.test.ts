import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { EMULATED_VENUES } from "../app/emulate.ts";
import { LIVE_PW, NINE_VENUES as NINE, perpbotCli } from "../testing/live-cli.ts";
import { cleanEnv, PERPBOT_BIN } from "../testing/run-process.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

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
    for (const k of NINE) assert.ok(kinds.includes(k), `the registry lists ${k}: ${kinds}`);
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

test("perpbot emulate all --write-config: a note for each venue left out, the config and keystore written, doctor passes on them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-emulate-all-cli-"));
  dirs.push(dir);
  const file = join(dir, "perpbot.toml");
  const kdf = ["--kdf-memory", "64", "--kdf-iterations", "1", "--kdf-parallelism", "1"];
  const emu = perpbotCli(dir, ["emulate", "all", "--write-config", file, "--usdc", "5000", ...kdf]);
  try {
    await emu.until((out) => /emulators running; Ctrl-C stops them all/.test(out), 60_000);
    const out = emu.out();
    const written =
      /^config written to (\S+): venues ([a-z, ]+); (\d+) wallets funded with 5000 each; (\d+) farm instance/m.exec(
        out,
      );
    assert.ok(written, out);
    assert.equal(written[1], file);
    const venues = written[2].split(", ");
    for (const kind of Object.keys(EMULATED_VENUES)) {
      const left = out.includes(`note: ${kind} left out of the config: `);
      assert.notEqual(
        left,
        venues.includes(kind),
        `${kind}: either configured or left out with a note\n${out}`,
      );
    }
    for (const kind of NINE) assert.ok(venues.includes(kind), `${kind} in the written config: ${venues}`);
    assert.equal(Number(written[4]), venues.length, "a ring: one farm instance per venue and the next");
    assert.equal(Number(written[3]), 2 * venues.length, "two wallets per instance");
    assert.ok(existsSync(join(dir, "data", "keystore.json")), "the keystore beside the config");
    assert.ok(!readFileSync(file, "utf8").includes(LIVE_PW));
    const doctor = perpbotCli(dir, ["doctor"]);
    assert.equal(await doctor.exited, 0, doctor.out() + doctor.err());
    assert.match(doctor.out(), /0 failed, \d+ skipped: ready/);
    for (const kind of NINE) assert.match(doctor.out(), new RegExp(`^\\s*${kind}\\b.*\\bok\\b`, "m"), kind);
    emu.interrupt();
    assert.equal(await emu.exited, 0, emu.err());
    assert.match(emu.out(), /stopping: every emulated account is flat/);
    const again = perpbotCli(dir, ["emulate", "all", "--write-config", file, ...kdf]);
    assert.equal(await again.exited, 2, "a usage error");
    assert.match(again.err(), /perpbot\.toml exists; remove it or pick another path/);
    assert.doesNotMatch(again.out(), /emulators running/, "refused before any emulator started");
  } finally {
    emu.interrupt();
  }
});
