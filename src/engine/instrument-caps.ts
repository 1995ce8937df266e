import type { ConfigIssue } from "../config/env.ts";
import { ConfigError } from "../config/errors.ts";
import type { LoadedConfig, Origin } from "../config/load.ts";
import { engineSection } from "./config.ts";

/**
 * `engine.max_notional_usd_by_instrument` names instruments as "venue:symbol". The schema can
 * only check the shape of a name; which instruments exist is known once the venues are, so the
 * composition root calls this at run start, before anything trades. A cap on an instrument
 * that does not exist would otherwise be shown as set by `config show` and never apply.
 */

const CAPS_PATH = "engine.max_notional_usd_by_instrument";

function originText(o: Origin): string {
  if (o.kind === "env") return `env ${o.name}`;
  if (o.kind === "file") return o.file;
  return "default";
}

/** One issue per cap whose name is not one of `known` (the "venue:symbol" keys of the venues). */
export function instrumentCapIssues(config: LoadedConfig, known: Iterable<string>): ConfigIssue[] {
  const caps = engineSection.get(config.values).max_notional_usd_by_instrument;
  const keys = [...new Set(known)].sort();
  const set = new Set(keys);
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(caps)) {
    if (set.has(name)) continue;
    const path = `${CAPS_PATH}.${name}`;
    const near = keys.find((k) => k.toLowerCase() === name.toLowerCase());
    const hint = near ? ` (did you mean "${near}"? names are case-sensitive)` : "";
    issues.push({
      path,
      message: `no instrument "${name}" on the configured venues${hint}; known: ${keys.join(", ")}`,
      origin: originText(config.originOf(path)),
    });
  }
  return issues;
}

/** Throws a ConfigError (exit 2) naming every cap on an unknown instrument. */
export function checkInstrumentCaps(config: LoadedConfig, known: Iterable<string>): void {
  const issues = instrumentCapIssues(config, known);
  if (issues.length > 0) throw new ConfigError(issues);
}
