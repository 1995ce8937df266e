import type { LoadedConfig, Origin } from "./load.ts";
import { maskSecret } from "./mask.ts";
import { secretPaths } from "./registry.ts";

/** `config show`: the effective config, secrets masked, with each value's origin. */

/** The secret strings of a loaded config, for the log scrubber (a URL's password, not the URL). */
export function secretValues(config: LoadedConfig): string[] {
  const out: string[] = [];
  for (const [path, kind] of secretPaths()) {
    const v = valueAt(config.values, path.split("."));
    if (typeof v !== "string" || v === "") continue;
    if (kind === "value") {
      out.push(v);
      continue;
    }
    try {
      const u = new URL(v);
      if (u.password !== "") out.push(u.password, decodeURIComponent(u.password));
    } catch {
      out.push(v);
    }
  }
  return [...new Set(out)];
}

function valueAt(obj: unknown, path: readonly string[]): unknown {
  let node = obj;
  for (const k of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

export interface ShownValue {
  readonly path: string;
  readonly value: unknown;
  readonly origin: string;
}

function originText(o: Origin): string {
  if (o.kind === "env") return `env ${o.name}`;
  if (o.kind === "file") return `file ${o.file}`;
  return "default";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Every leaf of the effective config (an empty table counts as one), secrets masked. */
export function effectiveValues(config: LoadedConfig): ShownValue[] {
  const secrets = secretPaths();
  const out: ShownValue[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (isPlainObject(node) && (path.length === 0 || Object.keys(node).length > 0)) {
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      return;
    }
    const dotted = path.join(".");
    const kind = secrets.get(dotted);
    const value = kind ? maskSecret(node, kind) : node;
    out.push({ path: dotted, value, origin: originText(config.originOf(dotted)) });
  };
  walk(config.values, []);
  return out;
}

/** Text form: `key = value   # origin`, aligned. */
export function renderConfigText(config: LoadedConfig): string {
  const rows = effectiveValues(config).map((v) => ({
    left: `${v.path} = ${JSON.stringify(v.value)}`,
    origin: v.origin,
  }));
  const width = Math.max(...rows.map((r) => r.left.length));
  const header = config.file
    ? `# config file: ${config.file}`
    : "# no config file: defaults and environment only";
  return `${[header, ...rows.map((r) => `${r.left.padEnd(width)}  # ${r.origin}`)].join("\n")}\n`;
}

/** JSON form: the masked config and a map of dotted key -> origin. */
export function renderConfigJson(config: LoadedConfig): string {
  const values: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const v of effectiveValues(config)) {
    const segs = v.path.split(".");
    let node = values;
    for (const s of segs.slice(0, -1)) {
      if (!isPlainObject(node[s])) node[s] = {};
      node = node[s] as Record<string, unknown>;
    }
    node[segs[segs.length - 1]] = v.value;
    origins[v.path] = v.origin;
  }
  return `${JSON.stringify({ file: config.file, values, origins }, null, 2)}\n`;
}
