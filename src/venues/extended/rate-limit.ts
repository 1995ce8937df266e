import type { RateLimitScope } from "../../core/venue-capabilities.ts";

/**
 * Extended's REST budget: 1 000 requests a minute per account at the default tier (ccxt
 * js/src/extended.js `rateLimit: 600` comment "Default Tier 1,000 requests/minute"; the API docs'
 * "Rate limits" section gives the same tier). Modelled as one per-account bucket of 1 000 with a
 * refill of 1000/60 a second; every request weighs 1. The emulator enforces the same budget and
 * answers 429 past it.
 */
export const EXTENDED_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "account",
    name: "rest",
    capacity: 1000,
    refillPerSecond: 1000 / 60,
    weights: {
      submit: 1,
      cancel: 1,
      order_status: 1,
      open_orders: 1,
      positions: 1,
      account_state: 1,
      fills: 1,
      funding_payments: 1,
      set_leverage: 1,
    },
  },
];
