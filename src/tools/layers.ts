import type { ImportEdge } from "./imports.ts";

/**
 * The import layers of src/, bottom first. A folder may import its own files and any folder of a
 * lower layer, never one of its own layer or above ("imports point downward only",
 * docs/architecture.md). log and config sit below data/store/wallets because wallets log and
 * every module registers its config section; tools/ holds repository scripts such as this check.
 * cli/ sits above api/ because `perpbot run` and `perpbot api` start the HTTP server.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["core"],
  ["log", "config"],
  ["data", "store", "wallets"],
  ["venues"],
  ["engine"],
  ["strategies"],
  ["alerts", "trades"],
  ["app"],
  ["api", "web"],
  ["cli", "tools"],
];

/**
 * Rules stricter than the layer order (issue 11): a strategy reaches venues and the store only
 * through the engine's context, and the entry points reach everything through app/ (its services
 * and composition root), keeping only config, logging, core types and the keystore commands.
 */
export const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  strategies: ["venues", "store", "wallets"],
  cli: ["data", "store", "venues", "engine", "strategies", "alerts", "trades", "web"],
  api: ["data", "store", "venues", "engine", "strategies", "alerts", "trades", "wallets"],
  web: ["data", "store", "venues", "engine", "strategies", "alerts", "trades", "wallets"],
};

/**
 * Seams declared above the layer that implements them (RUNTIME.md): strategies/contract.ts says
 * what a strategy may touch and the engine implements that context, so the engine may import the
 * contract's types, and nothing else of strategies/. Type-only imports, so no code climbs.
 */
export const SEAMS: readonly { readonly from: string; readonly file: string }[] = [
  { from: "engine", file: "strategies/contract.ts" },
];

/** Test harnesses: they may import anything, and only tests (and bench/, outside src) import them. */
export const TESTING = "testing";

export interface KnownViolation {
  /** the importing file, relative to src/ */
  readonly file: string;
  /** the folder it may not import */
  readonly imports: string;
  /** why it is still there and who removes it */
  readonly reason: string;
}

export interface LayerProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const isTest = (file: string) => file.endsWith(".test.ts");
const folderOf = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : "");

function layerIndex(folder: string): number {
  return LAYERS.findIndex((l) => l.includes(folder));
}

/** Why `from` may not import `to` (two top-level folders), or undefined when it may. */
export function ruleBroken(from: string, to: string): string | undefined {
  if (from === to || from === TESTING) return undefined;
  if (to === TESTING) return `only tests import ${TESTING}/ (test harnesses)`;
  const a = layerIndex(from);
  const b = layerIndex(to);
  if (a === -1) return `${from}/ is in no layer: add it to LAYERS in src/tools/layers.ts`;
  if (b === -1) return `${to}/ is in no layer: add it to LAYERS in src/tools/layers.ts`;
  if (FORBIDDEN[from]?.includes(to)) {
    const allowed = LAYERS.slice(0, a)
      .flat()
      .filter((f) => !FORBIDDEN[from].includes(f));
    return `${from}/ may not import ${to}/ (it imports only ${allowed.join(", ")})`;
  }
  if (b === a) return `${from}/ and ${to}/ are in the same layer: neither imports the other`;
  if (b > a)
    return `${to}/ is above ${from}/ (imports point downward: ${LAYERS.map((l) => l.join(" ")).join(" < ")})`;
  return undefined;
}

/**
 * Every import that climbs a layer or breaks a rule. Tests are exempt from the table (a test
 * drives the code under test through whatever it needs: a CLI test seeds the store it reads
 * back through the command), but they too may import testing/. `known` lists violations that are
 * accepted for now; an entry that no longer matches any import is itself reported, so the list
 * only shrinks.
 */
export function layerProblems(
  edges: readonly ImportEdge[],
  known: readonly KnownViolation[] = [],
): LayerProblem[] {
  const problems: LayerProblem[] = [];
  const used = new Set<KnownViolation>();
  for (const e of edges) {
    if (e.to.startsWith("../")) {
      problems.push({ file: e.from, line: e.line, message: `imports ${e.to}, outside the source root` });
      continue;
    }
    const from = folderOf(e.from);
    const to = folderOf(e.to);
    if (isTest(e.from)) continue;
    if (from === "" || to === "") {
      problems.push({
        file: e.from,
        line: e.line,
        message: `imports ${e.to}: a file at the root of src/ is in no layer; put it in a folder`,
      });
      continue;
    }
    if (e.typeOnly && SEAMS.some((seam) => seam.from === from && seam.file === e.to)) continue;
    const broken = ruleBroken(from, to);
    if (broken === undefined) continue;
    const accepted = known.find((k) => k.file === e.from && k.imports === to);
    if (accepted) {
      used.add(accepted);
      continue;
    }
    problems.push({ file: e.from, line: e.line, message: `imports ${e.to}: ${broken}` });
  }
  for (const k of known) {
    if (!used.has(k))
      problems.push({
        file: k.file,
        line: 0,
        message: `listed as a known violation (imports ${k.imports}/) but no longer does: remove the entry`,
      });
  }
  return problems;
}

/**
 * Import cycles between files (strongly connected components of more than one file, or a file
 * importing itself), each as its files in a stable order. Type-only imports count: a cycle of
 * types still ties the two files' designs together.
 */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, []);
    graph.get(e.from)!.push(e.to);
    if (!graph.has(e.to)) graph.set(e.to, []);
  }
  // Tarjan's algorithm, iterative (the graph is a few hundred files; recursion would do too)
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = graph.get(top.node)!;
      if (top.next < succ.length) {
        const w = succ[top.next++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.node);
        const selfLoop = component.length === 1 && succ.includes(top.node);
        if (component.length > 1 || selfLoop) cycles.push(component.sort());
      }
    }
  }
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
