/**
 * Hyperliquid's capability facts as plain data and functions (the integrator fits them to the
 * venue contract's capability type). Sources: HLd "Tick and lot size", "Rate limits and user
 * limits", "Fees"; ../shared/reference/VENUES.md §1.6-1.8; ../shared/reference/DOMAIN.md §3.
 */
import { createHash } from "node:crypto";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";

export type MarketKind = "perp" | "spot";

/** Max decimals of a price: 6 − szDecimals on perps, 8 − szDecimals on spot. */
export function maxPriceDecimals(szDecimals: number, kind: MarketKind = "perp"): number {
  return Math.max(0, (kind === "perp" ? 6 : 8) - szDecimals);
}

export const PRICE_SIG_FIGS = 5;

const DEC_RE = /^(\d+)(?:\.(\d+))?$/;

/**
 * The venue's price rule, on the decimal text sent: at most 5 significant figures AND at most
 * `maxPriceDecimals` decimals; an integer price is always valid whatever its digits
 * ("123456" is fine, "1234.5" is not).
 */
export function isValidPrice(px: string, szDecimals: number, kind: MarketKind = "perp"): boolean {
  const m = DEC_RE.exec(px);
  if (!m) return false;
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (Number(px) <= 0) return false;
  if (frac === "") return true;
  if (frac.length > maxPriceDecimals(szDecimals, kind)) return false;
  const digits = `${m[1]}${frac}`.replace(/^0+/, "");
  return digits.length <= PRICE_SIG_FIGS;
}

/**
 * The price step in force at `price`: max(10^-maxDecimals, min(1, 10^(floor(log10 price) − 4))).
 * E.g. szDecimals 5 (BTC, 1 decimal at most): 97123 → 1, 9712.3 → 0.1, 971.23 → 0.1 (the decimal
 * cap); szDecimals 0 (6 decimals): 0.012345 → 0.000001, 1.2345 → 0.0001.
 */
export function priceStepAt(price: number, szDecimals: number, kind: MarketKind = "perp"): number {
  if (!(price > 0)) throw new RangeError(`price ${price} must be > 0`);
  const magnitude = Math.floor(Math.log10(price) + 1e-12);
  const bySigFigs = Math.min(1, 10 ** (magnitude - (PRICE_SIG_FIGS - 1)));
  return Math.max(10 ** -maxPriceDecimals(szDecimals, kind), bySigFigs);
}

/** Decimals of the step in force at `price` (0 for a step of 1). */
function stepDecimals(price: number, szDecimals: number, kind: MarketKind): number {
  const step = priceStepAt(price, szDecimals, kind);
  return Math.max(0, Math.round(-Math.log10(step)));
}

/**
 * Round a price onto the rule, in the direction asked, and return the decimal text to send.
 * "down" never goes above `price`, "up" never below (a buy rounded down stays passive).
 */
export function roundPrice(
  price: number,
  szDecimals: number,
  direction: "down" | "up" | "nearest",
  kind: MarketKind = "perp",
): string {
  const decimals = stepDecimals(price, szDecimals, kind);
  const scale = 10 ** decimals;
  const q = price * scale;
  const near = Math.round(q);
  const tol = Math.max(1e-9, Math.abs(q) * 4 * Number.EPSILON);
  let n: number;
  if (Math.abs(q - near) <= tol) n = near;
  else if (direction === "down") n = Math.floor(q);
  else if (direction === "up") n = Math.ceil(q);
  else n = near;
  if (n <= 0) throw new RangeError(`price ${price} rounds to zero`);
  // crossing a decade upwards (9999.95 → 10000) changes the step; the text stays valid
  return (n / scale).toFixed(decimals);
}

/** A size is valid with at most szDecimals decimals and > 0. */
export function isValidSize(sz: string, szDecimals: number): boolean {
  const m = DEC_RE.exec(sz);
  if (!m || Number(sz) <= 0) return false;
  return (m[2] ?? "").replace(/0+$/, "").length <= szDecimals;
}

export const MIN_ORDER_NOTIONAL_USD = 10;
/** Orders priced more than this fraction away from the reference price are refused. */
export const MAX_PRICE_DEVIATION = 0.8;

// ---------------------------------------------------------------- client order ids

/** `0x` + 16 bytes as 32 lowercase hex digits. */
export const CLOID_PATTERN = /^0x[0-9a-f]{32}$/;

export function isCloid(s: string): boolean {
  return CLOID_PATTERN.test(s);
}

/**
 * The cloid for an engine client-order id: the first 16 bytes of sha256(clientOrderId)
 * (VENUES.md §1.8), so a retry of the same order always carries the same cloid.
 */
export function cloidFor(clientOrderId: string): string {
  return `0x${createHash("sha256").update(clientOrderId, "utf8").digest("hex").slice(0, 32)}`;
}

// ---------------------------------------------------------------- what the venue supports

