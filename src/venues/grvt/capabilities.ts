import { Instrument, type InstrumentSpec } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { GrvtInstrument } from "./parse.ts";
import { GRVT_RATE_LIMITS } from "./rate-limit.ts";
import type { InstrumentScale } from "./signing.ts";

/**
 * What GRVT supports, as the engine reads it. Client order ids are decimal uint64 text
 * (`metadata.client_order_id`; this connector keeps them to u32 so they stay exact in JSON
 * numbers everywhere); post-only is `post_only` on a GOOD_TILL_TIME limit; a market order is
 * `is_market` without a price. Margin is cross (`SIMPLE_CROSS_MARGIN`); no in-place amend.
 */
export const GRVT_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "uint", bits: 32 },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: false,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross"],
  rateLimits: GRVT_RATE_LIMITS,
  accountSigner: "secp256k1",
};

export interface FeeDefaults {
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

/** GRVT's base tier (DOMAIN.md §3): a maker rebate of 1 bp, 5.5 bp taker. */
export const GRVT_DEFAULT_FEES: FeeDefaults = { makerFeeBps: -1, takerFeeBps: 5.5 };

/**
 * An instrument from one perpetual of `all_instruments`: tick and lot from `tick_size` and
 * `min_size` (the venue's size granularity; ccxt: "confirmed, not base_decimals"), minimum
 * notional from `min_notional` (absent on older listings: 0), funding interval from
 * `funding_interval_hours` (8 when absent). GRVT reports leverage per account
 * (`get_all_initial_leverage`), not in the instrument list, so the ceiling is the caller's
 * (config); the default 10 is this project's assumption, not a venue figure.
 */
export function instrumentOf(
  venueId: string,
  m: GrvtInstrument,
  fees: FeeDefaults,
  maxLeverage = 10,
): Instrument {
  const spec: InstrumentSpec = {
    venue: venueId,
    symbol: m.instrument,
    base: m.base,
    quote: m.quote,
    tickSize: m.tick_size,
    lotSize: m.min_size,
    minNotionalUsd: Number(m.min_notional ?? "0"),
    maxLeverage,
    marginTiers: [],
    fundingIntervalHours:
      m.funding_interval_hours && m.funding_interval_hours > 0 ? m.funding_interval_hours : 8,
    makerFeeBps: fees.makerFeeBps,
    takerFeeBps: fees.takerFeeBps,
  };
  return new Instrument(spec);
}

/** What order signing needs of an instrument. */
export function scaleOf(m: GrvtInstrument): InstrumentScale {
  return { instrument: m.instrument, instrumentHash: m.instrument_hash, baseDecimals: m.base_decimals };
}

/** Perpetuals only, optionally restricted to `symbols`. */
export function perpetuals(list: readonly GrvtInstrument[], symbols: readonly string[]): GrvtInstrument[] {
  const want = new Set(symbols);
  return list.filter((m) => m.kind === "PERPETUAL" && (want.size === 0 || want.has(m.instrument)));
}

/** funding_rate is in percentage points per funding interval; the engine wants a fraction per hour. */
export function ratePerHourOf(fundingRatePct: string, intervalHours: number): number {
  return Number(fundingRatePct) / 100 / intervalHours;
}
