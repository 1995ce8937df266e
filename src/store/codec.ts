import type { SQLInputValue } from "node:sqlite";
import { InvalidValueError } from "../core/errors.ts";
import { type Money, moneyText, PICO_PER_USD } from "../core/money.ts";

/**
 * Conversions between domain values and the store's columns. Money and every price or size are
 * stored as exact decimal TEXT (never REAL/DOUBLE), so both backends give back exactly what was
 * written; timestamps are BIGINT milliseconds, read back as numbers on both backends.
 */

const DECIMAL_RE = /^-?\d+(?:\.\d+)?$/;
const MONEY_RE = /^(-?)(\d+)(?:\.(\d{1,12}))?$/;

/** Money as its exact decimal text, e.g. 12_500_000_000_000n -> "12.5". */
export function moneyToText(m: Money): string {
  if (typeof m !== "bigint")
    throw new InvalidValueError(`money must be a bigint of pico-dollars, got ${typeof m} ${String(m)}`);
  return moneyText(m);
}

/** The inverse of moneyToText; refuses text that is not an exact pico-dollar amount. */
export function moneyFromText(text: string, what = "money"): Money {
  const m = MONEY_RE.exec(text);
  if (!m) throw new InvalidValueError(`${what}: "${text}" is not a decimal amount with at most 12 decimals`);
  const pico = BigInt(m[2]) * PICO_PER_USD + BigInt((m[3] ?? "").padEnd(12, "0"));
  return m[1] === "-" ? -pico : pico;
}

/** Whether a value is exact decimal text (the check of decimalText, without a message). */
export function isDecimalText(text: unknown): boolean {
  return typeof text === "string" && DECIMAL_RE.test(text);
}

/** Whether a value is a timestamp in ms (the check of timestamp, without a message). */
export function isTimestamp(ts: number): boolean {
  return Number.isSafeInteger(ts) && ts >= 0;
}

/** Checks a price or size is exact decimal text before it is stored ("0.001", "-2", not "1e-3"). */
export function decimalText(text: string, what: string): string {
  if (!isDecimalText(text)) {
    throw new InvalidValueError(
      `${what}: ${JSON.stringify(text)} is not exact decimal text such as "123.45"`,
    );
  }
  return text;
}

/** A BIGINT column as a number (SQLite gives numbers; pg is configured to as well). */
export function toNumber(v: unknown, what: string): number {
  const n =
    typeof v === "number" ? v : typeof v === "bigint" || typeof v === "string" ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidValueError(`${what}: ${String(v)} is not a safe integer`);
  return n;
}

/** A timestamp in ms that we are about to store. */
export function timestamp(ts: number, what: string): number {
  if (!isTimestamp(ts)) throw new InvalidValueError(`${what}: ${ts} is not a timestamp in ms`);
  return ts;
}

/** A row object from a column list and its values in the same order (the Kysely write path). */
export function rowObject<T>(cols: readonly string[], params: readonly SQLInputValue[]): T {
  const row: Record<string, SQLInputValue> = {};
  for (let i = 0; i < cols.length; i++) row[cols[i]] = params[i];
  return row as T;
}
