import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { OrderRequest } from "../../core/types.ts";
import type { MarketSubscription } from "../../core/venue-streams.ts";

/**
 * The body of POST /api/v1/order for one order (docs "Execute order"). A market order goes as an
 * IOC limit at its protection price, so it never fills beyond it; post-only is `postOnly` on a
 * GTC limit. Absent flags are left out (the signed text covers exactly the fields sent).
 */
export function orderBody(inst: Instrument, order: OrderRequest, clientId: number) {
  const ioc = order.type === "market" || order.tif === "ioc";
  return {
    symbol: inst.symbol,
    side: order.side === "buy" ? "Bid" : "Ask",
    orderType: "Limit",
    price: inst.priceText(order.priceTicks),
    quantity: inst.sizeText(order.sizeLots),
    timeInForce: ioc ? "IOC" : "GTC",
    postOnly: order.tif === "post_only" && !ioc ? true : undefined,
    reduceOnly: order.reduceOnly ? true : undefined,
    clientId,
  };
}

/** The wire stream of a subscription: depth.<s>, trade.<s>, markPrice.<s> (mark and funding). */
export function wireOf(sub: MarketSubscription): string {
  if (sub.channel === "book") return `depth.${sub.symbol}`;
  if (sub.channel === "trades") return `trade.${sub.symbol}`;
  if (sub.channel === "bbo")
    throw new InvalidValueError(`backpack: no "bbo" channel for ${sub.symbol} (subscribe its book)`);
  return `markPrice.${sub.symbol}`;
}
