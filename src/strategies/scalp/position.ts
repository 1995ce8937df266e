import type { ScalpLeg } from "./exits.ts";

/**
 * A held scalp as the strategy persists it (`<instance>.pos:<groupId>`): the entry time is
 * stored, so a restart never resets the hold clock (STRATEGIES.md 2.3), and the figures the
 * report compares (edge predicted, at fill, captured) travel with it to `closed:<groupId>`.
 */
export interface ScalpPosition {
  readonly groupId: string;
  readonly base: string;
  /** the pair slot's key, `<base>:<venueA>:<venueB>` */
  readonly pairKey: string;
  readonly long: ScalpLeg;
  readonly short: ScalpLeg;
  readonly openedAt: number;
  /** the edge the decision saw at the touches, bps net of taker fees and the buffer */
  readonly predictedEdgeBps: number;
  /** the spread at the fill prices net of the entry fees paid */
  readonly entryEdgeBps: number;
  readonly feesPaidUsd: number;
  peakBps: number;
  lastNetBps: number;
  /** when the books first went too old to decide on; null: fresh */
  deferredSince: number | null;
}

export function serialise(p: ScalpPosition): string {
  return JSON.stringify(p, (_k, v) => (v === Number.NEGATIVE_INFINITY ? "-Infinity" : v));
}

export function deserialise(text: string): ScalpPosition {
  const p = JSON.parse(text, (_k, v) => (v === "-Infinity" ? Number.NEGATIVE_INFINITY : v)) as ScalpPosition;
  if (typeof p.groupId !== "string" || typeof p.openedAt !== "number")
    throw new Error(`scalp: stored position is not one: ${text.slice(0, 80)}`);
  return p;
}

/** Per-base cooldown (after any close or failed entry) and bad list (after a stop-loss). */
export interface Blocks {
  cooldownUntil: Record<string, number>;
  badUntil: Record<string, number>;
}

export function parseBlocks(text: string | undefined): Blocks {
  if (text === undefined) return { cooldownUntil: {}, badUntil: {} };
  const b = JSON.parse(text) as Partial<Blocks>;
  return { cooldownUntil: b.cooldownUntil ?? {}, badUntil: b.badUntil ?? {} };
}
