import type { ConfigNode, JsonSchema, TableNode } from "./schema-tree.ts";

export const ENV_PREFIX = "PERPBOT__";

/** One config mistake: the key's dotted path, what is wrong, and where the value came from. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly origin: string;
}

export interface EnvOverlay {
  /** nested values to lay over the file's */
  readonly values: Record<string, unknown>;
  /** dotted key path -> the env var that set it */
  readonly origins: ReadonlyMap<string, string>;
  readonly issues: readonly ConfigIssue[];
}

/** The env var that sets a dotted key path, e.g. "sim.latency_ms" -> PERPBOT__SIM__LATENCY_MS. */
export function envVarName(path: readonly string[]): string {
  return ENV_PREFIX + path.map((p) => p.toUpperCase()).join("__");
}

/**
 * The one rule for numbers written as text, in PERPBOT__ variables and command-line options
 * alike: decimal digits with an optional minus sign and fractional part (`7`, `-1`, `0.5`).
 * No hex (`0x10`), exponent (`1e3`), `Infinity`, leading `.` or `+`, or blank text.
 */
export const DECIMAL_NUMBER = /^-?\d+(\.\d+)?$/;

/** The number `text` (trimmed) writes under the DECIMAL_NUMBER rule, or undefined. */
export function parseDecimalText(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL_NUMBER.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** The one rule for booleans written as text: `true` or `false`, as in TOML. */
export function parseBooleanText(text: string): boolean | undefined {
  const t = text.trim();
  return t === "true" ? true : t === "false" ? false : undefined;
}

type Coerced = { ok: true; value: unknown } | { ok: false; expected: string };

/** An env var's text as the schema expects it; the schema still validates the result. */
export function coerceEnvValue(text: string, s: JsonSchema): Coerced {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    for (const alt of alts) {
      const r = coerceEnvValue(text, alt);
      if (r.ok) return r;
    }
    return {
      ok: false,
      expected: alts.map((a) => (coerceEnvValue(text, a) as { expected: string }).expected).join(" or "),
    };
  }
  const t = text.trim();
  switch (s.type) {
    case "number":
    case "integer": {
      const n = parseDecimalText(t);
      return n !== undefined ? { ok: true, value: n } : { ok: false, expected: "a decimal number" };
    }
    case "boolean": {
      const b = parseBooleanText(t);
      return b !== undefined ? { ok: true, value: b } : { ok: false, expected: "true or false" };
    }
    case "array": {
      if (t === "") return { ok: true, value: [] };
      const out: unknown[] = [];
      for (const item of t.split(",")) {
        const r = s.items ? coerceEnvValue(item.trim(), s.items) : { ok: true as const, value: item.trim() };
        if (!r.ok) return { ok: false, expected: `a comma-separated list of ${r.expected}` };
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    case "null":
      return t === "" || t === "null" ? { ok: true, value: null } : { ok: false, expected: "null" };
    default:
      return { ok: true, value: text };
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next === "object" && next !== null) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]] = value;
}

/**
 * Walks the tree along the variable's segments; null when no key has that path. Section and key
 * names match case-insensitively; a map entry's name (the segment after a map key) is taken as
 * written, since map keys such as "simA:BTC" are case-sensitive.
 */
function resolve(
  tree: TableNode,
  raw: readonly string[],
): { path: string[]; schema: JsonSchema; secret: boolean } | null {
  let node: ConfigNode = tree;
  for (let i = 0; i < raw.length; i++) {
    const seg = raw[i].toLowerCase();
    if (node.kind === "table") {
      const child: ConfigNode | undefined = node.children.find((c) => c.path[c.path.length - 1] === seg);
      if (!child) return null;
      node = child;
      continue;
    }
    // a record's entries are named by the next segment, and that must be the last one
    if (node.record && i === raw.length - 1 && typeof node.schema.additionalProperties === "object") {
      return {
        path: [...node.path, raw[i]],
        schema: node.schema.additionalProperties,
        secret: node.secret !== null,
      };
    }
    return null;
  }
  return node.kind === "key"
    ? { path: [...node.path], schema: node.schema, secret: node.secret !== null }
    : null;
}

/**
 * Reads every PERPBOT__ variable. Section and key names are case-insensitive (keys are lower
 * case); the name of a map entry keeps its case (`…__MAX_NOTIONAL_USD_BY_INSTRUMENT__simA:BTC`
 * sets "simA:BTC"). An unknown name is an error, not silently ignored, because a typo would
 * otherwise leave a setting at its default without anyone noticing.
 */
export function readEnv(env: Readonly<Record<string, string | undefined>>, tree: TableNode): EnvOverlay {
  const values: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.toUpperCase().startsWith(ENV_PREFIX)) continue;
    const text = env[name];
    if (text === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split("__");
    const dotted = segments.join(".").toLowerCase();
    const key = segments.some((s) => s === "") ? null : resolve(tree, segments);
    if (!key) {
      issues.push({ path: dotted, message: "unknown key", origin: `env ${name}` });
      continue;
    }
    const r = coerceEnvValue(text, key.schema);
    if (!r.ok) {
      issues.push({
        path: key.path.join("."),
        // a secret's value is never echoed: this message is printed before the scrubber knows it
        message: key.secret
          ? `expected ${r.expected}`
          : `expected ${r.expected}, got ${JSON.stringify(text)}`,
        origin: `env ${name}`,
      });
      continue;
    }
    setPath(values, key.path, r.value);
    origins.set(key.path.join("."), name);
  }
  return { values, origins, issues };
}
