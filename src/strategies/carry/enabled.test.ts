import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "../../app/sections.ts";
import { loadConfig } from "../../config/load.ts";
import { resolveInstances } from "../instances.ts";

/** `enabled` of a carry instance: false leaves it out of the run. */

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function instances(enabled: boolean) {
  const d = mkdtempSync(join(tmpdir(), "perpbot-carry-enabled-"));
  dirs.push(d);
  writeFileSync(
    join(d, "perpbot.toml"),
    `[strategies.carry_a]\nkind = "carry"\nwallets = ["w1"]\nenabled = ${enabled}\n`,
  );
  const values = loadConfig({ cwd: d, env: {} }).values;
  return resolveInstances(values, { wallets: ["w1"], venues: ["simA", "simB"], fallbackSeed: 1 }).map(
    (i) => i.spec.name,
  );
}

test("enabled: a carry instance runs when true and is left out when false", () => {
  assert.deepEqual(instances(true), ["carry_a"]);
  assert.deepEqual(instances(false), []);
});
