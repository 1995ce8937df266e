/**
 * The emulator's instruments and Hyperliquid's price and size rules, written from the venue's
 * documentation (HLd "Tick and lot size"; VENUES.md §1.6) and kept apart from the connector's
 * `../capabilities.ts`: the two sides meet only at the protocol, so a misreading of the rule on
 * one side shows up as a refusal on the other.
 *
 * A perp price is valid with at most 5 significant figures AND at most 6 − szDecimals decimals;
 * an integer price is always valid. Sizes have at most szDecimals decimals.
 */
import { Instrument } from "../../../core/instrument.ts";

export interface CoinSpec {
  readonly name: string;
  readonly szDecimals: number;
  readonly maxLeverage: number;
  /** the mark and oracle price the emulator starts from */
  readonly markPx: number;
  /** hourly funding rate in force at start (default 0.0000125, the venue's baseline 0.01%/8h) */
  readonly fundingRate?: number;
}

/** A small universe in the venue's meta order (asset id = index). Leverage as on mainnet, late 2025. */
export const DEFAULT_UNIVERSE: readonly CoinSpec[] = [
  { name: "BTC", szDecimals: 5, maxLeverage: 40, markPx: 97_000 },
  { name: "ETH", szDecimals: 4, maxLeverage: 25, markPx: 3_500 },
  { name: "SOL", szDecimals: 2, maxLeverage: 20, markPx: 200 },
];

export const MAX_PERP_DECIMALS = 6;
export const SIG_FIGS = 5;
export const MIN_NOTIONAL_USD = 10;
export const BASELINE_FUNDING_PER_HOUR = 0.0000125;
/** base-tier fees (HLd "Fees"): maker 0.015%, taker 0.045% */
export const MAKER_FEE_BPS = 1.5;
export const TAKER_FEE_BPS = 4.5;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export function priceDecimals(szDecimals: number): number {
  return Math.max(0, MAX_PERP_DECIMALS - szDecimals);
}

/** Whether a wire price text obeys the rule (the text arrives normalised: no trailing zeros). */
export function validPrice(px: string, szDecimals: number): boolean {
  const m = DECIMAL.exec(px);
  if (!m) return false;
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac === "") return true;
  if (frac.length > priceDecimals(szDecimals)) return false;
  const significant = `${m[1]}${frac}`.replace(/^0+/, "");
  return significant.length <= SIG_FIGS;
}

export function validSize(sz: string, szDecimals: number): boolean {
  const m = DECIMAL.exec(sz);
  return m !== null && (m[2] ?? "").replace(/0+$/, "").length <= szDecimals;
}

/** Decimal text without trailing zeros ("97000", "0.5"), how the venue prints most numbers. */
export function num(x: number, decimals = 8): string {
  if (!Number.isFinite(x)) return "0";
  const t = x.toFixed(decimals);
  const out = t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t;
  return out === "-0" ? "0" : out;
}

/**
 * The core instrument for a coin: the finest tick the rule can write (10^-(6 − szDecimals)) with
 * the significant-figures rule on top, lots of 10^-szDecimals, hourly funding.
 */
export function instrumentOf(coin: CoinSpec, venueId: string): Instrument {
  const dp = priceDecimals(coin.szDecimals);
  const step = (d: number) => (d === 0 ? "1" : `0.${"0".repeat(d - 1)}1`);
  return new Instrument({
    venue: venueId,
    symbol: coin.name,
    base: coin.name,
    quote: "USDC",
    tickSize: step(dp),
    lotSize: step(coin.szDecimals),
    minNotionalUsd: MIN_NOTIONAL_USD,
    maxLeverage: coin.maxLeverage,
    marginTiers: [],
    fundingIntervalHours: 1,
    makerFeeBps: MAKER_FEE_BPS,
    takerFeeBps: TAKER_FEE_BPS,
    priceRule: { kind: "significant_figures", figures: SIG_FIGS, maxDecimals: dp },
  });
}

/** `meta` as the venue serves it (marginTables: one single-tier table per coin). */
export function metaOf(universe: readonly CoinSpec[]) {
  return {
    universe: universe.map((c, i) => ({
      name: c.name,
      szDecimals: c.szDecimals,
      maxLeverage: c.maxLeverage,
      marginTableId: i + 1,
    })),
    marginTables: universe.map((c, i) => [
      i + 1,
      {
        description: `${c.maxLeverage}x`,
        marginTiers: [{ lowerBound: "0.0", maxLeverage: c.maxLeverage }],
      },
    ]),
  };
}

/** "97000.0" → "97000", "0.50" → "0.5": the grid's text without trailing zeros. */
export function trim(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}
