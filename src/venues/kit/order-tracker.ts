import type { VenueEvent } from "../../core/venue.ts";

/**
 * What the connector knows of each order it saw, so the REST answer and the `account.orderUpdate`
 * stream (which may arrive in either order, or only one of them) produce each event once: one
 * ack, one fill per trade id, one end (canceled/expired).
 */
export interface TrackedOrder {
  symbol: string;
  venueOrderId: string;
  acked: boolean;
  ended: boolean;
  readonly trades: Set<string>;
}

export class OrderTracker {
  readonly #orders = new Map<string, TrackedOrder>();

  get(account: string, clientOrderId: string): TrackedOrder | undefined {
    return this.#orders.get(`${account}|${clientOrderId}`);
  }

  track(account: string, clientOrderId: string, symbol: string): TrackedOrder {
    const key = `${account}|${clientOrderId}`;
    let o = this.#orders.get(key);
    if (o === undefined) {
      o = { symbol, venueOrderId: "", acked: false, ended: false, trades: new Set() };
      this.#orders.set(key, o);
    }
    return o;
  }

  /** An ack event unless the order was acked already. */
  ack(
    account: string,
    clientOrderId: string,
    symbol: string,
    venueOrderId: string,
    ts: number,
  ): VenueEvent[] {
    const o = this.track(account, clientOrderId, symbol);
    o.venueOrderId = venueOrderId;
    if (o.acked) return [];
    o.acked = true;
    return [{ type: "ack", ts, account, clientOrderId, venueOrderId }];
  }

  /** A canceled event unless the order's end was reported already. */
  end(
    account: string,
    clientOrderId: string,
    symbol: string,
    venueOrderId: string,
    reason: string,
    ts: number,
  ): VenueEvent[] {
    const o = this.track(account, clientOrderId, symbol);
    if (o.ended) return [];
    o.ended = true;
    return [{ type: "canceled", ts, account, clientOrderId, venueOrderId, reason }];
  }
}
