import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { LtMarket } from "./parse.ts";
import { LIGHTER_RATE_LIMITS } from "./rate-limit.ts";

/**
 * What Lighter supports, as the engine reads it. Client order ids are the client order index,
 * 1 … 2^48−1, unique per account across markets (VENUES.md §2.2); post-only is time in force 2,
 * IOC 0 (with OrderExpiry 0), resting orders GTT. A market order goes as an IOC limit at its
 * protection price. ModifyOrder and batches exist on the venue; this connector does not send them.
 */
export const LIGHTER_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "uint", bits: 48 },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: false,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross", "isolated"],
  rateLimits: LIGHTER_RATE_LIMITS,
  accountSigner: "ecgfp5",
};

/**
 * An instrument from orderBookDetails: tick 10^-price_decimals, lot 10^-size_decimals (so a
 * signed Price is the price in ticks and BaseAmount the size in lots), leverage from the default
 * initial margin fraction (×1e-4: 500 → 20x), hourly funding, fees from the market (0 on
 * standard accounts), the minimum quote amount as the minimum notional.
 */
export function instrumentOf(venueId: string, m: LtMarket): Instrument {
  const spec: InstrumentSpec = {
    venue: venueId,
    symbol: m.symbol,
    base: m.symbol,
    quote: "USDC",
    tickSize: (10 ** -m.price_decimals).toFixed(m.price_decimals),
    lotSize: (10 ** -m.size_decimals).toFixed(m.size_decimals),
    minNotionalUsd: Number(m.min_quote_amount),
    maxLeverage: Math.max(1, Math.floor(10_000 / m.default_initial_margin_fraction)),
    marginTiers: [],
    fundingIntervalHours: 1,
    makerFeeBps: Number(m.maker_fee) * 100,
    takerFeeBps: Number(m.taker_fee) * 100,
  };
  return new Instrument(spec);
}
