import {
  type DecimalStep,
  gridTolerance,
  parseStep,
  type Rounding,
  stepsOf,
  stepsOfText,
  stepsToText,
} from "./decimal.ts";
import { InvalidValueError } from "./errors.ts";
import type { Money } from "./money.ts";
import { checkPriceRule, FIXED_TICK, isAllowedPrice, type PriceRule, snapPrice } from "./price-rule.ts";
import type { Side } from "./types.ts";

/** One margin tier: from `lowerBoundUsd` of notional upward, at most `maxLeverage`. */
export interface MarginTier {
  readonly lowerBoundUsd: number;
  readonly maxLeverage: number;
}

/** What a venue publishes about one perpetual market. */
export interface InstrumentSpec {
  readonly venue: string;
  readonly symbol: string;
  /** underlying asset, e.g. "BTC"; the same underlying on two venues is the hedge key */
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minNotionalUsd: number;
  readonly maxLeverage: number;
  /** sorted by lowerBoundUsd; the first tier starts at 0. Empty means one tier at maxLeverage. */
  readonly marginTiers: readonly MarginTier[];
  readonly fundingIntervalHours: number;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  /** which tick counts are prices the venue accepts (default: every tick, FIXED_TICK) */
  readonly priceRule?: PriceRule;
}

/** How to round a price: toward the touch (more aggressive) or away from it (more passive). */
export type PriceRounding = "toward_touch" | "away_from_touch" | Rounding;

/**
 * An instrument with its grids. Prices are integer tick counts and sizes integer lot counts;
 * the methods here are the only way raw numbers become grid values.
 */
export class Instrument {
  readonly spec: InstrumentSpec;
  readonly tick: DecimalStep;
  readonly lot: DecimalStep;
  readonly priceRule: PriceRule;
  /** pico-dollars of notional for 1 lot at a price of 1 tick */
  readonly notionalUnit: bigint;
  readonly key: string;
  /** 10^decimals of the tick and of the lot, computed once (the same float `10 ** decimals` gives) */
  private readonly tickScale: number;
  private readonly lotScale: number;
  /** tiers() when the spec lists none */
  private singleTier: readonly MarginTier[] | undefined;

  constructor(spec: InstrumentSpec) {
    const where = `instrument ${spec.venue}:${spec.symbol}`;
    this.spec = spec;
    this.tick = parseStep(spec.tickSize, `${where} tickSize`);
    this.lot = parseStep(spec.lotSize, `${where} lotSize`);
    this.tickScale = 10 ** this.tick.decimals;
    this.lotScale = 10 ** this.lot.decimals;
    this.priceRule = spec.priceRule ?? FIXED_TICK;
    checkPriceRule(this.priceRule, this.tick, where);
    const dec = this.tick.decimals + this.lot.decimals;
    if (dec > 12) throw new InvalidValueError(`${where}: tick and lot decimals together exceed 12`);
    this.notionalUnit = BigInt(this.tick.atoms) * BigInt(this.lot.atoms) * 10n ** BigInt(12 - dec);
    if (!(spec.maxLeverage >= 1))
      throw new InvalidValueError(`${where}: maxLeverage ${spec.maxLeverage} < 1`);
    if (!(spec.fundingIntervalHours > 0))
      throw new InvalidValueError(`${where}: fundingIntervalHours ${spec.fundingIntervalHours} must be > 0`);
    if (!(spec.minNotionalUsd >= 0)) throw new InvalidValueError(`${where}: minNotionalUsd must be >= 0`);
    for (const t of spec.marginTiers) {
      if (!(t.maxLeverage >= 1) || !(t.lowerBoundUsd >= 0))
        throw new InvalidValueError(`${where}: bad margin tier ${JSON.stringify(t)}`);
    }
    this.key = `${spec.venue}:${spec.symbol}`;
  }

  get venue(): string {
    return this.spec.venue;
  }
  get symbol(): string {
    return this.spec.symbol;
  }

  toString(): string {
    return this.key;
  }

  /** Price ticks from an exact value; throws when NaN, <= 0, off the tick grid or refused by the price rule. */
  price(value: number | string): number {
    const ticks =
      typeof value === "string" ? stepsOfText(value, this.tick) : exactSteps(value, this.tick.value);
    if (ticks === null || !(ticks > 0)) {
      throw new InvalidValueError(
        `${this.key}: price ${String(value)} is not a positive multiple of tick ${this.spec.tickSize}`,
      );
    }
    if (!isAllowedPrice(this.priceRule, ticks)) {
      throw new InvalidValueError(
        `${this.key}: price ${String(value)} breaks the price rule ${ruleText(this.priceRule)}`,
      );
    }
    return ticks;
  }

  /** Whether a tick count is a price this instrument accepts (the grid and the price rule). */
  isAllowedPrice(ticks: number): boolean {
    return Number.isSafeInteger(ticks) && ticks > 0 && isAllowedPrice(this.priceRule, ticks);
  }

