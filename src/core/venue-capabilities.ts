import type { Instrument } from "./instrument.ts";
import type { PriceRule } from "./price-rule.ts";
import type { MarginMode, TimeInForce } from "./types.ts";
import type { SignatureScheme } from "./venue-account.ts";

/**
 * How a venue spells client order ids. The engine derives every id from its intent (same intent,
 * leg and attempt → same id) and only the spelling comes from here:
 * - `hex`: `prefix` + 2·bytes lowercase hex digits (Hyperliquid's cloid: 16 bytes, "0x")
 * - `text`: `prefix` + characters of `alphabet`, `length` characters in all ("base64url" is
 *   `[A-Za-z0-9_-]`; "alnum" is `[A-Za-z0-9]` for venues that refuse `_` and `-`)
 * - `uint`: a decimal unsigned integer in [1, 2^bits - 1] (numeric client ids, e.g. Lighter's
 *   client order index); fewer bits mean more chance of two intents sharing an id, so at least 32
 */
export type ClientOrderIdFormat =
  | { readonly kind: "hex"; readonly bytes: number; readonly prefix: "0x" | "" }
  | {
      readonly kind: "text";
      readonly length: number;
      readonly prefix: string;
      readonly alphabet: "base64url" | "alnum";
    }
  | { readonly kind: "uint"; readonly bits: number };

/** Every kind of request a venue meters; each rate-limit scope gives its own weight per kind. */
export type RequestKind =
  | "submit"
  | "cancel"
  | "amend"
  | "order_status"
  | "open_orders"
  | "positions"
  | "account_state"
  | "fills"
  | "funding_payments"
  | "set_leverage";

/**
 * One metered budget of a venue, a token bucket: `capacity` weight units, refilled at
 * `refillPerSecond`. "ip" budgets are shared by every account whose requests leave through the
 * same address (its binding's `egress`); "account" budgets belong to one account. A request
 * kind missing from `weights` costs nothing in this scope.
 */
export interface RateLimitScope {
  readonly scope: "ip" | "account";
  /** a name for messages and metrics, e.g. "rest" or "exchange" */
  readonly name: string;
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly weights: Readonly<Partial<Record<RequestKind, number>>>;
}

/**
 * What a venue supports, as data the engine reads (never `if (venue === ...)` outside a venue's
 * folder). Per-instrument rules (price rule, fees, funding interval) live on the instrument's
 * spec, where the venue publishes them; `instrumentRules()` reads them.
 */
export interface VenueCapabilities {
  readonly clientOrderId: ClientOrderIdFormat;
  readonly postOnly: boolean;
  readonly ioc: boolean;
  readonly reduceOnly: boolean;
  /** modify a resting order in place (price and/or size) */
  readonly amend: boolean;
  readonly batchOrders: boolean;
  readonly marketOrders: boolean;
  readonly timeInForce: readonly TimeInForce[];
  readonly marginModes: readonly MarginMode[];
  /** every metered scope; empty means the venue meters nothing (the simulator's default) */
  readonly rateLimits: readonly RateLimitScope[];
  /** the key an account binding's signer must hold; "none" when the venue signs nothing */
  readonly accountSigner: SignatureScheme | "none";
}

export interface FeeSchedule {
  /** maker fee in basis points of notional; negative is a rebate */
  readonly makerBps: number;
  readonly takerBps: number;
}

/** The per-instrument part of a venue's capabilities. */
export interface InstrumentRules {
  readonly priceRule: PriceRule;
  readonly fees: FeeSchedule;
  readonly fundingIntervalHours: number;
}

export function instrumentRules(inst: Instrument): InstrumentRules {
  return {
    priceRule: inst.priceRule,
    fees: { makerBps: inst.spec.makerFeeBps, takerBps: inst.spec.takerFeeBps },
    fundingIntervalHours: inst.spec.fundingIntervalHours,
  };
}
