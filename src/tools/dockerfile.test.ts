import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { lintDockerfile, lockedNodeVersion } from "./lint-dockerfile.ts";

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

test("the repository's Dockerfile passes the linter and the deployment rules", () => {
  const node = lockedNodeVersion(readFileSync(root("package-lock.json"), "utf8"));
  assert.deepEqual(lintDockerfile(readFileSync(root("Dockerfile"), "utf8"), node), []);
});

test("the linter finds a root runtime, no health check, an unpinned Node, a bad instruction", () => {
  const bad = [
    "FROM node:24-slim",
    "WORKDIR /app",
    "COPY . .",
    "RUN npm install",
    "EXPOSE notaport",
    'CMD ["node", "src/cli/bin.mjs", "run"]',
  ].join("\n");
  const problems = lintDockerfile(bad, "24.21.0");
  for (const want of [
    /at least two FROM stages/,
    /non-root USER/,
    /no HEALTHCHECK/,
    /FROM node:24-slim: the Node image must be pinned to 24\.21\.0/,
    /package-lock\.json is not copied/,
    /without dev dependencies/,
    /^line 5: /,
  ])
    assert.ok(
      problems.some((p) => want.test(p)),
      `${want} in ${problems.join("; ")}`,
    );
});
