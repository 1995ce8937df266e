/**
 * Blocks and cooldowns of carry (STRATEGIES.md section 1.1, end): repeated reversals and
 * realised losses block a base, a failed entry and a forced exit start cooldowns. Plain data,
 * serialised into the instance's state slot so a restart keeps them.
 */
import type { CarryConfig } from "./config.ts";

const HOUR = 3_600_000;

export interface BlockState {
  /** base -> blocked until (ms) with why */
  blocked: Record<string, { until: number; why: string }>;
  /** `base` or `base:long>short` -> cooldown until (ms) */
  cooldowns: Record<string, number>;
  /** base -> times of reversal exits */
  reversals: Record<string, number[]>;
  /** base -> realised PnL (USD) summed over closed positions */
  pnl: Record<string, number>;
}

export function emptyBlocks(): BlockState {
  return { blocked: {}, cooldowns: {}, reversals: {}, pnl: {} };
}

export function parseBlocks(text: string | undefined): BlockState {
  if (text === undefined) return emptyBlocks();
  const j = JSON.parse(text) as Partial<BlockState>;
  return { ...emptyBlocks(), ...j };
}

/** Why a base (in a direction) may not be entered now; undefined: it may. */
export function blockedWhy(
  s: BlockState,
  base: string,
  direction: string,
  now: number,
  /** `${base}:${direction}`, when the caller has it already */
  baseDirection = `${base}:${direction}`,
): string | undefined {
  const b = s.blocked[base];
  if (b !== undefined && b.until > now) return `blocked until ${new Date(b.until).toISOString()}: ${b.why}`;
  const cd = Math.max(s.cooldowns[base] ?? 0, s.cooldowns[baseDirection] ?? 0);
  if (cd > now) return `cooling down until ${new Date(cd).toISOString()}`;
  return undefined;
}

/**
 * Whether blockedWhy would give a reason (the scan only asks whether): the same comparisons,
 * no text built.
 */
export function isBlocked(s: BlockState, base: string, now: number, baseDirection: string): boolean {
  const b = s.blocked[base];
  if (b !== undefined && b.until > now) return true;
  return (s.cooldowns[base] ?? 0) > now || (s.cooldowns[baseDirection] ?? 0) > now;
}

export function entryFailed(s: BlockState, c: CarryConfig, base: string, now: number): void {
  s.cooldowns[base] = now + c.entry_failure_cooldown_minutes * 60_000;
}

/** Record a closed position: cooldowns after a forced exit, reversal and loss blocks. */
export function recordClose(
  s: BlockState,
  c: CarryConfig,
  o: { base: string; direction: string; reason: string; realisedUsd: number; forced: boolean; now: number },
): void {
  if (o.forced) s.cooldowns[`${o.base}:${o.direction}`] = o.now + c.forced_exit_cooldown_minutes * 60_000;
  if (o.reason === "reversal") {
    const since = o.now - c.reversal_window_hours * HOUR;
    const list = [...(s.reversals[o.base] ?? []).filter((t) => t >= since), o.now];
    s.reversals[o.base] = list;
    if (list.length >= c.reversal_blocklist_threshold) {
      s.blocked[o.base] = {
        until: o.now + c.reversal_blocklist_hours * HOUR,
        why: `${list.length} reversals within ${c.reversal_window_hours} h`,
      };
      s.reversals[o.base] = [];
    }
  }
  const pnl = (s.pnl[o.base] ?? 0) + o.realisedUsd;
  s.pnl[o.base] = pnl;
  if (-pnl > c.pnl_blocklist_usd) {
    s.blocked[o.base] = {
      until: o.now + c.pnl_blocklist_hours * HOUR,
      why: `realised loss $${(-pnl).toFixed(2)}`,
    };
    s.pnl[o.base] = 0;
  }
}
