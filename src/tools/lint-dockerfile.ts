import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validate } from "dockerfile-utils";

/**
 * The Dockerfile check CI runs (through src/tools/dockerfile.test.ts, part of `npm test`): the
 * syntax and instruction checks of the dockerfile-utils package, then the deployment rules of
 * docs/deploy.md: several stages, the runtime stage not root, a HEALTHCHECK on /health, the
 * Node image pinned to the exact version package-lock.json installs, the dependencies installed
 * from the lockfile without dev dependencies. The image itself cannot be built here (no base
 * image can be pulled), so this is what is checked instead.
 *
 *   node src/tools/lint-dockerfile.ts [Dockerfile] [package-lock.json]
 */

export function lintDockerfile(text: string, nodeVersion: string): string[] {
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const lines = text.split("\n");
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  if (froms.length < 2) problems.push("a multi-stage build needs at least two FROM stages");
  const lastFrom = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  const users = lines.slice(lastFrom + 1).filter((l) => /^USER\s/i.test(l));
  const user = users.at(-1)?.split(/\s+/)[1];
  if (user === undefined || user === "root" || user === "0")
    problems.push("the runtime stage must switch to a non-root USER");
  const hc = at(/^HEALTHCHECK\s/i);
  if (hc < 0) problems.push("no HEALTHCHECK");
  else if (!/\/health\b/.test(lines.slice(hc, hc + 3).join(" ")))
    problems.push("the HEALTHCHECK does not ask /health");
  const arg = /^ARG\s+NODE_VERSION=(\S+)/m.exec(text)?.[1];
  for (const f of froms) {
    const image = f.split(/\s+/)[1];
    if (!image.startsWith("node:")) continue;
    const version = image
      .slice(5)
      .replace(/\$\{NODE_VERSION\}/, arg ?? "")
      .split("-")[0];
    if (version !== nodeVersion)
      problems.push(
        `${f.trim()}: the Node image must be pinned to ${nodeVersion}, the version package-lock.json installs`,
      );
  }
  if (at(/^COPY\s.*package-lock\.json/) < 0)
    problems.push("package-lock.json is not copied before the install");
  if (at(/^RUN\s.*npm (ci|install)\b.*--omit=dev/) < 0)
    problems.push(
      "dependencies must be installed from the lockfile without dev dependencies (npm install --omit=dev)",
    );
  return problems;
}

export function lockedNodeVersion(lockText: string): string {
  const lock = JSON.parse(lockText) as { packages?: Record<string, { version?: string }> };
  const v = lock.packages?.["node_modules/node"]?.version;
  if (v === undefined) throw new Error("package-lock.json pins no `node` package");
  return v;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? "Dockerfile";
  const problems = lintDockerfile(
    readFileSync(file, "utf8"),
    lockedNodeVersion(readFileSync(process.argv[3] ?? "package-lock.json", "utf8")),
  );
  for (const p of problems) process.stderr.write(`${file}: ${p}\n`);
  process.stdout.write(`${file}: ${problems.length === 0 ? "ok" : `${problems.length} problem(s)`}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}
