import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

/**
 * The README and package.json say what works now: a strategy or a venue connector that is not in
 * the tree is named only as planned (venues also as what a simulated venue is modelled on).
 */
const root = new URL("../../", import.meta.url);
const exists = (path: string) => existsSync(new URL(path, root));
const readme = readFileSync(new URL("README.md", root), "utf8");
const description = (
  JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { description: string }
).description;

const STRATEGIES = ["farm", "carry", "scalp", "maker", "agent"];
const VENUES = ["Hyperliquid", "Lighter", "Aster", "Backpack", "Paradex", "EdgeX", "Hibachi"];
const missing = [
  ...STRATEGIES.filter((s) => !exists(`src/strategies/${s}/`)).map((s) => ({
    name: s,
    re: new RegExp(`\\b${s}\\b`, "i"),
  })),
  ...VENUES.filter((v) => !exists(`src/venues/${v.toLowerCase()}/`)).map((v) => ({
    name: v,
    re: new RegExp(`\\b${v}\\b`),
  })),
];

test("package.json's description names no strategy or venue that is not built", () => {
  for (const m of missing) assert.doesNotMatch(description, m.re, `package.json description names ${m.name}`);
});

test("the README names what is not built only as planned", () => {
  const paragraphs = readme.split(/\n\s*\n/);
  for (const m of missing) {
    for (const p of paragraphs) {
      if (!m.re.test(p)) continue;
      assert.match(p, /planned|modelled on/i, `README names ${m.name} as if it existed:\n${p}`);
    }
  }
  assert.match(readme, /What works today/);
});
