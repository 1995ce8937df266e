import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { apiDocument, renderApiMarkdown } from "../api/docs.ts";

/** `npm run docs:api`: docs/api.md from the API's OpenAPI document (src/api/docs.test.ts checks it). */
export const API_DOC_FILE = fileURLToPath(new URL("../../docs/api.md", import.meta.url));
/** the document's version in the committed file: fixed, so the file changes only with the API */
export const API_DOC_VERSION = "1";

if (import.meta.main) {
  writeFileSync(API_DOC_FILE, renderApiMarkdown(apiDocument(API_DOC_VERSION)));
  process.stdout.write(`wrote ${API_DOC_FILE}\n`);
}
