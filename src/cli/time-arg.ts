import { UsageError } from "./errors.ts";

/**
 * A point in time from the command line (`--since`): an age ("90s", "15m", "2h", "7d"), an ISO
 * date or date-time ("2026-01-05", "2026-01-05T08:00:00+08:00"; a date alone is UTC midnight), or
 * epoch milliseconds. Returns epoch ms.
 */
const AGE_RE = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ISO_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseTimeArg(text: string, option: string, now: number = Date.now()): number {
  const t = text.trim();
  const age = AGE_RE.exec(t);
  if (age) return Math.round(now - Number(age[1]) * UNIT_MS[age[2]]);
  if (/^\d{10,16}$/.test(t)) return Number(t);
  if (ISO_RE.test(t)) {
    // a date-time without an offset would be read as local time by Date.parse: make it UTC
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(t) && t.length > 10;
    const ms = Date.parse(t.length === 10 || hasZone ? t : `${t.replace(" ", "T")}Z`);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(
    `${option} "${text}": expected an age such as 15m, 2h or 7d, an ISO time such as 2026-01-05T08:00:00Z, or epoch ms`,
  );
}

/** A positive whole number option such as --limit. */
export function parseCountArg(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${option} "${text}": expected a whole number of at least 1`);
  return n;
}
