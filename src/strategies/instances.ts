import { z } from "zod";
import type { ConfigIssue } from "../config/env.ts";
import { ConfigError } from "../config/errors.ts";
import { type ConfigValues, defineSection } from "../config/registry.ts";
import type { InstanceSpec } from "./contract.ts";
import { type FarmConfig, farmDefaults, farmSection } from "./farm/config.ts";
import { type InstanceConfig, instanceSchema } from "./registry.ts";

/**
 * Strategy instances: `[strategies.<name>]` tables, each with a `kind` and its own wallets,
 * venues, markets and limits; several run in one process on one engine. The name is the groups'
 * `strategy` column and the prefix of the instance's timers and state.
 *
 * A config written before instances has a single `[farm]` section: with no `[strategies]` table it
 * runs as the instance named `farm` on every managed wallet, exactly as before (its groups, close
 * timers and wallet cooldowns were stored under that name). With `[strategies]` tables as well, a
 * `[farm]` section that sets anything is an error rather than a section silently ignored.
 */
const NAME_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

export const strategiesSection = defineSection(
  "strategies",
  z
    .record(
      z.string().regex(NAME_RE, 'instance names are lower_snake_case (letters, digits, single "_")'),
      instanceSchema,
    )
    .default({})
    .describe("Strategy instances by name."),
  {
    doc: 'Strategy instances: `[strategies.<name>]` with `kind = "farm"`, `"maker"` or `"hedged_maker"` (docs/strategies/maker.md), `"carry"` (docs/strategies/carry.md), `"scalp"` (docs/strategies/scalp.md) or `"agent"` (docs/strategies/agent.md) and that kind\'s keys, plus `wallets` and `max_exposure_usd`. Empty: the `[farm]` section runs as the instance named `farm`.',
  },
);

/** An instance ready to build: its spec (names, wallets, venues, seed) and its kind's settings. */
export interface ResolvedInstance {
  readonly spec: InstanceSpec;
  readonly config: InstanceConfig;
  /** gross notional cap (USD) for the engine's risk gate; undefined: none */
  readonly maxExposureUsd: number | undefined;
}

export interface ResolveContext {
  /** every wallet the process manages (keystore or paper wallets) */
  readonly wallets: readonly string[];
  /** every configured venue id */
  readonly venues: readonly string[];
  /** seed for instances whose `seed` is -1 (a run: the clock; a backtest: --seed) */
  readonly fallbackSeed: number;
}

/** The instances a loaded config asks for; every problem at once, as a ConfigError. */
export function resolveInstances(values: ConfigValues, rc: ResolveContext): ResolvedInstance[] {
  const tables = strategiesSection.get(values);
  const farm = farmSection.get(values);
  const issues: ConfigIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message, origin: "config" });
  if (Object.keys(tables).length === 0) {
    if (!farm.enabled) return [];
    for (const v of farm.venues)
      if (!rc.venues.includes(v))
        issue("farm.venues", `venue "${v}" is not configured (${rc.venues.join(", ")})`);
    if (issues.length > 0) throw new ConfigError(issues);
    return [legacyFarm(farm, rc)];
  }
  if (JSON.stringify(farm) !== JSON.stringify(farmDefaults())) {
    issue(
      "farm",
      '[farm] is set but [strategies.*] instances are configured too, so it would be ignored: move its keys into a [strategies.<name>] table with kind = "farm" (or run `perpbot config migrate`)',
    );
  }
  const owner = new Map<string, string>();
  const out: ResolvedInstance[] = [];
  const names = Object.keys(tables);
  for (const name of names) {
    const c = tables[name];
    const where = `strategies.${name}`;
    if (!c.enabled) continue;
    if (c.wallets.length === 0 && names.length > 1) {
      issue(`${where}.wallets`, "must list the instance's wallets when several instances are configured");
    }
    const wallets = c.wallets.length > 0 ? c.wallets : rc.wallets;
    for (const w of c.wallets) {
      if (!rc.wallets.includes(w))
        issue(`${where}.wallets`, `wallet "${w}" is not a managed wallet (${rc.wallets.join(", ")})`);
      const other = owner.get(w);
      if (other !== undefined)
        issue(
          `${where}.wallets`,
          `wallet "${w}" is already strategies.${other}'s: instances' wallets must be disjoint`,
        );
      else owner.set(w, name);
    }
    // a maker quotes on the one venue it names; other kinds list theirs (empty: every venue)
    const venues = "hedge_venue" in c ? [c.venue, c.hedge_venue] : "venue" in c ? [c.venue] : c.venues;
    for (const v of venues)
      if (!rc.venues.includes(v))
        issue(`${where}.venues`, `venue "${v}" is not configured (${rc.venues.join(", ")})`);
    out.push({
      spec: {
        name,
        kind: c.kind,
        wallets,
        venues: venues.length > 0 ? venues : rc.venues,
        seed: c.seed >= 0 ? c.seed : `${rc.fallbackSeed}:${name}`,
      },
      config: c,
      maxExposureUsd: c.max_exposure_usd > 0 ? c.max_exposure_usd : undefined,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}

/** Today's `[farm]` as the instance named `farm`: the names, seed and wallets it always had. */
export function legacyFarm(farm: FarmConfig, rc: ResolveContext): ResolvedInstance {
  return {
    spec: {
      name: "farm",
      kind: "farm",
      wallets: rc.wallets,
      venues: farm.venues.length > 0 ? farm.venues : rc.venues,
      seed: farm.seed >= 0 ? farm.seed : rc.fallbackSeed,
    },
    config: { ...farm, kind: "farm", wallets: [], max_exposure_usd: 0 },
    maxExposureUsd: undefined,
  };
}
