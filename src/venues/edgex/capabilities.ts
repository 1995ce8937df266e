import { Instrument } from "../../core/instrument.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import {
  type EdgexCoin,
  type EdgexContract,
  type EdgexMetaData,
  EdgexPayloadError,
  resolutionOf,
} from "./parse.ts";
import { EDGEX_RATE_LIMITS } from "./rate-limit.ts";

/**
 * What EdgeX V2 supports, as the engine reads it. The client order id is free text on the venue
 * (the SDK uses `time.time_ns()`); this connector sends decimal u64s. Time in force: GOOD_TIL_CANCEL,
 * IMMEDIATE_OR_CANCEL, POST_ONLY (edgex-python-sdk `order/types.py` TimeInForce). A market order
 * goes as an IOC limit at the protection price (its signed amounts are at that price). Margin is
 * cross; leverage is per contract (`updateLeverageSetting`). One order per request.
 */
export const EDGEX_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "uint", bits: 63 },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: false,
  batchOrders: false,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross"],
  rateLimits: EDGEX_RATE_LIMITS,
  accountSigner: "secp256k1",
};

/** One tradable contract with everything signing needs. */
export interface EdgexMarket {
  readonly contract: EdgexContract;
  readonly quote: EdgexCoin;
  /** units of amountSynthetic per 1 of size */
  readonly syntheticResolution: bigint;
  /** units of amountCollateral / amountFee per 1 USD */
  readonly collateralResolution: bigint;
  /** max(defaultTakerFeeRate, defaultMakerFeeRate): the fee the signature allows (order/client.py) */
  readonly maxFeeRate: string;
  readonly instrument: Instrument;
}

/**
 * The instruments of the metadata: symbol = contractName, tick and lot from tickSize/stepSize,
 * funding interval from fundingRateIntervalMin, fees from the contract's default rates.
 */
export function marketsOf(venueId: string, meta: EdgexMetaData, symbols: readonly string[]): EdgexMarket[] {
  const want = new Set(symbols);
  const out: EdgexMarket[] = [];
  for (const c of meta.contractList) {
    if (!c.enableTrade || (want.size > 0 && !want.has(c.contractName))) continue;
    const quote = meta.coinList.find((k) => k.coinId === c.quoteCoinId);
    if (quote === undefined)
      throw new EdgexPayloadError(
        `edgex: metadata contract ${c.contractName} names quote coin ${c.quoteCoinId}, which coinList lacks`,
      );
    const taker = Number(c.defaultTakerFeeRate);
    const maker = Number(c.defaultMakerFeeRate);
    const instrument = new Instrument({
      venue: venueId,
      symbol: c.contractName,
      base: c.contractName.replace(/USDT?$/, ""),
      quote: quote.coinName,
      tickSize: c.tickSize,
      lotSize: c.stepSize,
      minNotionalUsd: 0,
      maxLeverage: Math.max(1, Math.floor(Number(c.displayMaxLeverage ?? "20"))),
      marginTiers: [],
      fundingIntervalHours: c.fundingRateIntervalMin / 60,
      makerFeeBps: maker * 10_000,
      takerFeeBps: taker * 10_000,
    });
    out.push({
      contract: c,
      quote,
      syntheticResolution: resolutionOf(c.resolution, `contract ${c.contractName}`),
      collateralResolution: resolutionOf(quote.resolution, `coin ${quote.coinName}`),
      maxFeeRate: taker >= maker ? c.defaultTakerFeeRate : c.defaultMakerFeeRate,
      instrument,
    });
  }
  return out;
}

/** A non-negative decimal text as (digits, scale): "123.450" → (123450n, 3). */
export function decimalParts(text: string): { units: bigint; scale: number } {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a non-negative decimal`);
  const frac = m[2] ?? "";
  return { units: BigInt(m[1] + frac), scale: frac.length };
}

function scaled(p: { units: bigint; scale: number }, by: bigint, ceil: boolean): bigint {
  const d = 10n ** BigInt(p.scale);
  const n = p.units * by;
  return ceil ? (n + d - 1n) / d : n / d;
}

export interface SignedAmounts {
  readonly amountSynthetic: bigint;
  readonly amountCollateral: bigint;
  readonly amountFee: bigint;
  /** body fields as the SDK writes them */
  readonly l2Value: string;
  readonly l2LimitFee: string;
}

function mulText(a: string, b: string): { units: bigint; scale: number } {
  const x = decimalParts(a);
  const y = decimalParts(b);
  return { units: x.units * y.units, scale: x.scale + y.scale };
}

function textOf(p: { units: bigint; scale: number }): string {
  if (p.scale === 0) return p.units.toString();
  const s = p.units.toString().padStart(p.scale + 1, "0");
  const int = s.slice(0, s.length - p.scale);
  const frac = s.slice(s.length - p.scale).replace(/0+$/, "");
  return frac === "" ? int : `${int}.${frac}`;
}

/**
 * The signed amounts of an order (edgex-python-sdk `order/client.py` create_order): value =
 * price × size; limit fee = ceil(value × max fee rate) in whole USD; amountSynthetic = size ×
 * contract resolution, amountCollateral = value × coin resolution, amountFee = fee × coin
 * resolution (each truncated as Python's int() does). Exact decimal arithmetic throughout.
 */
export function signedAmounts(m: EdgexMarket, price: string, size: string): SignedAmounts {
  const value = mulText(price, size);
  const feeExact = mulText(textOf(value), m.maxFeeRate);
  const fee = scaled(feeExact, 1n, true);
  return {
    amountSynthetic: scaled(decimalParts(size), m.syntheticResolution, false),
    amountCollateral: scaled(value, m.collateralResolution, false),
    amountFee: fee * m.collateralResolution,
    l2Value: textOf(value),
    l2LimitFee: fee.toString(),
  };
}
