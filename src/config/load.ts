import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import type { z } from "zod";
import { type ConfigIssue, readEnv } from "./env.ts";
import { ConfigError } from "./errors.ts";
import { maskSecret } from "./mask.ts";
import { type ConfigValues, rootSchema, secretPaths } from "./registry.ts";
import { configTree } from "./schema-tree.ts";

export const DEFAULT_CONFIG_FILE = "perpbot.toml";

/** Where an effective value came from. */
export type Origin =
  | { readonly kind: "default" }
  | { readonly kind: "file"; readonly file: string }
  | { readonly kind: "env"; readonly name: string };

export interface LoadOptions {
  /** the config file; when absent, ./perpbot.toml if it exists, else defaults only */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The `--live` command-line flag. Live trading needs it as well as mode = "live"; the check is
   * made when this is a boolean (commands that trade), skipped when undefined (`config show`).
   */
  readonly live?: boolean;
  readonly cwd?: string;
}

export interface LoadedConfig {
  readonly values: ConfigValues;
  /** the file that was read, or null when none */
  readonly file: string | null;
  /** origin of a dotted key path (any key of the effective config) */
  originOf(path: string): Origin;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function hasPath(obj: unknown, path: readonly (string | number)[]): boolean {
  let node = obj;
  for (const key of path) {
    if (typeof node !== "object" || node === null || !(key in node)) return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return true;
}

function valueAt(obj: unknown, path: readonly (string | number)[]): unknown {
  let node = obj;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function readFile(path: string, explicit: boolean): Record<string, unknown> | null {
  if (!existsSync(path)) {
    if (!explicit) return null;
    throw new ConfigError([{ path: "", message: `config file not found: ${path}`, origin: "--config" }]);
  }
  const text = readFileSync(path, "utf8");
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
      throw new ConfigError(
        [
          {
            path: "",
            message: `TOML syntax error at line ${err.line}, column ${err.column}: ${first}`,
            origin: path,
          },
        ],
        { cause: err },
      );
    }
    throw err;
  }
}

/** Zod's issues as ConfigIssues, one per unknown key, each with the origin of the offending value. */
function toIssues(
  zodIssues: readonly z.core.$ZodIssue[],
  input: unknown,
  fileValues: unknown,
  file: string | null,
  envOrigins: ReadonlyMap<string, string>,
): ConfigIssue[] {
  const originFor = (path: readonly (string | number)[]): string => {
    for (let n = path.length; n > 0; n--) {
      const env = envOrigins.get(path.slice(0, n).join("."));
      if (env) return `env ${env}`;
    }
    return file !== null && hasPath(fileValues, path) ? file : "default";
  };
  const secrets = secretPaths();
  const out: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      // a schema may say why a key is refused (a setting moved elsewhere); else zod's default
      const said = /^Unrecognized keys?:/.test(issue.message) ? "unknown key" : issue.message;
      for (const key of issue.keys) {
        out.push({
          path: [...path, key].join("."),
          message: said,
          origin: originFor([...path, key]),
        });
      }
      continue;
    }
    const got = valueAt(input, path);
    // never echo a secret back: the error message is printed before the scrubber knows it
    const secret = secrets.get(path.join("."));
    const safe = secret ? maskSecret(got, secret) : got;
    const shown = safe === undefined || isPlainObject(safe) ? "" : ` (got ${JSON.stringify(safe)})`;
    out.push({ path: path.join("."), message: `${issue.message}${shown}`, origin: originFor(path) });
  }
  return out;
}

/**
 * Reads the config file, lays the PERPBOT__ env vars over it and validates the result against
 * every registered section. Every mistake is collected and thrown at once as one ConfigError,
 * before anything has been written anywhere.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file !== undefined;
  const file = resolve(cwd, options.file ?? DEFAULT_CONFIG_FILE);
  const fileValues = readFile(file, explicit);
  const shownFile = options.file ?? DEFAULT_CONFIG_FILE;
  const env = readEnv(options.env ?? process.env, configTree());
  const input = deepMerge(fileValues ?? {}, env.values);

  const parsed = rootSchema().safeParse(input);
  const issues: ConfigIssue[] = [...env.issues];
  if (!parsed.success) {
    issues.push(
      ...toIssues(parsed.error.issues, input, fileValues, fileValues ? shownFile : null, env.origins),
    );
  }
  const values = (parsed.success ? parsed.data : {}) as ConfigValues;
  if (parsed.success && "mode" in values && options.live !== undefined) {
    // Real money moves only when the file (or env) and the command line both say so.
    const liveMode = values.mode === "live";
    const modeOrigin = env.origins.has("mode")
      ? `env ${env.origins.get("mode")}`
      : fileValues
        ? shownFile
        : "default";
    if (liveMode && !options.live) {
      issues.push({
        path: "mode",
        message: 'is "live" but the --live flag was not given: live trading needs both',
        origin: modeOrigin,
      });
    } else if (!liveMode && options.live) {
      issues.push({
        path: "mode",
        message: `is "${String(values.mode)}" but --live was given: live trading needs mode = "live" as well`,
        origin: modeOrigin,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    values,
    file: fileValues ? file : null,
    originOf(path: string): Origin {
      const env1 = env.origins.get(path);
      if (env1) return { kind: "env", name: env1 };
      const segs = path.split(".");
      for (let n = segs.length - 1; n > 0; n--) {
        const e = env.origins.get(segs.slice(0, n).join("."));
        if (e) return { kind: "env", name: e };
      }
      if (fileValues && hasPath(fileValues, segs)) return { kind: "file", file };
      return { kind: "default" };
    },
  };
}
