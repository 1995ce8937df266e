import type { RateLimitScope } from "../../core/venue-capabilities.ts";

/**
 * EdgeX publishes no request limits for V2 (VENUES.md §6: "limits unknown"); the account record
 * of the V1 OpenAPI (edgex-golang-sdk `openapi/api/openapi.yaml` Account.createOrderPerMinuteLimit)
 * shows order creation is metered per account per minute. Until a published figure exists the
 * connector paces itself per account: 10 requests a second, a burst of 20. The emulator enforces
 * the same budget, so an overrun shows as the venue's 429 in tests.
 */
export const EDGEX_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "account",
    name: "rest",
    capacity: 20,
    refillPerSecond: 10,
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
