import type { OrderRequest } from "../../core/types.ts";
import {
  type AmendChange,
  type AmendResult,
  VenueRejectError,
  VenueUnknownOutcomeError,
} from "../../core/venue.ts";
import { amendOrder } from "./amend.ts";
import type { EventDelivery } from "./delivery.ts";
import type { SimExchange } from "./exchange.ts";
import type { FaultInjector } from "./faults.ts";

/** What the order requests run on: the exchange core, the faults, event delivery and the store's commit. */
export interface ExecutionContext {
  readonly id: string;
  readonly exchange: SimExchange;
  readonly faults: FaultInjector;
  readonly delivery: EventDelivery;
  /** persist what the request changed (before its events leave) */
  commit(): void;
}

/**
 * The simulated venue's order requests once they reached it (SimRequestGate): the exchange core
 * runs them, the change is committed, their events go out, and the answer is what a real venue
 * gives: the venue order id, a VenueRejectError, or (an injected lost answer) an unknown outcome
 * for an order that did execute.
 */
export function submitOrder(x: ExecutionContext, order: OrderRequest, now: number): { venueOrderId: string } {
  if (x.faults.reject()) {
    x.delivery.now([
      {
        type: "reject",
        ts: now,
        account: order.account,
        clientOrderId: order.clientOrderId,
        reason: "injected_reject",
      },
    ]);
    throw new VenueRejectError(
      "injected_reject",
      `${x.id}: order ${order.clientOrderId} rejected (injected)`,
    );
  }
  const timeout = x.faults.timeout();
  const outcome = x.exchange.submit(order, now, x.faults.partialFraction());
  x.commit();
  x.delivery.now(outcome.events);
  if (timeout) {
    throw new VenueUnknownOutcomeError("timeout", `${x.id}: no answer to order ${order.clientOrderId}`);
  }
  if (outcome.rejectReason !== undefined) {
    throw new VenueRejectError(
      outcome.rejectReason,
      `${x.id}: order ${order.clientOrderId} of ${order.account} rejected: ${outcome.rejectMessage}`,
    );
  }
  return { venueOrderId: outcome.venueOrderId! };
}

export function cancelOrder(
  x: ExecutionContext,
  account: string,
  symbol: string,
  clientOrderId: string,
  now: number,
): void {
  const events = x.exchange.cancel(account, symbol, clientOrderId, now);
  x.commit();
  x.delivery.now(events);
  const refused = events.find((e) => e.type === "cancel_reject");
  if (refused !== undefined) {
    throw new VenueRejectError(
      refused.reason,
      `${x.id}: cancel ${clientOrderId} of ${account}: ${refused.reason}`,
    );
  }
}

export function amendResting(
  x: ExecutionContext,
  account: string,
  symbol: string,
  clientOrderId: string,
  change: AmendChange,
  now: number,
): AmendResult {
  const outcome = amendOrder(x.exchange, account, symbol, clientOrderId, change, now);
  x.commit();
  x.delivery.now(outcome.events);
  if (outcome.rejectReason !== undefined)
    throw new VenueRejectError(
      outcome.rejectReason,
      `${x.id}: amend ${clientOrderId} of ${account}: ${outcome.rejectMessage}`,
    );
  return outcome.result!;
}
