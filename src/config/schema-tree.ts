import { z } from "zod";
import { listSections, rootSchema, type SecretKind, secretPaths } from "./registry.ts";

/**
 * The registered schema as a tree of tables and keys, read from zod's JSON Schema output (the
 * public way to introspect a zod schema). Env var coercion, docs and `config show` walk it.
 */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export interface TableNode {
  readonly kind: "table";
  readonly path: readonly string[];
  readonly description: string | undefined;
  readonly children: readonly ConfigNode[];
}

export interface KeyNode {
  readonly kind: "key";
  readonly path: readonly string[];
  readonly schema: JsonSchema;
  readonly description: string | undefined;
  readonly default: unknown;
  /** null, or how the value is hidden by `config show` and the log scrubber */
  readonly secret: SecretKind | null;
  /** a map from free-form names to values (e.g. per-module log levels): its entries are keys too */
  readonly record: boolean;
}

export type ConfigNode = TableNode | KeyNode;

function isTable(s: JsonSchema): boolean {
  return s.type === "object" && s.properties !== undefined;
}

function build(path: string[], s: JsonSchema, secrets: ReadonlyMap<string, SecretKind>): ConfigNode {
  if (isTable(s)) {
    const children = Object.entries(s.properties ?? {}).map(([k, v]) => build([...path, k], v, secrets));
    return { kind: "table", path, description: s.description, children };
  }
  return {
    kind: "key",
    path,
    schema: s,
    description: s.description,
    default: s.default,
    secret: secrets.get(path.join(".")) ?? null,
    record: s.type === "object" && typeof s.additionalProperties === "object",
  };
}

/** The tree of every registered section; the root's children are the sections, in order. */
export function configTree(): TableNode {
  const json = z.toJSONSchema(rootSchema(), { io: "input", unrepresentable: "any" }) as JsonSchema;
  const secrets = secretPaths();
  const docs = new Map(listSections().map((s) => [s.name, s.doc]));
  const children = Object.entries(json.properties ?? {}).map(([name, s]) =>
    build([name], { ...s, description: docs.get(name) ?? s.description }, secrets),
  );
  return { kind: "table", path: [], description: undefined, children };
}

/** Every key (leaf) of the tree, depth first. */
export function configKeys(node: ConfigNode = configTree()): KeyNode[] {
  if (node.kind === "key") return [node];
  return node.children.flatMap((c) => configKeys(c));
}

/** Human name of a key's type, for docs and error messages. */
export function typeName(s: JsonSchema): string {
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeName).join(" | ");
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  switch (s.type) {
    case "integer":
      return "integer";
    case "array":
      return `list of ${s.items ? typeName(s.items) : "values"}`;
    case "object":
      return typeof s.additionalProperties === "object"
        ? `table of name = ${typeName(s.additionalProperties)}`
        : "table";
    default:
      return Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "any");
  }
}

/** "1 ≤ x ≤ 10" style constraints, for docs. */
export function rangeText(s: JsonSchema): string {
  const parts: string[] = [];
  // z.int() bounds itself by the safe-integer range: not worth printing
  if (s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  if (s.minItems !== undefined) parts.push(`at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
  if (s.minLength !== undefined && s.minLength > 0) parts.push("not empty");
  return parts.join(", ");
}
