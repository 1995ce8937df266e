import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

test("perpbot --version and -V print package.json's version and exit 0", () => {
  for (const flag of ["--version", "-V"]) {
    const r = spawnSync(process.execPath, [BIN, flag], { cwd: tmpdir(), encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${pkg.version}\n`);
    assert.equal(r.stderr, "");
  }
  const help = spawnSync(process.execPath, [BIN, "--help"], {
    cwd: tmpdir(),
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.match(help.stdout, /-V, --version/);
});
