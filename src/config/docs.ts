import { envVarName } from "./env.ts";
import {
  type ConfigNode,
  configTree,
  type KeyNode,
  rangeText,
  type TableNode,
  typeName,
} from "./schema-tree.ts";

/**
 * docs/configuration.md and the `perpbot init` example file, both generated from the registered
 * schemas so that neither can drift from what the loader accepts.
 */

/** A default as TOML text. */
function tomlValue(v: unknown): string {
  if (v === undefined) return "(none)";
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).map(([k, x]) => `${k} = ${tomlValue(x)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(v);
}

function keyName(k: KeyNode): string {
  return k.path[k.path.length - 1];
}

function mdCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function secretNote(k: KeyNode): string {
  if (k.secret === "value") return "**Secret**: masked by `config show`, never logged.";
  if (k.secret === "url_password")
    return "A password in the URL is masked by `config show` and never logged.";
  return "";
}

function keyRow(k: KeyNode): string {
  const range = rangeText(k.schema);
  const notes = [k.description ?? "", range ? `(${range})` : "", secretNote(k)]
    .filter((x) => x !== "")
    .join(" ");
  const env = k.record ? `${envVarName(k.path)}__<name>` : envVarName(k.path);
  return `| \`${k.path.join(".")}\` | ${mdCell(typeName(k.schema))} | \`${mdCell(tomlValue(k.default))}\` | \`${env}\` | ${mdCell(notes)} |`;
}

function tableMarkdown(t: TableNode, depth: number): string[] {
  const out: string[] = [];
  out.push(`${"#".repeat(Math.min(depth, 6))} \`[${t.path.join(".")}]\``, "");
  if (t.description) out.push(t.description, "");
  const keys = t.children.filter((c): c is KeyNode => c.kind === "key");
  if (keys.length > 0) {
    out.push("| key | type | default | env var | description |", "| --- | --- | --- | --- | --- |");
    out.push(...keys.map(keyRow), "");
  }
  for (const c of t.children) if (c.kind === "table") out.push(...tableMarkdown(c, depth + 1));
  return out;
}

export function configurationMarkdown(tree: TableNode = configTree()): string {
  const out: string[] = [
    "# Configuration",
    "",
    "<!-- Generated from the config schemas by `npm run docs:config`; do not edit by hand. -->",
    "",
    "perpbot reads one TOML file, `perpbot.toml` in the working directory by default (`--config <path>`",
    "to choose another; `perpbot init` writes a commented example). Every key is optional and has the",
    "default shown below. Environment variables override the file: `PERPBOT__SECTION__KEY`, nested",
    "keys separated by further `__` (e.g. `PERPBOT__SIM__FAULTS__ENABLED=true`); numbers and booleans",
    "are written as text, lists as comma-separated values (`PERPBOT__SIM__VENUES=simA,simB`).",
    "",
    "One rule for values written as text, in variables and command-line options alike (`--days`,",
    "`--duration`, `--status-every`, …): a boolean is `true` or `false` (lower case, as in TOML; not",
    "`yes`, `1` or `on`), and a number is decimal digits with an optional `-` and fractional part",
    "(`7`, `-1`, `0.5`; not `0x10`, `1e3`, `Infinity`, `+5` or `.5`). Anything else is refused with",
    "the key or option named.",
    "",
    "Section and key names in a variable's name are case-insensitive; the name of a table entry (the",
    "`<name>` part) keeps its case as written: `PERPBOT__ENGINE__MAX_NOTIONAL_USD_BY_INSTRUMENT__simA:BTC=10`",
    "caps `simA:BTC`, and `PERPBOT__LOG__MODULES__engine=debug` sets the `engine` module.",
    "",
    "Every mistake is reported at once, each with its key path and where the value came from (the file",
    "or the variable); unknown keys and unknown `PERPBOT__` variables are errors. The exit code is 2 and",
    "nothing is written. `perpbot config show` prints the effective configuration, secrets masked, with",
    "each value's origin (`default`, `file` or `env`); `--json` for a machine-readable form.",
    "",
    "Relative paths are relative to the working directory.",
    "",
    "## Top-level keys",
    "",
    "| key | type | default | env var | description |",
    "| --- | --- | --- | --- | --- |",
  ];
  const topKeys = tree.children.filter((c): c is KeyNode => c.kind === "key");
  out.push(...topKeys.map(keyRow), "");
  for (const c of tree.children) if (c.kind === "table") out.push(...tableMarkdown(c, 2));
  return `${out.join("\n").trimEnd()}\n`;
}

function commentLines(text: string | undefined, indent = ""): string[] {
  if (!text) return [];
  return text.split("\n").map((l) => `${indent}# ${l}`);
}

function exampleKey(k: KeyNode): string[] {
  const range = rangeText(k.schema);
  const lines = commentLines(`${k.description ?? ""}${range ? ` (${range})` : ""}`.trim());
  lines.push(`# ${keyName(k)} = ${tomlValue(k.default)}`);
  return lines;
}

function exampleTable(t: TableNode): string[] {
  const out: string[] = ["", ...commentLines(t.description), `[${t.path.join(".")}]`];
  for (const c of t.children) if (c.kind === "key") out.push(...exampleKey(c));
  for (const c of t.children) if (c.kind === "table") out.push(...exampleTable(c));
  return out;
}

/**
 * The example perpbot.toml: every key commented out at its default, so the file as written is
 * valid and changes nothing until a line is uncommented.
 */
export function exampleToml(tree: TableNode = configTree()): string {
  const out: string[] = [
    "# perpbot configuration. Every key below is shown commented out at its default value.",
    "# Environment variables PERPBOT__SECTION__KEY override this file.",
    "# Reference: docs/configuration.md",
  ];
  // TOML: top-level keys must come before the first [table]
  const children: readonly ConfigNode[] = tree.children;
  for (const c of children) if (c.kind === "key") out.push("", ...exampleKey(c));
  for (const c of children) if (c.kind === "table") out.push(...exampleTable(c));
  return `${out.join("\n")}\n`;
}
