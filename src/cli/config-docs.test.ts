import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { parse as parseToml } from "smol-toml";
import { configurationMarkdown, exampleToml } from "../config/docs.ts";
import { configKeys } from "../config/schema-tree.ts";
import { CONFIG_DOC_PATH } from "./write-config-docs.ts";

test("docs/configuration.md is what `npm run docs:config` generates from the schemas", () => {
  const committed = readFileSync(CONFIG_DOC_PATH, "utf8");
  assert.equal(
    committed,
    configurationMarkdown(),
    "docs/configuration.md is stale: run `npm run docs:config`",
  );
});

test("every key is documented with its default and env var", () => {
  const doc = configurationMarkdown();
  for (const k of configKeys()) {
    assert.ok(doc.includes(`| \`${k.path.join(".")}\` |`), `${k.path.join(".")} is not documented`);
    assert.ok(k.default !== undefined, `${k.path.join(".")} has no default`);
  }
});

test("the example file is valid TOML whose only content is tables (every key commented out)", () => {
  const parsed = parseToml(exampleToml()) as Record<string, unknown>;
  const leaves: string[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node === "object" && node !== null && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    } else leaves.push(path.join("."));
  };
  walk(parsed, []);
  assert.deepEqual(leaves, []);
  assert.ok("store" in parsed && "sim" in parsed && "faults" in (parsed.sim as object));
});

test("what a user reads (README, docs/, the generated perpbot.toml) cites no document the repository lacks", () => {
  const docsDir = new URL("../../docs/", import.meta.url);
  const texts: [string, string][] = [
    ["README.md", readFileSync(new URL("../../README.md", import.meta.url), "utf8")],
    ["perpbot init's perpbot.toml", exampleToml()],
    ...readdirSync(docsDir)
      .filter((f) => f.endsWith(".md"))
      .map((f) => [`docs/${f}`, readFileSync(new URL(f, docsDir), "utf8")] as [string, string]),
  ];
  for (const [where, text] of texts) assert.doesNotMatch(text, /DOMAIN\.md/, `${where} cites DOMAIN.md`);
});
