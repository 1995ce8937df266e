import type { RateLimitScope } from "../../core/venue-capabilities.ts";

/**
 * Backpack publishes no request limits (VENUES.md §4; ccxt throttles it at 50 ms a request). The
 * scope below is that pacing as a per-IP bucket: 20 requests a second, a burst of 40, every kind
 * weighing 1. The emulator enforces the same budget so a connector that overruns it sees the
 * venue's 429 rather than passing tests it would fail live.
 */
export const BACKPACK_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "ip",
    name: "rest",
    capacity: 40,
    refillPerSecond: 20,
    weights: {
      submit: 1,
      cancel: 1,
      order_status: 2,
      open_orders: 1,
      positions: 1,
      account_state: 1,
      fills: 1,
      funding_payments: 2,
      set_leverage: 1,
    },
  },
];
