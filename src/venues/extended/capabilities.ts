import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { ExMarket } from "./parse.ts";
import { EXTENDED_RATE_LIMITS } from "./rate-limit.ts";

/**
 * What Extended supports, as the engine reads it. The client's order id is the order's `id`
 * (the SDK sends the settlement hash there unless given an external id; any text is accepted,
 * 32 alphanumerics here). Time in force GTT (good till the signed expiry) or IOC; post-only and
 * reduce-only are flags. A market order is an IOC limit at the protection price (the venue's
 * MARKET type also carries a price). Leverage is per market (PATCH /user/leverage), margin cross.
 */
export const EXTENDED_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "text", length: 32, prefix: "pb", alphabet: "alnum" },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: false,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross"],
  rateLimits: EXTENDED_RATE_LIMITS,
  accountSigner: "stark",
};

export interface FeeDefaults {
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

/**
 * An instrument from one market of /info/markets: tick `minPriceChange`, leverage `maxLeverage`;
 * funding settles hourly (docs "Funding payments"). The lot is the larger of `minOrderSize` and
 * `minOrderSizeChange` when the first is a multiple of the second (BTC-USD: 0.0001, not 0.00001):
 * every whole number of lots is then a size the venue accepts, so a one-lot trim or top-up is
 * never refused as below the minimum (code 1120). The settlement asset ids and resolutions stay
 * on the market record (orders need them).
 */
export function instrumentOf(venueId: string, m: ExMarket, fees: FeeDefaults): Instrument {
  const spec: InstrumentSpec = {
    venue: venueId,
    symbol: m.name,
    base: m.assetName,
    quote: m.collateralAssetName,
    tickSize: m.tradingConfig.minPriceChange,
    lotSize: lotOf(m.tradingConfig.minOrderSize, m.tradingConfig.minOrderSizeChange),
    minNotionalUsd: 0,
    maxLeverage: Math.max(1, Math.floor(Number(m.tradingConfig.maxLeverage))),
    marginTiers: [],
    fundingIntervalHours: 1,
    makerFeeBps: fees.makerFeeBps,
    takerFeeBps: fees.takerFeeBps,
  };
  return new Instrument(spec);
}

function lotOf(minSize: string, step: string): string {
  const scale = Math.max(minSize.split(".")[1]?.length ?? 0, step.split(".")[1]?.length ?? 0);
  const units = (t: string) =>
    BigInt(t.replace(".", "") + "0".repeat(scale - (t.split(".")[1]?.length ?? 0)));
  const min = units(minSize);
  const inc = units(step);
  return inc > 0n && min > inc && min % inc === 0n ? minSize : step;
}

/** Active markets only, optionally restricted to `symbols`. */
export function tradableMarkets(markets: readonly ExMarket[], symbols: readonly string[]): ExMarket[] {
  const want = new Set(symbols);
  return markets.filter((m) => m.active && (want.size === 0 || want.has(m.name)));
}
