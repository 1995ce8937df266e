/**
 * `npm run docs:config`: regenerates docs/configuration.md from the registered config schemas
 * (a test fails when the committed file differs from what this writes).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import "../app/sections.ts";
import { configurationMarkdown } from "../config/docs.ts";

export const CONFIG_DOC_PATH = fileURLToPath(new URL("../../docs/configuration.md", import.meta.url));

if (import.meta.main) {
  writeFileSync(CONFIG_DOC_PATH, configurationMarkdown());
  process.stdout.write(`wrote ${CONFIG_DOC_PATH}\n`);
}