export const FEATURES = {
  postOnly: true, // tif "Alo"
  ioc: true,
  gtc: true,
  reduceOnly: true,
  amend: true, // modify / batchModify, by oid or cloid
  batchOrders: true,
  cancelByCloid: true,
  scheduleCancel: true, // dead man's switch: time ≥ now + 5 s, ≤ 10 triggers a day
  expiresAfter: true,
  marginModes: ["cross", "isolated"] as const,
  /** funding is paid every hour on perps */
  fundingIntervalMs: 3_600_000,
} as const;

/** Base-tier fees in basis points (DOMAIN.md §3); per user: the `userFees` info request. */
export const BASE_FEES_BPS = { maker: 1.5, taker: 4.5 } as const;

// ---------------------------------------------------------------- rate limits

export const RATE_LIMITS = {
  /** REST weight per IP per minute, shared by every wallet behind that IP */
  ipWeightPerMinute: 1200,
  /** per address: 10 000 requests plus 1 per USDC traded; beyond it 1 request per 10 s */
  addressBaseRequests: 10_000,
  addressRequestsPerUsdcTraded: 1,
  addressThrottledIntervalMs: 10_000,
  /** open orders per address: 1000, +1 per 5M USDC volume, at most 5000 */
  openOrdersBase: 1000,
  openOrdersMax: 5000,
  ws: {
    // the smaller of the documented and the observed limits (VENUES.md §1.7)
    connectionsPerIp: 10,
    newConnectionsPerMinute: 30,
    subscriptionsPerIp: 1000,
    uniqueUsersInUserStreams: 10,
    messagesPerMinute: 2000,
    inflightPosts: 100,
    idleTimeoutMs: 60_000,
    pingEveryMs: 30_000,
  },
} as const;

/** `/exchange` weight of an action carrying `batch` orders or cancels: 1 + floor(batch / 40). */
export function exchangeWeight(batch = 1): number {
  return 1 + Math.floor(Math.max(0, batch) / 40);
}

/** `/info` weights by request type (HLd "Rate limits"); the heavy ones add per returned item. */
export const INFO_WEIGHTS: Readonly<Record<string, number>> = {
  l2Book: 2,
  allMids: 2,
  clearinghouseState: 2,
  orderStatus: 2,
  spotClearinghouseState: 2,
  exchangeStatus: 2,
  meta: 20,
  metaAndAssetCtxs: 20,
  spotMeta: 20,
  openOrders: 20,
  frontendOpenOrders: 20,
  userFills: 20,
  userFillsByTime: 20,
  userFunding: 20,
  fundingHistory: 20,
  predictedFundings: 20,
  userRateLimit: 20,
  userFees: 20,
  historicalOrders: 20,
  // HLd "Rate limits and user limits": userRole weighs 60
  userRole: 60,
};

/** Weight of an info request; list answers cost one more per `perItems` items returned. */
export function infoWeight(type: string, itemsReturned = 0): number {
  const base = INFO_WEIGHTS[type] ?? 20;
  const perItems = type === "candleSnapshot" ? 60 : 20;
  const extra = ["userFills", "userFillsByTime", "userFunding", "fundingHistory", "candleSnapshot"].includes(
    type,
  )
    ? Math.floor(itemsReturned / perItems)
    : 0;
  return base + extra;
}

// ---------------------------------------------------------------- the venue contract's table

/**
 * What the engine reads about Hyperliquid (src/core/venue-capabilities.ts). Cloids are 16 bytes
 * of hex with "0x", so the engine's client order ids are the venue's cloids as they are. The
 * per-IP REST budget (1200 weight a minute) is shared by every wallet behind one egress; the
 * per-address budget is the venue's 10 000 request buffer, refilled at the throttled rate of one
 * request per 10 s (the extra request per USDC traded is not counted, so this errs on the safe
 * side).
 */
export const HYPERLIQUID_CAPABILITIES: VenueCapabilities = {
  clientOrderId: { kind: "hex", bytes: 16, prefix: "0x" },
  postOnly: true,
  ioc: true,
  reduceOnly: true,
  amend: true,
  batchOrders: true,
  marketOrders: true,
  timeInForce: ["gtc", "ioc", "post_only"],
  marginModes: ["cross", "isolated"],
  rateLimits: [
    {
      scope: "ip",
      name: "rest",
      capacity: RATE_LIMITS.ipWeightPerMinute,
      refillPerSecond: RATE_LIMITS.ipWeightPerMinute / 60,
      weights: {
        submit: exchangeWeight(1),
        cancel: exchangeWeight(1),
        amend: exchangeWeight(1),
        set_leverage: exchangeWeight(1),
        order_status: INFO_WEIGHTS.orderStatus,
        open_orders: INFO_WEIGHTS.openOrders,
        positions: INFO_WEIGHTS.clearinghouseState,
        account_state: INFO_WEIGHTS.clearinghouseState,
        fills: INFO_WEIGHTS.userFillsByTime,
        funding_payments: INFO_WEIGHTS.userFunding,
      },
    },
    {
      scope: "account",
      name: "address",
      capacity: RATE_LIMITS.addressBaseRequests,
      refillPerSecond: 1000 / RATE_LIMITS.addressThrottledIntervalMs,
      weights: { submit: 1, cancel: 1, amend: 1, set_leverage: 1 },
    },
  ],
  accountSigner: "secp256k1",
};
