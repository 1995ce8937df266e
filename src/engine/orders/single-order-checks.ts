import type { Venue } from "../../core/venue.ts";
import type { OrderIntent } from "./single-order-types.ts";

/**
 * A message naming the first malformed field of a single-order intent, or undefined when it is
 * well formed: a strategy's bad input becomes an `invalid` outcome, never an exception.
 */
export function checkIntent(i: OrderIntent, venues: ReadonlyMap<string, Venue>): string | undefined {
  const where = `intent ${i.intentId} of ${i.strategy}`;
  const venue = venues.get(i.venue);
  if (venue === undefined) return `${where}: unknown venue ${JSON.stringify(i.venue)}`;
  try {
    venue.instrument(i.symbol);
  } catch (e) {
    return `${where}: ${(e as Error).message}`;
  }
  if (typeof i.account !== "string" || i.account === "")
    return `${where}: account must be a non-empty string`;
  if (i.side !== "buy" && i.side !== "sell")
    return `${where}: side ${JSON.stringify(i.side)} must be buy or sell`;
  if (!Number.isSafeInteger(i.sizeLots) || i.sizeLots <= 0)
    return `${where}: sizeLots ${i.sizeLots} must be a positive integer`;
  if (!Number.isSafeInteger(i.priceTicks) || i.priceTicks <= 0)
    return `${where}: priceTicks ${i.priceTicks} must be a positive integer`;
  if (i.type !== "limit" && i.type !== "market")
    return `${where}: type ${JSON.stringify(i.type)} must be limit or market`;
  if (i.tif !== "gtc" && i.tif !== "ioc" && i.tif !== "post_only")
    return `${where}: tif ${JSON.stringify(i.tif)} must be gtc, ioc or post_only`;
  if (i.type === "market" && i.tif !== "ioc") return `${where}: a market order is ioc, not ${i.tif}`;
  if (typeof i.reduceOnly !== "boolean") return `${where}: reduceOnly must be a boolean`;
  if (i.groupId !== undefined && (typeof i.groupId !== "string" || i.groupId === ""))
    return `${where}: groupId must be a non-empty string when given`;
  return undefined;
}

/** What of the intent the venue's capabilities do not offer, or undefined. */
export function unsupported(venue: Venue, i: OrderIntent): string | undefined {
  const c = venue.capabilities;
  if (i.tif === "post_only" && !c.postOnly) return "post-only orders";
  if (i.tif === "ioc" && !c.ioc) return "IOC orders";
  if (!c.timeInForce.includes(i.tif)) return `time in force ${i.tif}`;
  if (i.reduceOnly && !c.reduceOnly) return "reduce-only orders";
  if (i.type === "market" && !c.marketOrders) return "market orders";
  return undefined;
}
