/**
 * Money in the ledger is an exact integer count of pico-dollars (1e-12 USD) held in a bigint.
 * Every transfer debits one balance and credits another by the same integer, which is what lets
 * the simulator prove conservation exactly. Convert to a float only for display and analytics.
 */
export type Money = bigint;

export const PICO_PER_USD = 1_000_000_000_000n;
const PICO_PER_USD_NUM = 1e12;

export const ZERO: Money = 0n;

/** Money from a float dollar amount, rounded to the nearest pico-dollar. */
export function usd(amount: number): Money {
  if (!Number.isFinite(amount)) throw new RangeError(`usd(${amount}): not a finite amount`);
  // split to keep precision for large amounts: whole dollars exactly, the fraction rounded
  const whole = Math.trunc(amount);
  const frac = Math.round((amount - whole) * PICO_PER_USD_NUM);
  return BigInt(whole) * PICO_PER_USD + BigInt(frac);
}

/** Dollars as a float (display and analytics only). */
export function toUsd(m: Money): number {
  const whole = m / PICO_PER_USD;
  const frac = m - whole * PICO_PER_USD;
  return Number(whole) + Number(frac) / PICO_PER_USD_NUM;
}

/** Exact decimal text, e.g. "-12.5" (trailing zeros trimmed). */
export function moneyText(m: Money): string {
  const neg = m < 0n;
  const a = neg ? -m : m;
  const whole = a / PICO_PER_USD;
  const frac = (a % PICO_PER_USD).toString().padStart(12, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** m * numerator / denominator, rounded toward +infinity ("up") or -infinity ("down"). */
export function mulDiv(m: Money, numerator: bigint, denominator: bigint, rounding: "up" | "down"): Money {
  if (denominator <= 0n) throw new RangeError("mulDiv: denominator must be positive");
  const p = m * numerator;
  const q = p / denominator;
  const r = p % denominator;
  if (r === 0n) return q;
  // bigint division truncates toward zero
  if (rounding === "down") return p < 0n ? q - 1n : q;
  return p > 0n ? q + 1n : q;
}

/** Fee on a notional at `bps` basis points (may be negative: a rebate), rounded in the venue's favour. */
export function feeOf(notional: Money, bps: number): Money {
  // bps to an exact rational with 1e-6 bps resolution
  const micro = BigInt(Math.round(bps * 1_000_000));
  return mulDiv(notional, micro, 10_000n * 1_000_000n, "up");
}
