/**
 * The emulator's metering and injected faults.
 *
 * Limits (asterdex/api-docs "LIMITS"; the numbers exchangeInfo.rateLimits publishes):
 * REQUEST_WEIGHT 2400 a minute per IP, ORDERS 1200 a minute per account, as rolling one-minute
 * windows; the weight used is returned in X-MBX-USED-WEIGHT-1M. Over either: HTTP 429 with
 * -1003 (weight) or -1015 (orders), and the request is not handled.
 *
 * Faults apply to the next order requests (POST/DELETE order):
 * - loseAck: executed, then the connection is cut without an answer;
 * - executeThenTimeout: executed, the answer held `holdMs` (past the client's timeout);
 * - unknownCode: answered `{code, msg}` with an "execution status unknown" code (-1006, -1007,
 *   HTTP 503 by default), executed first when `execute`;
 * - serverError: HTTP `status` (default 503) with a non-JSON body, executed first when `execute`;
 * - rateLimited: HTTP 429 -1003, not executed.
 */
import type { ExchangeFault as KitFault } from "../../kit/faults.ts";

/** The kit's faults (kit/faults.ts) Aster uses, and its "execution status unknown" codes. */
export type ExchangeFault =
  | Exclude<KitFault, { readonly kind: "delayAck" }>
  | {
      readonly kind: "unknownCode";
      readonly code: -1006 | -1007;
      readonly execute?: boolean;
      readonly status?: number;
    };

/** A rolling one-minute window of weight per key. */
export class MinuteWindow {
  readonly limit: number;
  readonly #now: () => number;
  readonly #spent = new Map<string, { at: number; w: number }[]>();

  constructor(limit: number, now: () => number) {
    this.limit = limit;
    this.#now = now;
  }

  used(key: string): number {
    const cutoff = this.#now() - 60_000;
    const list = (this.#spent.get(key) ?? []).filter((x) => x.at > cutoff);
    this.#spent.set(key, list);
    return list.reduce((n, x) => n + x.w, 0);
  }

  /** Spend `weight` if it fits; false (nothing spent) when it would go over the limit. */
  take(key: string, weight: number): boolean {
    if (this.used(key) + weight > this.limit) return false;
    this.#spent.get(key)!.push({ at: this.#now(), w: weight });
    return true;
  }
}

/** Request weights per endpoint (asterdex/api-docs, each endpoint's "Weight"). */
export function weightOf(method: string, endpoint: string, params: URLSearchParams): number {
  switch (endpoint) {
    case "depth": {
      const limit = Number(params.get("limit") ?? 500);
      return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
    }
    case "exchangeInfo":
    case "premiumIndex":
    case "fundingInfo":
    case "time":
    case "ping":
    case "order":
    case "listenKey":
    case "leverage":
    case "marginType":
      return 1;
    case "openOrders":
      return params.get("symbol") === null ? 40 : 1;
    case "allOrders":
    case "positionRisk":
    case "account":
    case "balance":
    case "userTrades":
      return 5;
    case "income":
      return 30;
    default:
      return method === "GET" ? 1 : 1;
  }
}
