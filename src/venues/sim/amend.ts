import type { AmendChange, AmendResult, VenueEvent } from "../../core/venue.ts";
import type { SimExchange } from "./exchange.ts";
import { preTradeCheck } from "./pre-trade.ts";
import type { OrderState } from "./state.ts";

/** What one amend did: the order as it now rests, or why it was refused (the order unchanged). */
export interface AmendOutcome {
  readonly events: VenueEvent[];
  readonly result?: AmendResult;
  readonly rejectReason?: string;
  readonly rejectMessage?: string;
}

/**
 * An amend of a resting order, in place, on the exchange core (synchronous, like submit).
 *
 * The order keeps its client and venue order ids. It loses its time priority (a new sequence
 * number, as a new order would get) when the price changes or the size grows, and keeps it when
 * only the size shrinks: that is how price-time venues treat a modify (a larger order would
 * otherwise jump the queue). The new price and remaining size pass the same checks as a new
 * order (post-only that would cross, reduce-only with nothing to reduce, min notional, margin);
 * a refusal leaves the order resting unchanged. A non-post-only order moved across the book
 * fills at once, at its own price, as any resting order the book trades through does here.
 */
export function amendOrder(
  exchange: SimExchange,
  account: string,
  symbol: string,
  clientOrderId: string,
  change: AmendChange,
  ts: number,
): AmendOutcome {
  const s = exchange.state;
  const order = s.orderByClient(account, clientOrderId);
  const refuse = (reason: string, message: string): AmendOutcome => ({
    events: [{ type: "replace_reject", ts, account, clientOrderId, reason }],
    rejectReason: reason,
    rejectMessage: message,
  });
  if (order === undefined) return refuse("unknown_order", `no order ${clientOrderId} of ${account}`);
  if (order.symbol !== symbol || !s.openOrders.has(order.venueOrderId))
    return refuse("order_not_open", `order ${clientOrderId} is ${order.status} on ${order.symbol}`);
  const priceTicks = change.priceTicks ?? order.priceTicks;
  const sizeLots = change.sizeLots ?? order.sizeLots;
  if (!Number.isSafeInteger(priceTicks) || priceTicks <= 0)
    return refuse("invalid_amend", `price ${priceTicks} ticks must be a positive integer`);
  if (!Number.isSafeInteger(sizeLots) || sizeLots <= order.filledLots)
    return refuse(
      "invalid_amend",
      `size ${sizeLots} lots must be an integer above the ${order.filledLots} lots filled`,
    );
  const inst = exchange.instrumentOf(symbol);
  // the amended remainder is checked as a new order would be
  const candidate: OrderState = {
    ...order,
    priceTicks,
    sizeLots: sizeLots - order.filledLots,
    filledLots: 0,
  };
  const why = preTradeCheck(exchange, candidate, inst);
  if (why !== undefined) return refuse(why[0], why[1]);

  const losesPriority = priceTicks !== order.priceTicks || sizeLots > order.sizeLots;
  const resting = exchange.resting.get(symbol)!;
  resting.remove(order);
  order.priceTicks = priceTicks;
  order.sizeLots = sizeLots;
  if (losesPriority) {
    s.orderSeq += 1;
    s.changes.meta = true;
    order.seq = s.orderSeq;
  }
  resting.add(order);
  // the queue model: an order that lost its priority joins the back of its (new) level
  if (losesPriority) exchange.queue?.join(order, ts);
  s.touchOrder(order);
  const events: VenueEvent[] = [
    {
      type: "replaced",
      ts,
      account,
      clientOrderId,
      venueOrderId: order.venueOrderId,
      priceTicks,
      sizeLots,
    },
  ];
  exchange.makerFillsFromBook(inst, exchange.config.books.get(symbol)!, ts, events);
  return { events, result: { venueOrderId: order.venueOrderId, priceTicks, sizeLots } };
}
