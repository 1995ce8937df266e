import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";

/**
 * Default instrument catalogue of the two simulated venues.
 *
 * simA is Hyperliquid-like. Lot sizes are 10^-szDecimals from Hyperliquid's `meta` info endpoint
 * (BTC 5, ETH 4, SOL 2, DOGE 0 decimals); ticks are what Hyperliquid's five-significant-figure
 * price rule gives at 2024 prices (BTC ~60k -> 1, ETH ~2.6k -> 0.1, SOL ~170 -> 0.01,
 * DOGE ~0.14 -> 0.00001). Max leverage 50/50/20/20 is what the recorded liquidation prices of
 * DOMAIN.md §1 were taken at; the upper tiers (BTC above 150M notional 20x, ETH above 100M 15x)
 * are Hyperliquid's published margin tiers (DOMAIN.md §1). Funding every hour, fees 1.5/4.5 bps
 * (DOMAIN.md §2, §3), minimum order value 10 USD (Hyperliquid docs, "Order types").
 *
 * simB is Aster-like: Aster runs Binance-format USDⓈ-M markets, so ticks/lots follow the
 * Binance-format exchangeInfo filters (PRICE_FILTER tickSize, LOT_SIZE stepSize, MIN_NOTIONAL 5)
 * of those symbols. Funding every 8 h on BTC and ETH and every 4 h on SOL and DOGE (Aster sets
 * the interval per symbol, DOMAIN.md §2), fees 0.5/4.0 bps (DOMAIN.md §3). Single-tier margin at
 * the max leverage: Binance-format brackets do not follow the DOMAIN.md §1 tier formula.
 */

const simA = (
  symbol: string,
  tickSize: string,
  lotSize: string,
  maxLeverage: number,
  upper?: [number, number],
): InstrumentSpec => ({
  venue: "simA",
  symbol,
  base: symbol,
  quote: "USD",
  tickSize,
  lotSize,
  minNotionalUsd: 10,
  maxLeverage,
  marginTiers: upper
    ? [
        { lowerBoundUsd: 0, maxLeverage },
        { lowerBoundUsd: upper[0], maxLeverage: upper[1] },
      ]
    : [],
  fundingIntervalHours: 1,
  makerFeeBps: 1.5,
  takerFeeBps: 4.5,
});

const simB = (
  base: string,
  tickSize: string,
  lotSize: string,
  maxLeverage: number,
  fundingIntervalHours: number,
): InstrumentSpec => ({
  venue: "simB",
  symbol: `${base}USDT`,
  base,
  quote: "USDT",
  tickSize,
  lotSize,
  minNotionalUsd: 5,
  maxLeverage,
  marginTiers: [],
  fundingIntervalHours,
  makerFeeBps: 0.5,
  takerFeeBps: 4.0,
});

export const SIM_A_SPECS: readonly InstrumentSpec[] = [
  simA("BTC", "1", "0.00001", 50, [150_000_000, 20]),
  simA("ETH", "0.1", "0.0001", 50, [100_000_000, 15]),
  simA("SOL", "0.01", "0.01", 20),
  simA("DOGE", "0.00001", "1", 20),
];

export const SIM_B_SPECS: readonly InstrumentSpec[] = [
  simB("BTC", "0.1", "0.001", 100, 8),
  simB("ETH", "0.01", "0.001", 100, 8),
  simB("SOL", "0.01", "1", 50, 4),
  simB("DOGE", "0.00001", "1", 50, 4),
];

/** Fresh Instrument objects of a catalogue venue ("simA" or "simB"). */
export function catalogInstruments(venue: "simA" | "simB"): Instrument[] {
  return (venue === "simA" ? SIM_A_SPECS : SIM_B_SPECS).map((s) => new Instrument(s));
}
