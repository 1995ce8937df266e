import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { BpMarket } from "./parse.ts";
import { BACKPACK_RATE_LIMITS } from "./rate-limit.ts";

/**
 * What Backpack supports, as the engine reads it. Client ids are u32 (`clientId`, docs "Execute
 * order"); post-only is `postOnly: true` on a GTC limit; a market order is sent as an IOC limit at
 * the protection price, so it never fills beyond it. Margin is cross only (one account-wide
 * `leverageLimit`); batch orders exist on the venue but this connector sends one at a time.
 */
export const BACKPACK_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "uint", bits: 32 },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: false,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross"],
  rateLimits: BACKPACK_RATE_LIMITS,
  accountSigner: "ed25519",
};

export interface FeeDefaults {
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

/**
 * An instrument from one perp market of /api/v1/markets: tick and step from its filters, the
 * maximum leverage from the base initial-margin fraction (1 / imf.base; the venue's sqrt growth
 * of imf with size is not modelled), the funding interval from `fundingInterval` (ms, default 1 h).
 * Backpack has no minimum notional, only a minimum quantity, which the venue checks.
 */
export function instrumentOf(venueId: string, m: BpMarket, fees: FeeDefaults): Instrument {
  const imf = Number(m.imfFunction?.base ?? "0.1");
  const spec: InstrumentSpec = {
    venue: venueId,
    symbol: m.symbol,
    base: m.baseSymbol,
    quote: m.quoteSymbol,
    tickSize: m.filters.price.tickSize,
    lotSize: m.filters.quantity.stepSize,
    minNotionalUsd: 0,
    maxLeverage: imf > 0 ? Math.max(1, Math.floor(1 / imf)) : 10,
    marginTiers: [],
    fundingIntervalHours: (m.fundingInterval ?? 3_600_000) / 3_600_000,
    makerFeeBps: fees.makerFeeBps,
    takerFeeBps: fees.takerFeeBps,
  };
  return new Instrument(spec);
}

/** Perp markets only (marketType "PERP"), optionally restricted to `symbols`. */
export function perpMarkets(markets: readonly BpMarket[], symbols: readonly string[]): BpMarket[] {
  const want = new Set(symbols);
  return markets.filter((m) => m.marketType === "PERP" && (want.size === 0 || want.has(m.symbol)));
}
