import type { DecimalStep, Rounding } from "./decimal.ts";
import { InvalidValueError } from "./errors.ts";

/**
 * Which prices a venue accepts on an instrument, on top of its tick grid.
 * - `tick`: every multiple of the tick (Binance-format venues, Lighter, the simulator).
 * - `significant_figures`: at most `figures` significant figures and at most `maxDecimals`
 *   decimals, integer prices always allowed, as on Hyperliquid (5 figures; max decimals
 *   6 - szDecimals for perps, 8 - szDecimals for spot: docs "Tick and lot size"). The
 *   instrument's tick must then be 10^-maxDecimals, the finest price the rule can write.
 *
 * Prices stay integer tick counts everywhere; the rule only says which counts are allowed, so the
 * allowed step (in ticks) widens with the price: 10^(digits - figures), capped at 10^maxDecimals
 * (one whole unit: integers are always allowed).
 */
export type PriceRule =
  | { readonly kind: "tick" }
  | { readonly kind: "significant_figures"; readonly figures: number; readonly maxDecimals: number };

export const FIXED_TICK: PriceRule = { kind: "tick" };

/** Throws unless `rule` can apply to a tick grid of `tick`; `where` names the instrument. */
export function checkPriceRule(rule: PriceRule, tick: DecimalStep, where: string): void {
  if (rule.kind === "tick") return;
  if (rule.kind !== "significant_figures")
    throw new InvalidValueError(`${where}: unknown price rule ${JSON.stringify(rule)}`);
  const { figures, maxDecimals } = rule;
  if (!Number.isSafeInteger(figures) || figures < 1 || figures > 15)
    throw new InvalidValueError(`${where}: price rule figures ${figures} must be an integer in [1, 15]`);
  if (!Number.isSafeInteger(maxDecimals) || maxDecimals < 0 || maxDecimals > 15)
    throw new InvalidValueError(
      `${where}: price rule maxDecimals ${maxDecimals} must be an integer in [0, 15]`,
    );
  if (tick.atoms !== 1 || tick.decimals !== maxDecimals)
    throw new InvalidValueError(
      `${where}: a significant-figures price rule with maxDecimals ${maxDecimals} needs tick ${maxDecimals === 0 ? "1" : `0.${"0".repeat(maxDecimals - 1)}1`}, got ${tick.text}`,
    );
}

const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

function digits(n: number): number {
  let d = 1;
  while (d < 16 && n >= POW10[d]) d++;
  return d;
}

/** The allowed step, in ticks, for prices with as many digits as `ticks` (>= 1). */
export function priceStepTicks(rule: PriceRule, ticks: number): number {
  if (rule.kind === "tick") return 1;
  const excess = digits(ticks) - rule.figures;
  if (excess <= 0) return 1;
  return POW10[Math.min(excess, rule.maxDecimals)];
}

/** Whether a positive integer tick count is a price the rule allows. */
export function isAllowedPrice(rule: PriceRule, ticks: number): boolean {
  if (rule.kind === "tick") return true;
  return ticks % priceStepTicks(rule, ticks) === 0;
}

/**
 * The allowed price nearest to `ticks` (a positive integer) in the direction asked: "down" is the
 * largest allowed price <= ticks, "up" the smallest >= ticks, "nearest" the closer of the two
 * (ties go up). A price already allowed is returned unchanged.
 */
export function snapPrice(rule: PriceRule, ticks: number, rounding: Rounding): number {
  if (rule.kind === "tick") return ticks;
  const step = priceStepTicks(rule, ticks);
  const down = Math.floor(ticks / step) * step;
  if (down === ticks) return ticks;
  // rounding up may carry into one more digit (99_999.5 -> 100_000): a multiple of every
  // smaller power of ten, so still allowed
  const up = down + step;
  if (rounding === "down") return down;
  if (rounding === "up") return up;
  return ticks - down < up - ticks ? down : up;
}
