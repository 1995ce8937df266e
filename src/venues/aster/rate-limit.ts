import type { RateLimitScope } from "../../core/venue-capabilities.ts";
import { WeightLimiter } from "../hyperliquid/rate-limit.ts";

/**
 * Aster's metered budgets (asterdex/api-docs "LIMITS", exchangeInfo.rateLimits): REQUEST_WEIGHT
 * 2400 a minute per IP and ORDERS 1200 a minute per account. Weights per endpoint from the
 * endpoint reference: order/cancel/leverage/listenKey 1, openOrders 1 with a symbol and 40
 * without, positionRisk/account/balance/userTrades 5, income 30, depth 2…20 by limit.
 */
export const IP_WEIGHT_PER_MINUTE = 2400;
export const ORDERS_PER_MINUTE = 1200;
/** what the process spends of each budget: the venue's window and ours drift by request latency */
export const BUDGET_SHARE = 0.95;

export const ASTER_RATE_LIMITS: readonly RateLimitScope[] = [
  {
    scope: "ip",
    name: "request_weight",
    capacity: IP_WEIGHT_PER_MINUTE,
    refillPerSecond: IP_WEIGHT_PER_MINUTE / 60,
    weights: {
      submit: 1,
      cancel: 1,
      order_status: 1,
      open_orders: 40,
      positions: 5,
      account_state: 5,
      fills: 5,
      funding_payments: 30,
      set_leverage: 1,
    },
  },
  {
    scope: "account",
    name: "orders",
    capacity: ORDERS_PER_MINUTE,
    refillPerSecond: ORDERS_PER_MINUTE / 60,
    weights: { submit: 1 },
  },
];

export function requestWeight(endpoint: string, params: ReadonlyArray<readonly [string, unknown]>): number {
  const has = (k: string) => params.some(([n, v]) => n === k && v !== undefined);
  switch (endpoint) {
    case "depth": {
      const limit = Number(params.find(([k]) => k === "limit")?.[1] ?? 500);
      return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
    }
    case "openOrders":
      return has("symbol") ? 1 : 40;
    case "positionRisk":
    case "account":
    case "balance":
    case "userTrades":
    case "allOrders":
      return 5;
    case "income":
      return 30;
    default:
      return 1;
  }
}

/** One budget: the token bucket, and the weight spent through it (a figure tests read). */
export class AsterBudget {
  readonly limiter: WeightLimiter;
  spent = 0;
  constructor(perMinute: number) {
    this.limiter = new WeightLimiter({ perMinute });
  }
  get perMinute(): number {
    return this.limiter.perMinute;
  }
  /** Wait (in arrival order) until `weight` is there, then take it. */
  take(weight: number): Promise<void> {
    this.spent += weight;
    return this.limiter.take(weight);
  }
}

const LIMITERS = new Map<string, AsterBudget>();

/** The process-wide budget of one scope ("ip:<egress>" or "orders:<user>"). */
export function asterLimiter(key: string): AsterBudget {
  let l = LIMITERS.get(key);
  if (l === undefined) {
    const perMinute = key.startsWith("orders:") ? ORDERS_PER_MINUTE : IP_WEIGHT_PER_MINUTE;
    l = new AsterBudget(Math.floor(perMinute * BUDGET_SHARE));
    LIMITERS.set(key, l);
  }
  return l;
}
