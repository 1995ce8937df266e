import { Instrument } from "../core/instrument.ts";

/**
 * Instrument specs for synthetic markets and tests, close to what real venues publish.
 * "binance" follows Binance USD-M grids, "hyperliquid" Hyperliquid's (5 significant figures of price,
 * so BTC in whole dollars; szDecimals for lots): a two-venue synthetic market exercises two
 * different grids for the same underlying.
 */
export type SyntheticGrid = "binance" | "hyperliquid";

interface GridRow {
  readonly tick: Record<SyntheticGrid, string>;
  readonly lot: Record<SyntheticGrid, string>;
  /** DOMAIN.md section 1 */
  readonly maxLeverage: number;
}

const GRIDS: Record<string, GridRow> = {
  BTC: {
    tick: { binance: "0.1", hyperliquid: "1" },
    lot: { binance: "0.001", hyperliquid: "0.00001" },
    maxLeverage: 50,
  },
  ETH: {
    tick: { binance: "0.01", hyperliquid: "0.1" },
    lot: { binance: "0.001", hyperliquid: "0.0001" },
    maxLeverage: 50,
  },
  SOL: {
    tick: { binance: "0.01", hyperliquid: "0.01" },
    lot: { binance: "1", hyperliquid: "0.01" },
    maxLeverage: 20,
  },
  DOGE: {
    tick: { binance: "0.00001", hyperliquid: "0.00001" },
    lot: { binance: "1", hyperliquid: "1" },
    maxLeverage: 20,
  },
};
const OTHER: GridRow = {
  tick: { binance: "0.001", hyperliquid: "0.001" },
  lot: { binance: "0.1", hyperliquid: "0.1" },
  maxLeverage: 10,
};

/** One synthetic perpetual on `venue` for `base` (symbol `${base}-PERP`), hourly funding. */
export function syntheticInstrument(
  venue: string,
  base: string,
  grid: SyntheticGrid = "binance",
): Instrument {
  const row = GRIDS[base] ?? OTHER;
  return new Instrument({
    venue,
    symbol: `${base}-PERP`,
    base,
    quote: "USD",
    tickSize: row.tick[grid],
    lotSize: row.lot[grid],
    minNotionalUsd: 10,
    maxLeverage: row.maxLeverage,
    marginTiers: [],
    fundingIntervalHours: 1,
    // Hyperliquid base tier (DOMAIN.md section 3)
    makerFeeBps: 1.5,
    takerFeeBps: 4.5,
  });
}

/** Every base on every venue; even-numbered venues use the Binance grids, odd ones Hyperliquid's. */
export function syntheticInstruments(venues: readonly string[], bases: readonly string[]): Instrument[] {
  const out: Instrument[] = [];
  venues.forEach((venue, i) => {
    for (const base of bases)
      out.push(syntheticInstrument(venue, base, i % 2 === 0 ? "binance" : "hyperliquid"));
  });
  return out;
}
