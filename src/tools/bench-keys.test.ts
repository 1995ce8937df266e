import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

/**
 * `npm run bench` prints one JSON object keyed by figure: two suites naming a figure alike would
 * silently keep only the last one's value. Every literal figure key in bench/ belongs to one file
 * (bench/run.ts also refuses a repeated key at run time, for keys built from templates).
 */
test("no literal bench figure key is used by two bench files", () => {
  const dir = new URL("../../bench/", import.meta.url);
  const owner = new Map<string, string>();
  const clashes: string[] = [];
  let keys = 0;
  for (const file of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    const text = readFileSync(new URL(file, dir), "utf8");
    for (const m of text.matchAll(/\bkey: "([a-z0-9_]+)"/g)) {
      keys++;
      const first = owner.get(m[1]);
      if (first !== undefined && first !== file) clashes.push(`${m[1]}: ${first} and ${file}`);
      else owner.set(m[1], file);
    }
  }
  assert.ok(keys > 50, `only ${keys} figure keys found in bench/: the pattern no longer matches`);
  assert.deepEqual(clashes, []);
});
