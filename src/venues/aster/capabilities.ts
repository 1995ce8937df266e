import { Instrument } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { AsterSymbolInfo } from "./parse.ts";
import { ASTER_RATE_LIMITS } from "./rate-limit.ts";

/**
 * What Aster supports, as the engine reads it. Client ids are `newClientOrderId`
 * (`^[.A-Z:/a-z0-9_-]{1,36}$`); post-only is time in force GTX; a market order goes as an IOC
 * limit at its protection price. This connector margins cross only and sends one order at a time.
 */
export const ASTER_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "text", length: 32, prefix: "pb-", alphabet: "base64url" },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: false,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross"],
  rateLimits: ASTER_RATE_LIMITS,
  accountSigner: "secp256k1",
};

export const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export interface FeeDefaults {
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

/**
 * An instrument from one exchangeInfo symbol: tick (PRICE_FILTER), step (LOT_SIZE), minimum
 * notional (MIN_NOTIONAL), and the funding interval fundingInfo gives the symbol (8 h when it is
 * not listed there: the venue lists only symbols off the default).
 */
export function instrumentOf(
  venueId: string,
  s: AsterSymbolInfo,
  fundingIntervalHours: number,
  fees: FeeDefaults,
): Instrument {
  const filter = (t: string) => s.filters.find((f) => f.filterType === t);
  const tick = filter("PRICE_FILTER")?.tickSize;
  const step = filter("LOT_SIZE")?.stepSize;
  if (tick === undefined || step === undefined)
    throw new RangeError(`aster: exchangeInfo ${s.symbol} has no PRICE_FILTER.tickSize or LOT_SIZE.stepSize`);
  return new Instrument({
    venue: venueId,
    symbol: s.symbol,
    base: s.baseAsset,
    quote: s.quoteAsset,
    tickSize: tick,
    lotSize: step,
    minNotionalUsd: Number(filter("MIN_NOTIONAL")?.notional ?? 0),
    maxLeverage: 20,
    marginTiers: [],
    fundingIntervalHours,
    makerFeeBps: fees.makerFeeBps,
    takerFeeBps: fees.takerFeeBps,
  });
}

/** Trading perpetuals, optionally restricted to `symbols`. */
export function perpSymbols(all: readonly AsterSymbolInfo[], symbols: readonly string[]): AsterSymbolInfo[] {
  const want = new Set(symbols);
  return all.filter(
    (s) =>
      s.contractType === "PERPETUAL" && s.status === "TRADING" && (want.size === 0 || want.has(s.symbol)),
  );
}
