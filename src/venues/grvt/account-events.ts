import type { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { FillSchema, type GrvtFeedFrame, msOfNanos, OrderSchema, parseAs } from "./parse.ts";
import { fillOf } from "./reads.ts";

/**
 * Turns one account's `v1.order` and `v1.fill` frames (and the REST answers of submit and
 * cancel) into the contract's events, each once: an order is acknowledged once, a fill counted
 * once (by trade id), an order ended once. `remainingLots` comes from the order's size as sent.
 */
interface Tracked {
  readonly symbol: string;
  readonly sizeLots: number;
  venueOrderId: string | undefined;
  filledLots: number;
  ended: boolean;
  cancelRequested: boolean;
}

export class OrderTracker {
  readonly #orders = new Map<string, Tracked>();
  readonly #fills = new Set<string>();

  #key(account: string, cid: string): string {
    return `${account}|${cid}`;
  }

  track(account: string, cid: string, symbol: string, sizeLots: number): void {
    this.#orders.set(this.#key(account, cid), {
      symbol,
      sizeLots,
      venueOrderId: undefined,
      filledLots: 0,
      ended: false,
      cancelRequested: false,
    });
  }

  cancelRequested(account: string, cid: string): void {
    const t = this.#orders.get(this.#key(account, cid));
    if (t !== undefined) t.cancelRequested = true;
  }

  ack(account: string, cid: string, venueOrderId: string, ts: number): VenueEvent[] {
    const t = this.#orders.get(this.#key(account, cid));
    if (t === undefined || t.venueOrderId !== undefined) return [];
    t.venueOrderId = venueOrderId;
    return [{ type: "ack", ts, account, clientOrderId: cid, venueOrderId }];
  }

  /** the order ended (`status` CANCELLED or REJECTED) */
  end(account: string, cid: string, status: string, isIoc: boolean, ts: number): VenueEvent[] {
    const t = this.#orders.get(this.#key(account, cid));
    if (t === undefined || t.ended) return [];
    t.ended = true;
    if (status === "REJECTED")
      return [{ type: "reject", ts, account, clientOrderId: cid, reason: "rejected" }];
    const reason = t.cancelRequested ? "user" : isIoc ? "ioc_remainder" : "venue";
    return [
      { type: "canceled", ts, account, clientOrderId: cid, venueOrderId: t.venueOrderId ?? "", reason },
    ];
  }

  /** A `v1.order` frame. */
  onOrder(account: string, frame: GrvtFeedFrame): VenueEvent[] {
    const o = parseAs(OrderSchema, frame.feed, `v1.order of account ${account}`);
    const cid = o.metadata.client_order_id;
    const ts = msOfNanos(o.state.update_time);
    const out = this.ack(account, cid, o.order_id, ts);
    if (o.state.status === "CANCELLED" || o.state.status === "REJECTED")
      out.push(...this.end(account, cid, o.state.status, o.time_in_force !== "GOOD_TILL_TIME", ts));
    return out;
  }

  /** A `v1.fill` frame. */
  onFill(account: string, frame: GrvtFeedFrame, known: (i: string) => Instrument | undefined): VenueEvent[] {
    const f = parseAs(FillSchema, frame.feed, `v1.fill of account ${account}`);
    const inst = known(f.instrument);
    const t = this.#orders.get(this.#key(account, f.client_order_id));
    if (inst === undefined || this.#fills.has(f.trade_id)) return [];
    this.#fills.add(f.trade_id);
    const fill = fillOf(account, f, inst);
    const out = this.ack(account, f.client_order_id, f.order_id, fill.ts);
    if (t !== undefined) t.filledLots += fill.sizeLots;
    out.push({
      type: "fill",
      ts: fill.ts,
      remainingLots: t === undefined ? 0 : Math.max(0, t.sizeLots - t.filledLots),
      fill,
    });
    return out;
  }
}
