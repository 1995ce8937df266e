import type { Instrument } from "../../core/instrument.ts";
import { type Money, PICO_PER_USD } from "../../core/money.ts";
import type { OrderReport, OrderRequest, TimeInForce, VenueOrderStatus } from "../../core/types.ts";
import type { HibachiOrder } from "./parse.ts";
import type { OrderFlag } from "./signing.ts";

/**
 * Hibachi has no client order id: each order perpbot sends is remembered here with the nonce it
 * was signed with (the venue finds an order by nonce, api.py `get_order_details`), and with the
 * venue's order id once answered. Fills are counted per order so each fill event carries the
 * remaining size.
 */
export interface Tracked {
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  /** as last amended */
  priceTicks: number;
  sizeLots: number;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  readonly nonce: bigint;
  orderId: string | undefined;
  filledLots: number;
  /** a final state was reported (filled, canceled): no more events */
  ended: boolean;
  /** a cancel was sent (its answer may have been lost): a later disappearance is the user's cancel */
  cancelSent: boolean;
}

export function trackedOf(order: OrderRequest, nonce: bigint): Tracked {
  return {
    clientOrderId: order.clientOrderId,
    account: order.account,
    symbol: order.symbol,
    side: order.side,
    priceTicks: order.priceTicks,
    sizeLots: order.sizeLots,
    tif: order.tif,
    reduceOnly: order.reduceOnly,
    nonce,
    orderId: undefined,
    filledLots: 0,
    ended: false,
    cancelSent: false,
  };
}

/**
 * The one `orderFlags` an order carries (types.py OrderFlags: POST_ONLY, IOC, REDUCE_ONLY, one
 * at a time). A reduce-only IOC goes as REDUCE_ONLY; the connector cancels what rests of it.
 */
export function flagOf(order: Pick<OrderRequest, "tif" | "reduceOnly">): OrderFlag | undefined {
  if (order.reduceOnly) return "REDUCE_ONLY";
  if (order.tif === "ioc") return "IOC";
  if (order.tif === "post_only") return "POST_ONLY";
  return undefined;
}

const STATUS: Readonly<Record<HibachiOrder["status"], VenueOrderStatus>> = {
  PENDING: "open",
  CHILD_PENDING: "open",
  SCHEDULED_TWAP: "open",
  PLACED: "open",
  PARTIALLY_FILLED: "partially_filled",
  FILLED: "filled",
  CANCELLED: "canceled",
  REJECTED: "rejected",
};

/** An order report from the venue's order record and, when perpbot sent it, what it sent. */
export function reportOf(
  o: HibachiOrder,
  inst: Instrument,
  account: string,
  t: Tracked | undefined,
): OrderReport {
  const size = o.totalQuantity == null ? (t?.sizeLots ?? 0) : inst.size(o.totalQuantity);
  const filled = Math.max(0, size - inst.size(o.availableQuantity));
  return {
    clientOrderId: t?.clientOrderId ?? `hibachi:${o.orderId}`,
    venueOrderId: o.orderId,
    account,
    symbol: o.symbol,
    side: o.side === "BID" ? "buy" : "sell",
    priceTicks: o.price == null ? (t?.priceTicks ?? 0) : inst.price(o.price),
    sizeLots: size,
    filledLots: filled,
    status: STATUS[o.status],
    tif: t?.tif ?? "gtc",
    reduceOnly: t?.reduceOnly ?? false,
  };
}

/** A decimal string as exact pico-dollars (the venue's amounts have at most 12 decimals here). */
export function moneyOf(text: string): Money {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new RangeError(`not a decimal amount: "${text}"`);
  const frac = (m[3] ?? "").slice(0, 12).padEnd(12, "0");
  const v = BigInt(m[2]) * PICO_PER_USD + BigInt(frac);
  return m[1] === "-" ? -v : v;
}
