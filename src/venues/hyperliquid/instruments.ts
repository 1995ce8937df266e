/**
 * Instruments from `meta` (HLd "Tick and lot size", "Asset IDs"; VENUES.md §1.3, §1.6): the lot is
 * 10^-szDecimals, the tick 10^-(6 - szDecimals) (the finest price the venue can write), and the
 * price rule "5 significant figures, at most 6 - szDecimals decimals, integers always valid".
 * The asset id of a perp is its index in `meta.universe`, delisted ones included (they keep
 * their index), so the id is kept beside the instrument.
 */
import { Instrument, type MarginTier } from "../../core/instrument.ts";
import { BASE_FEES_BPS, MIN_ORDER_NOTIONAL_USD, maxPriceDecimals, PRICE_SIG_FIGS } from "./capabilities.ts";
import type { Meta } from "./parse.ts";

export interface HlMarket {
  readonly instrument: Instrument;
  /** the `a` of order wires */
  readonly asset: number;
  readonly szDecimals: number;
  readonly onlyIsolated: boolean;
}

function pow10Text(exp: number): string {
  return exp <= 0 ? `1${"0".repeat(-exp)}` : `0.${"0".repeat(exp - 1)}1`;
}

/**
 * Margin tiers of a universe entry: its table from `marginTables` (lowerBound in USD of
 * notional), capped at the asset's own max leverage; none when the table is not published
 * (ids below 50 are the venue's implicit single-tier tables).
 */
function tiersOf(meta: Meta, tableId: number | undefined, maxLeverage: number): MarginTier[] {
  const table = meta.marginTables?.find(([id]) => id === tableId)?.[1];
  if (table === undefined) return [];
  const tiers = table.marginTiers
    .map((t) => ({ lowerBoundUsd: Number(t.lowerBound), maxLeverage: Math.min(t.maxLeverage, maxLeverage) }))
    .sort((a, b) => a.lowerBoundUsd - b.lowerBoundUsd);
  return tiers.length > 0 && tiers[0].lowerBoundUsd === 0 ? tiers : [];
}

/** Every listed perp of `meta`, by symbol (the coin name). Delisted assets are left out. */
export function marketsFromMeta(venueId: string, meta: Meta): Map<string, HlMarket> {
  const out = new Map<string, HlMarket>();
  meta.universe.forEach((u, asset) => {
    if (u.isDelisted === true) return;
    const maxDecimals = maxPriceDecimals(u.szDecimals, "perp");
    const instrument = new Instrument({
      venue: venueId,
      symbol: u.name,
      base: u.name,
      quote: "USD",
      tickSize: pow10Text(maxDecimals),
      lotSize: pow10Text(u.szDecimals),
      minNotionalUsd: MIN_ORDER_NOTIONAL_USD,
      maxLeverage: u.maxLeverage,
      marginTiers: tiersOf(meta, u.marginTableId, u.maxLeverage),
      fundingIntervalHours: 1,
      makerFeeBps: BASE_FEES_BPS.maker,
      takerFeeBps: BASE_FEES_BPS.taker,
      priceRule: { kind: "significant_figures", figures: PRICE_SIG_FIGS, maxDecimals },
    });
    out.set(u.name, { instrument, asset, szDecimals: u.szDecimals, onlyIsolated: u.onlyIsolated === true });
  });
  return out;
}