  /** Size lots from an exact value; throws when NaN, negative or off the lot grid. */
  size(value: number | string): number {
    const lots = typeof value === "string" ? stepsOfText(value, this.lot) : exactSteps(value, this.lot.value);
    if (lots === null || lots < 0) {
      throw new InvalidValueError(
        `${this.key}: size ${String(value)} is not a non-negative multiple of lot ${this.spec.lotSize}`,
      );
    }
    return lots;
  }

  /**
   * Round a raw price onto the tick grid. `toward_touch` moves the price toward the other side of
   * the book (a buy rounds up, a sell down): more likely to fill. `away_from_touch` is the
   * opposite: never pays more than asked.
   */
  roundPrice(value: number, side: Side, rounding: PriceRounding): number {
    if (!(value > 0)) throw new InvalidValueError(`${this.key}: price ${value} must be a positive number`);
    let dir: Rounding;
    if (rounding === "toward_touch") dir = side === "buy" ? "up" : "down";
    else if (rounding === "away_from_touch") dir = side === "buy" ? "down" : "up";
    else dir = rounding;
    const ticks = stepsOf(value, this.tick, dir);
    if (ticks < 1) throw new InvalidValueError(`${this.key}: price ${value} rounds below one tick`);
    // the same direction again on the rule's coarser step; a no-op for a fixed tick
    return snapPrice(this.priceRule, ticks, dir);
  }

  /** Round a raw size onto the lot grid; "down" never exceeds the amount asked. */
  roundSize(value: number, rounding: Rounding): number {
    if (!(value >= 0))
      throw new InvalidValueError(`${this.key}: size ${value} must be a non-negative number`);
    return stepsOf(value, this.lot, rounding);
  }

  priceText(ticks: number): string {
    return stepsToText(ticks, this.tick);
  }
  sizeText(lots: number): string {
    return stepsToText(lots, this.lot);
  }
  /** float price, for analytics and display */
  priceValue(ticks: number): number {
    return (ticks * this.tick.atoms) / this.tickScale;
  }
  /** float size, for analytics and display */
  sizeValue(lots: number): number {
    return (lots * this.lot.atoms) / this.lotScale;
  }

  /** Exact notional of `lots` at `ticks` (absolute value of lots is taken). */
  notional(lots: number, ticks: number): Money {
    return BigInt(Math.abs(lots)) * BigInt(ticks) * this.notionalUnit;
  }

  /** The largest leverage allowed for a position of this notional, from the tiers. */
  maxLeverageAt(notionalUsd: number): number {
    let lev = this.spec.maxLeverage;
    for (const t of this.spec.marginTiers) if (notionalUsd >= t.lowerBoundUsd) lev = t.maxLeverage;
    return lev;
  }

  /**
   * Maintenance margin (USD, float) for a notional, by Hyperliquid's tier rule:
   * MM = notional * mmr_n - deduction_n, mmr_n = 1/(2 maxLev_n),
   * deduction_n = deduction_{n-1} + lowerBound_n * (mmr_n - mmr_{n-1}).
   */
  maintenanceMargin(notionalUsd: number): number {
    const tiers = this.tiers();
    let mmrPrev = 1 / (2 * tiers[0].maxLeverage);
    let deduction = 0;
    let mmr = mmrPrev;
    for (let i = 1; i < tiers.length; i++) {
      const t = tiers[i];
      if (notionalUsd < t.lowerBoundUsd) break;
      mmr = 1 / (2 * t.maxLeverage);
      deduction += t.lowerBoundUsd * (mmr - mmrPrev);
      mmrPrev = mmr;
    }
    return notionalUsd * mmr - deduction;
  }

  /** Maintenance margin rate in force at a notional (the tier's 1/(2 maxLev)). */
  maintenanceMarginRate(notionalUsd: number): number {
    return 1 / (2 * this.maxLeverageAt(notionalUsd));
  }

  private tiers(): readonly MarginTier[] {
    if (this.spec.marginTiers.length > 0) return this.spec.marginTiers;
    // one tier at the instrument's maximum leverage, built once (the liquidation check asks on every event)
    this.singleTier ??= [{ lowerBoundUsd: 0, maxLeverage: this.spec.maxLeverage }];
    return this.singleTier;
  }
}

function ruleText(rule: PriceRule): string {
  return rule.kind === "tick"
    ? "fixed tick"
    : `(${rule.figures} significant figures, at most ${rule.maxDecimals} decimals, integers allowed)`;
}

function exactSteps(value: number, step: number): number | null {
  if (!Number.isFinite(value)) return null;
  const q = value / step;
  const n = Math.round(q);
  return Math.abs(q - n) <= gridTolerance(q) ? n : null;
}
