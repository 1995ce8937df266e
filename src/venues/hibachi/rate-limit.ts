import type { RateLimitScope } from "../../core/venue-capabilities.ts";

/**
 * Hibachi publishes no request limits; the sdk only reads the 429 body `{name, count, limit,
 * windowDuration}` (api.py `raise_response_errors`). The budget below is the emulator's own
 * choice (20 private requests per API key per second, emulator/start.ts), declared so the engine
 * paces to what the emulator enforces. Market data is read over the socket and not metered here.
 */
export const HIBACHI_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "account",
    name: "private",
    capacity: 20,
    refillPerSecond: 20,
    weights: {
      submit: 1,
      cancel: 1,
      amend: 1,
      order_status: 1,
      open_orders: 1,
      positions: 1,
      account_state: 1,
      fills: 1,
      funding_payments: 1,
    },
  },
];
