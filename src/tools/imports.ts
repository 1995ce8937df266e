import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * The project's own imports, read from the source text: every `import … from`, `export … from`,
 * side-effect `import "…"` and dynamic `import("…")` whose specifier is relative. Comments and
 * string contents are blanked first, so an import quoted in a comment or a string (a worker's
 * source, a doc example) is not taken for one. Package imports (`zod`, `node:fs`) are not the
 * project's layers and are skipped.
 */

export interface ImportEdge {
  /** the importing file, relative to the source root, with "/" separators */
  readonly from: string;
  /** the imported file, relative to the source root (may start with "../" when outside it) */
  readonly to: string;
  /** 1-based line of the import */
  readonly line: number;
  /** `import type` / `export type`: erased at run time, but still a dependency of the code */
  readonly typeOnly: boolean;
}

/**
 * Comments and template literals replaced by spaces, the contents of quoted strings by "x"
 * (quotes kept), every offset and newline unchanged: the import patterns then match only real
 * imports, and the specifier is read back from the original text at the same offset.
 */
export function blankCommentsAndStrings(text: string): string {
  const out = text.split("");
  const blank = (from: number, to: number, fill: string) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = fill;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && (next === "/" || next === "*")) {
      const end = next === "/" ? text.indexOf("\n", i) : text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : next === "/" ? end : end + 2;
      blank(i, stop, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let k = i + 1;
      while (k < text.length && text[k] !== c && (c === "`" || text[k] !== "\n"))
        k += text[k] === "\\" ? 2 : 1;
      const stop = Math.min(k + 1, text.length);
      if (c === "`") blank(i, stop, " ");
      else blank(i + 1, Math.min(k, text.length), "x");
      i = stop;
    } else {
      i++;
    }
  }
  return out.join("");
}

// `from "x"` ends every import/export-from; `import "x"` and `import("x")` are the other two forms
const FROM_RE = /\b(import|export)\b(\s+type\b)?[^;"'`]*?\bfrom\s*(["'])([^"'\n]+)\3/g;
const BARE_RE = /\bimport\s*\(?\s*(["'])([^"'\n]+)\1/g;

/** The relative import specifiers of one file's text, with their line and whether type-only. */
export function importSpecifiers(text: string): { specifier: string; line: number; typeOnly: boolean }[] {
  const code = blankCommentsAndStrings(text);
  const lineAt = (offset: number) => code.slice(0, offset).split("\n").length;
  const found = new Map<number, { specifier: string; line: number; typeOnly: boolean }>();
  for (const m of code.matchAll(FROM_RE)) {
    // the specifier ends just before the closing quote; its text comes from the original
    const at = (m.index ?? 0) + m[0].length - 1 - m[4].length;
    const specifier = text.slice(at, at + m[4].length);
    found.set(at, { specifier, line: lineAt(at), typeOnly: m[2] !== undefined });
  }
  for (const m of code.matchAll(BARE_RE)) {
    const at = (m.index ?? 0) + m[0].length - 1 - m[2].length;
    if (found.has(at)) continue;
    found.set(at, { specifier: text.slice(at, at + m[2].length), line: lineAt(at), typeOnly: false });
  }
  return [...found.values()]
    .filter((s) => s.specifier.startsWith("./") || s.specifier.startsWith("../"))
    .sort((a, b) => a.line - b.line);
}

/** Every .ts file under `root`, relative to it, "/"-separated, sorted. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
    }
  };
  walk(root);
  return out.map((p) => relative(root, p).split(sep).join("/")).sort();
}

/** The import edges of every source file under `root`. */
export function importEdges(root: string): ImportEdge[] {
  const absRoot = resolve(root);
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(absRoot)) {
    const text = readFileSync(join(absRoot, file), "utf8");
    for (const s of importSpecifiers(text)) {
      const target = resolve(absRoot, dirname(file), s.specifier);
      const to = relative(absRoot, target).split(sep).join("/");
      edges.push({ from: file, to, line: s.line, typeOnly: s.typeOnly });
    }
  }
  return edges;
}
