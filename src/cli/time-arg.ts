import { parseDecimalText } from "../config/env.ts";
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

export interface NumberArgBounds {
  /** smallest value allowed (inclusive unless `above` is set) */
  readonly min?: number;
  /** the value must be greater than this */
  readonly above?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** what the number counts, for the message: "seconds", "days" */
  readonly unit?: string;
}

function boundsText(b: NumberArgBounds): string {
  const kind = b.integer ? "a whole number" : "a decimal number";
  const unit = b.unit ? ` of ${b.unit}` : "";
  const lo = b.above !== undefined ? `above ${b.above}` : b.min !== undefined ? `at least ${b.min}` : "";
  const hi = b.max !== undefined ? `at most ${b.max}` : "";
  const range = [lo, hi].filter((x) => x !== "").join(" and ");
  return `${kind}${unit}${range ? ` ${range}` : ""}`;
}

/**
 * A number option (`--days 7`, `--status-every 0.5`), under the same rule as PERPBOT__ variables
 * (docs/configuration.md): decimal digits only, so `0x1`, `1e3` and `Infinity` are refused.
 */
export function parseNumberArg(text: string, option: string, bounds: NumberArgBounds = {}): number {
  const n = parseDecimalText(text);
  const fits =
    n !== undefined &&
    (!bounds.integer || Number.isSafeInteger(n)) &&
    (bounds.min === undefined || n >= bounds.min) &&
    (bounds.above === undefined || n > bounds.above) &&
    (bounds.max === undefined || n <= bounds.max);
  if (!fits) throw new UsageError(`${option} "${text}": expected ${boundsText(bounds)}`);
  return n;
}

/** `run --status-every` bounds: at most one status line (and store write) a second, at least one a day. */
export const STATUS_EVERY_MIN_S = 1;
export const STATUS_EVERY_MAX_S = 86_400;
/** `run --duration` at most 366 days; without it the run goes on until stopped. */
export const RUN_DURATION_MAX_S = 366 * 86_400;

/** `run --status-every`: seconds between status lines. */
export function parseStatusEvery(text: string): number {
  return parseNumberArg(text, "--status-every", {
    min: STATUS_EVERY_MIN_S,
    max: STATUS_EVERY_MAX_S,
    unit: "seconds",
  });
}

/** `run --duration`: seconds until the run stops by itself. */
export function parseRunDuration(text: string): number {
  return parseNumberArg(text, "--duration", { above: 0, max: RUN_DURATION_MAX_S, unit: "seconds" });
}
