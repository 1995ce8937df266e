import type { RateLimitScope } from "../../core/venue-capabilities.ts";

/**
 * GRVT's limits are per tier (help.grvt.io "What are the rate limitations on GRVT"); ccxt
 * (js/src/grvt.js) paces them as a 10 ms base with create/cancel costing 5, order reads 20 and
 * account reads 40 units, i.e. 20 orders, 5 order reads and 2.5 account reads a second. The scope
 * below is that pacing per account (the venue counts per sub-account), weights in ccxt's units.
 */
export const GRVT_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "account",
    name: "trading",
    capacity: 200,
    refillPerSecond: 100,
    weights: {
      submit: 5,
      cancel: 5,
      order_status: 20,
      open_orders: 20,
      positions: 20,
      account_state: 40,
      fills: 20,
      funding_payments: 40,
      set_leverage: 40,
    },
  },
];
