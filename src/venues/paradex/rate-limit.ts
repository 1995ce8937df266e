import type { RateLimitScope } from "../../core/venue-capabilities.ts";

/**
 * Paradex's published limits (docs.paradex.trade `api/general-information/rate-limits`,
 * VENUES.md §5): order requests 800 a second per account (POST/DELETE /orders), private GETs 120
 * a second per account, public endpoints 1500 a minute per IP. The engine meters the two account
 * scopes; the public reads the connector makes (markets, summary at connect) are far below the IP
 * budget. The emulator enforces the same two account budgets and answers 429 past them.
 */
export const ORDERS_PER_SECOND = 800;
export const PRIVATE_GETS_PER_SECOND = 120;
export const PUBLIC_PER_MINUTE = 1500;
/** at most this many open orders per market (the same page) */
export const MAX_OPEN_ORDERS_PER_MARKET = 100;

export const PARADEX_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "account",
    name: "orders",
    capacity: ORDERS_PER_SECOND,
    refillPerSecond: ORDERS_PER_SECOND,
    weights: { submit: 1, cancel: 1 },
  },
  {
    scope: "account",
    name: "private-get",
    capacity: PRIVATE_GETS_PER_SECOND,
    refillPerSecond: PRIVATE_GETS_PER_SECOND,
    // account_state reads /account and /balance; funding_payments also reads the fills
    weights: {
      order_status: 1,
      open_orders: 1,
      positions: 1,
      account_state: 2,
      fills: 1,
      funding_payments: 2,
      set_leverage: 1,
    },
  },
  {
    scope: "ip",
    name: "public",
    capacity: PUBLIC_PER_MINUTE / 6,
    refillPerSecond: PUBLIC_PER_MINUTE / 60,
    weights: {},
  },
];
