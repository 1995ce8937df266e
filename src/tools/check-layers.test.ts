import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkLayers, KNOWN_CYCLES, KNOWN_VIOLATIONS } from "./check-layers.ts";
import { importSpecifiers } from "./imports.ts";
import { ruleBroken } from "./layers.ts";

const SRC = fileURLToPath(new URL("..", import.meta.url));

/** A source tree in a temporary directory: path → text. */
function tree(files: Record<string, string>): { root: string; [Symbol.dispose](): void } {
  const root = mkdtempSync(join(tmpdir(), "layers-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}

const LEGAL = {
  "core/money.ts": "export const x = 1;\n",
  "engine/executor.ts": 'import { x } from "../core/money.ts";\nexport const y = x;\n',
  "strategies/farm/farm.ts":
    'import type { y } from "../../engine/executor.ts";\nexport type Z = typeof y;\n',
  "app/service/status.ts": 'import { y } from "../../engine/executor.ts";\nexport const s = y;\n',
  "cli/commands/status.ts": 'import { s } from "../../app/service/status.ts";\nexport const c = s;\n',
  "testing/engine.ts": 'import { s } from "../app/service/status.ts";\nexport const h = s;\n',
  "engine/executor.test.ts":
    'import { h } from "../testing/engine.ts";\nimport "../cli/commands/status.ts";\nh;\n',
};

test("the real tree passes: no import climbs a layer, no cycle beyond the known ones", () => {
  const r = checkLayers(SRC, { violations: KNOWN_VIOLATIONS, cycles: KNOWN_CYCLES });
  assert.deepEqual(r.problems, []);
  assert.ok(r.files > 100 && r.imports > 500, `read ${r.files} files, ${r.imports} imports`);
});

test("a legal tree passes (downward imports, type imports, tests importing testing and above)", () => {
  using t = tree(LEGAL);
  const r = checkLayers(t.root);
  assert.deepEqual(r.problems, []);
  assert.equal(r.imports, 7);
});

test("a planted violation fails: core importing engine", () => {
  using t = tree({
    ...LEGAL,
    "core/money.ts": 'import { y } from "../engine/executor.ts";\nexport const x = 1;\n',
  });
  const r = checkLayers(t.root);
  assert.equal(r.problems.length, 2, r.problems.join("\n"));
  assert.match(r.problems[0], /^core\/money\.ts:1: imports engine\/executor\.ts: engine\/ is above core\//);
  // core → engine → core closes a cycle as well
  assert.match(r.problems[1], /^import cycle: core\/money\.ts <-> engine\/executor\.ts$/);
});

test("the issue's hard rules: strategies without venues or store, cli without engine or store", () => {
  using t = tree({
    ...LEGAL,
    "venues/sim/venue.ts": "export const v = 1;\n",
    "store/store.ts": "export const st = 1;\n",
    "strategies/farm/bad.ts":
      'import { v } from "../../venues/sim/venue.ts";\nimport { st } from "../../store/store.ts";\n',
    "cli/commands/bad.ts":
      '\n\nimport { y } from "../../engine/executor.ts";\nexport { st } from "../../store/store.ts";\n',
  });
  const r = checkLayers(t.root);
  assert.deepEqual(
    r.problems.map((p) => p.split(": imports")[0]),
    [
      "cli/commands/bad.ts:3",
      "cli/commands/bad.ts:4",
      "strategies/farm/bad.ts:1",
      "strategies/farm/bad.ts:2",
    ],
  );
  assert.match(
    r.problems[0],
    /cli\/ may not import engine\/ \(it imports only core, log, config, wallets, app, api\)/,
  );
  assert.match(r.problems[2], /strategies\/ may not import venues\//);
});

test("only tests import testing/; siblings of one layer do not import each other; unknown folders fail", () => {
  using t = tree({
    ...LEGAL,
    "app/node.ts": 'import { h } from "../testing/engine.ts";\n',
    "alerts/a.ts": 'import { t } from "../trades/t.ts";\n',
    "trades/t.ts": "export const t = 1;\n",
    "gadgets/g.ts": 'import { x } from "../core/money.ts";\n',
  });
  const r = checkLayers(t.root);
  assert.equal(r.problems.length, 3, r.problems.join("\n"));
  assert.match(r.problems[0], /^alerts\/a\.ts:1: .*same layer/);
  assert.match(r.problems[1], /^app\/node\.ts:1: .*only tests import testing\//);
  assert.match(r.problems[2], /^gadgets\/g\.ts:1: .*gadgets\/ is in no layer/);
});

test("a known violation is accepted, and reported once it is gone", () => {
  const known = [{ file: "core/money.ts", imports: "engine", reason: "planted" }];
  using bad = tree({ ...LEGAL, "core/money.ts": 'import type { y } from "../engine/executor.ts";\n' });
  assert.deepEqual(
    checkLayers(bad.root, { violations: known, cycles: [["core/money.ts", "engine/executor.ts"]] }).problems,
    [],
  );
  using good = tree(LEGAL);
  const r = checkLayers(good.root, { violations: known, cycles: [["core/money.ts", "engine/executor.ts"]] });
  assert.deepEqual(r.problems, [
    "core/money.ts: listed as a known violation (imports engine/) but no longer does: remove the entry",
    "known cycle core/money.ts <-> engine/executor.ts is gone: remove its entry",
  ]);
});

test("imports are read in every form, and never from comments or strings", () => {
  const text = [
    'import a from "./a.ts";',
    'import type { B } from "../b.ts";',
    "import {",
    "  c,",
    '} from "./c.ts";',
    'export * from "./d.ts";',
    'import "./e.ts";',
    'const f = await import("./f.ts");',
    '// import g from "./g.ts";',
    '/* export { h } from "./h.ts"; */',
    'const worker = `import i from "./i.ts"`;',
    "const quoted = \"import j from './j.ts'\";",
    'import k from "node:fs";',
  ].join("\n");
  assert.deepEqual(importSpecifiers(text), [
    { specifier: "./a.ts", line: 1, typeOnly: false },
    { specifier: "../b.ts", line: 2, typeOnly: true },
    { specifier: "./c.ts", line: 5, typeOnly: false },
    { specifier: "./d.ts", line: 6, typeOnly: false },
    { specifier: "./e.ts", line: 7, typeOnly: false },
    { specifier: "./f.ts", line: 8, typeOnly: false },
  ]);
});

test("the rule table: downward passes, upward and forbidden fail", () => {
  assert.equal(ruleBroken("engine", "venues"), undefined);
  assert.equal(ruleBroken("app", "store"), undefined);
  assert.equal(ruleBroken("cli", "config"), undefined);
  assert.match(ruleBroken("venues", "engine") ?? "", /above/);
  assert.match(ruleBroken("store", "engine") ?? "", /above/);
  assert.match(ruleBroken("strategies", "store") ?? "", /may not import/);
  assert.match(ruleBroken("cli", "strategies") ?? "", /may not import/);
});
