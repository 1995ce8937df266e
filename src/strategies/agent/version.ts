import { createHash } from "node:crypto";
import type { AgentConfig } from "./config.ts";
import { OBSERVATION_FORMAT } from "./observation.ts";

/**
 * A version (STRATEGIES.md 4.3): tag, description and the snapshot of everything that shapes a
 * decision; its id is a hash of the snapshot, so the same tag with a different snapshot is a
 * different version, and is refused (a tag names one configuration for ever).
 */
export interface AgentVersion {
  readonly id: string;
  readonly tag: string;
  readonly description: string;
  readonly snapshot: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function versionSnapshot(c: AgentConfig): Record<string, unknown> {
  return {
    model: c.model,
    base_url: c.base_url,
    temperature: c.temperature,
    top_p: c.top_p,
    max_tokens: c.max_tokens,
    response_format: c.response_format,
    system_prompt_sha256: sha256(c.system_prompt),
    observation_format: OBSERVATION_FORMAT,
    venue: c.venue,
    markets: c.markets,
    candles: [c.candles_1m, c.candles_6h],
    limits: {
      max_leverage: c.max_leverage,
      max_risk_per_trade_pct: c.max_risk_per_trade_pct,
      max_gross_leverage: c.max_gross_leverage,
      min_notional_usd: c.min_notional_usd,
      daily_loss_halt_pct: c.daily_loss_halt_pct,
      require_stop_loss: c.require_stop_loss,
      max_slippage_bps: c.max_slippage_bps,
    },
    cycle_interval_s: c.cycle_interval_s,
    repair_retries: c.repair_retries,
  };
}

export function makeVersion(c: AgentConfig, now: number): AgentVersion {
  const snapshot = versionSnapshot(c);
  const id = sha256(JSON.stringify({ tag: c.version_tag, snapshot })).slice(0, 12);
  return { id, tag: c.version_tag, description: c.version_description, snapshot, createdAt: now };
}

/** The known versions with this one added; throws when its tag is known with another snapshot. */
export function registerVersion(
  known: readonly AgentVersion[],
  v: AgentVersion,
  where: string,
): AgentVersion[] {
  const same = known.find((k) => k.id === v.id);
  if (same !== undefined) return [...known];
  const clash = known.find((k) => k.tag === v.tag);
  if (clash !== undefined) {
    const changed = Object.keys(v.snapshot).filter(
      (k) => JSON.stringify(v.snapshot[k]) !== JSON.stringify(clash.snapshot[k]),
    );
    throw new Error(
      `${where}.version_tag: "${v.tag}" is already version ${clash.id} with another configuration (changed: ${changed.join(", ")}); give this configuration a new tag`,
    );
  }
  return [...known, v];
}
