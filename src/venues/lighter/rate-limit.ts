import type { RateLimitScope } from "../../core/venue-capabilities.ts";

/**
 * Lighter's standard-account limits (Ld "rate-limits", VENUES.md §2.5): 60 requests a rolling
 * minute, unweighted, sendTx included, counted per L1 address for authenticated requests (and
 * per IP for the rest). As a bucket: 60 at most, one back a second. Reads that take several
 * requests weigh what they take (orderStatus: active, then inactive orders).
 */
export const LIGHTER_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "account",
    name: "standard",
    capacity: 60,
    refillPerSecond: 1,
    weights: {
      submit: 2,
      cancel: 2,
      set_leverage: 2,
      order_status: 3,
      open_orders: 1,
      positions: 1,
      account_state: 1,
      fills: 2,
      funding_payments: 2,
    },
  },
];

/** Requests a minute of the emulator's default, the same standard tier. */
export const STANDARD_PER_MINUTE = 60;
