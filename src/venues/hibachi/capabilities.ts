import { Instrument } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { ExchangeInfo, HibachiContract } from "./parse.ts";
import { HIBACHI_RATE_LIMITS } from "./rate-limit.ts";

/**
 * What Hibachi supports, as the engine reads it. The venue has no client order id: an order is
 * found by the nonce it was signed with (api.py `get_order_details(nonce=…)`), so the connector
 * keeps perpbot's id → nonce. `orderFlags` is one of POST_ONLY, IOC, REDUCE_ONLY (types.py
 * OrderFlags): a reduce-only IOC is sent REDUCE_ONLY and its remainder canceled at once. An amend
 * is the venue's PUT /trade/order (price and total size, same order id). Margin is
 * cross only; no leverage endpoint exists (the margin rate is per contract).
 */
export const HIBACHI_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "uint", bits: 48 },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: true,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross"],
  rateLimits: HIBACHI_RATE_LIMITS,
  // a trustless account's; an exchange-managed one (kind = "managed") binds an "hmac" signer
  accountSigner: "secp256k1",
};

/** Hibachi does not publish its funding interval; the emulator settles every 8 h (docs/venues/hibachi.md). */
export const FUNDING_INTERVAL_HOURS = 8;

/**
 * An instrument of one contract of /market/exchange-info: tick and step as listed, maximum
 * leverage 1 / initialMarginRate, fees from `feeConfig` (rates → bps).
 */
export function instrumentOf(venueId: string, c: HibachiContract, info: ExchangeInfo): Instrument {
  const imr = Number(c.initialMarginRate);
  return new Instrument({
    venue: venueId,
    symbol: c.symbol,
    base: c.underlyingSymbol,
    quote: c.settlementSymbol,
    tickSize: c.tickSize,
    lotSize: c.stepSize,
    minNotionalUsd: Number(c.minNotional),
    maxLeverage: imr > 0 ? Math.max(1, Math.floor(1 / imr)) : 10,
    marginTiers: [],
    fundingIntervalHours: FUNDING_INTERVAL_HOURS,
    makerFeeBps: Number(info.feeConfig.tradeMakerFeeRate) * 10_000,
    takerFeeBps: Number(info.feeConfig.tradeTakerFeeRate) * 10_000,
  });
}

/** Live contracts, optionally restricted to `symbols`. */
export function liveContracts(info: ExchangeInfo, symbols: readonly string[]): HibachiContract[] {
  const want = new Set(symbols);
  return info.futureContracts.filter((c) => c.status === "LIVE" && (want.size === 0 || want.has(c.symbol)));
}
