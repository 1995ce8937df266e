import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { PdxMarketInfo } from "./parse.ts";
import { PARADEX_RATE_LIMITS } from "./rate-limit.ts";

/**
 * What Paradex supports, as the engine reads it. Client ids are free text (`client_id`, unique
 * per account: DUPLICATED_CLIENT_ID); post-only is `instruction: "POST_ONLY"`, IOC
 * `instruction: "IOC"`, reduce-only `flags: ["REDUCE_ONLY"]`. A market order is sent as an IOC
 * limit at the engine's protection price (signed like any limit). Margin is cross or isolated
 * per market (`POST /account/margin/{market}`). Amend exists on the venue (`PUT /orders/{id}`)
 * but is not used; batch orders likewise.
 */
export const PARADEX_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "text", length: 32, prefix: "pb", alphabet: "alnum" },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: false,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross", "isolated"],
  rateLimits: PARADEX_RATE_LIMITS,
  accountSigner: "stark",
};

export interface FeeDefaults {
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

/**
 * An instrument from one PERP market of /v1/markets: tick `price_tick_size`, lot
 * `order_size_increment`, minimum notional `min_notional`, maximum leverage 1 / imf_base of its
 * cross-margin parameters (the size-dependent growth of imf is not modelled), the funding period
 * `funding_period_hours` (default 8).
 */
export function instrumentOf(venueId: string, m: PdxMarketInfo, fees: FeeDefaults): Instrument {
  const imf = Number(m.delta1_cross_margin_params?.imf_base ?? "0.1");
  const spec: InstrumentSpec = {
    venue: venueId,
    symbol: m.symbol,
    base: m.base_currency,
    quote: m.quote_currency,
    tickSize: m.price_tick_size,
    lotSize: m.order_size_increment,
    minNotionalUsd: Number(m.min_notional ?? "0"),
    maxLeverage: imf > 0 ? Math.max(1, Math.floor(1 / imf)) : 10,
    marginTiers: [],
    fundingIntervalHours:
      m.funding_period_hours !== undefined && m.funding_period_hours > 0 ? m.funding_period_hours : 8,
    makerFeeBps: fees.makerFeeBps,
    takerFeeBps: fees.takerFeeBps,
  };
  return new Instrument(spec);
}

/** The maintenance fraction of a market: imf_base × mmf_factor (Paradex's cross-margin parameters). */
export function maintenanceFraction(m: PdxMarketInfo): number {
  const p = m.delta1_cross_margin_params;
  return p === undefined ? 0.05 : Number(p.imf_base) * Number(p.mmf_factor);
}

/** PERP markets only, optionally restricted to `symbols`. */
export function perpMarkets(markets: readonly PdxMarketInfo[], symbols: readonly string[]): PdxMarketInfo[] {
  const want = new Set(symbols);
  return markets.filter((m) => m.asset_kind === "PERP" && (want.size === 0 || want.has(m.symbol)));
}
