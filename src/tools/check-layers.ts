import { fileURLToPath } from "node:url";
import { importEdges } from "./imports.ts";
import { importCycles, type KnownViolation, layerProblems } from "./layers.ts";

/**
 * `npm run check:layers` (CI runs it after the linter): fails when an import in src/ climbs a
 * layer, breaks one of the stricter rules, or closes an import cycle (the table is in
 * layers.ts). Usage: node src/tools/check-layers.ts [source root, default src/].
 */

/**
 * Violations accepted for now, each with the change that removes it. The check fails when one
 * of these disappears without its entry being removed, so the list cannot go stale.
 */
export const KNOWN_VIOLATIONS: readonly KnownViolation[] = [];

/** Import cycles accepted for now (their files, sorted), each removed with the change that breaks it. */
export const KNOWN_CYCLES: readonly (readonly string[])[] = [];

export interface CheckResult {
  readonly files: number;
  readonly imports: number;
  readonly problems: readonly string[];
}

export function checkLayers(
  root: string,
  known: { violations?: readonly KnownViolation[]; cycles?: readonly (readonly string[])[] } = {},
): CheckResult {
  const edges = importEdges(root);
  const problems = layerProblems(edges, known.violations ?? []).map(
    (p) => `${p.file}${p.line > 0 ? `:${p.line}` : ""}: ${p.message}`,
  );
  const knownCycles = new Set((known.cycles ?? []).map((c) => c.join(" ")));
  const seen = new Set<string>();
  for (const cycle of importCycles(edges)) {
    const key = cycle.join(" ");
    seen.add(key);
    if (!knownCycles.has(key)) problems.push(`import cycle: ${cycle.join(" <-> ")}`);
  }
  for (const key of knownCycles)
    if (!seen.has(key))
      problems.push(`known cycle ${key.replaceAll(" ", " <-> ")} is gone: remove its entry`);
  return { files: new Set(edges.map((e) => e.from)).size, imports: edges.length, problems };
}

if (import.meta.main) {
  const root = process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url));
  const r = checkLayers(root, { violations: KNOWN_VIOLATIONS, cycles: KNOWN_CYCLES });
  if (r.problems.length > 0) {
    process.stderr.write(`check:layers: ${r.problems.length} problem(s) in ${root}\n`);
    for (const p of r.problems) process.stderr.write(`  ${p}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(
      `check:layers: ${r.imports} imports in ${r.files} files, none climbs a layer, no cycle (${KNOWN_VIOLATIONS.length} known violation(s), ${KNOWN_CYCLES.length} known cycle(s))\n`,
    );
  }
}
