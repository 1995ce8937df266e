import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { API_DOC_FILE, API_DOC_VERSION } from "../tools/write-api-docs.ts";
import { apiDocument, renderApiMarkdown } from "./docs.ts";

test("docs/api.md is the OpenAPI document as it is now (run npm run docs:api after changing a route)", () => {
  const doc = apiDocument(API_DOC_VERSION);
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  for (const p of [
    "/api/status",
    "/api/groups/{id}",
    "/api/control/close",
    "/api/events",
    "/metrics",
    "/openapi.json",
  ])
    assert.ok(paths[p], `${p} is in the document`);
  assert.deepEqual(Object.keys(paths["/api/control/close"]), ["post"]);
  assert.equal(readFileSync(API_DOC_FILE, "utf8"), renderApiMarkdown(doc));
});
