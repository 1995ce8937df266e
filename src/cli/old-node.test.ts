import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SHIM = fileURLToPath(new URL("./bin.mjs", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

/** A Node older than 24 on this machine (the system one, when npm install brought Node 24 beside it). */
function oldNode(): string | undefined {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node", "/bin/node"]) {
    if (!existsSync(candidate)) continue;
    const v = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
    if (Number(v.replace(/^v/, "").split(".")[0]) < 24) return candidate;
  }
  return undefined;
}

test("the perpbot command and npm start go through the Node-version shim", () => {
  assert.equal(pkg.bin.perpbot, "src/cli/bin.mjs");
  assert.match(pkg.scripts.start, /^node src\/cli\/bin\.mjs run$/);
});

test("on Node 24 the shim runs perpbot", () => {
  const r = spawnSync(process.execPath, [SHIM, "--version"], {
    cwd: tmpdir(),
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${pkg.version}\n`);
});

const old = oldNode();
test("on an older Node it says in one line what to do, exit 1", {
  skip: old ? false : "no Node < 24 here",
}, () => {
  const r = spawnSync(old!, [SHIM, "run"], { cwd: tmpdir(), encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /^perpbot needs Node 24 \(this is Node \d+\.\d+\.\d+\): use npx perpbot or npm start\n$/,
  );
});

const systemNpm = ["/usr/bin/npm", "/usr/local/bin/npm"].find((p) => existsSync(p));
test("npm install on the system Node prints no EBADENGINE warnings with the project's .npmrc", {
  skip: old && systemNpm ? false : "no system npm on a Node < 24",
}, () => {
  // a project like this one (engines node >= 24, a dependency that asks the same), installed
  // offline by the system npm on its old Node, with a copy of the repository's .npmrc
  const dir = mkdtempSync(join(tmpdir(), "perpbot-npmrc-"));
  try {
    mkdirSync(join(dir, "dep"));
    mkdirSync(join(dir, "app"));
    const engines = { node: ">=24" };
    writeFileSync(
      join(dir, "dep", "package.json"),
      JSON.stringify({ name: "dep", version: "1.0.0", engines }),
    );
    writeFileSync(
      join(dir, "app", "package.json"),
      JSON.stringify({ name: "app", version: "1.0.0", engines, dependencies: { dep: "file:../dep" } }),
    );
    copyFileSync(fileURLToPath(new URL("../../.npmrc", import.meta.url)), join(dir, "app", ".npmrc"));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith("npm_")) env[k] = v;
    env.PATH = "/usr/local/bin:/usr/bin:/bin";
    const r = spawnSync(systemNpm!, ["install", "--offline", "--no-audit", "--no-fund"], {
      cwd: join(dir, "app"),
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /EBADENGINE|npm warn/);
    assert.match(r.stdout, /added 1 package/, "the summary line still shows");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
