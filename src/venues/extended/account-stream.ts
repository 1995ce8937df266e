import type { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { OrderTracker } from "../kit/order-tracker.ts";
import type { AccountFrame } from "./parse.ts";
import { fillOf, type ReadContext } from "./reads.ts";

/**
 * The contract's events from the `/account` stream, each once whether the REST answer or the
 * stream told first (OrderTracker, shared with Backpack): ORDER NEW → ack; CANCELLED → canceled
 * "user"; EXPIRED → canceled "ioc_remainder" for an IOC, else "expired"; REJECTED before an ack
 * → reject; TRADE → fill, with the remaining size from the order's size and the fills seen.
 */
export class AccountEvents {
  readonly tracker = new OrderTracker();
  /** per account|clientOrderId: size and lots filled so far (for `remainingLots`) */
  readonly #sizes = new Map<string, { lots: number; filled: number; ioc: boolean }>();
  /** per account|venueOrderId: the client order id */
  readonly #byVenueId = new Map<string, string>();

  expect(account: string, clientOrderId: string, symbol: string, lots: number, ioc: boolean): void {
    this.tracker.track(account, clientOrderId, symbol);
    this.#sizes.set(`${account}|${clientOrderId}`, { lots, filled: 0, ioc });
  }

  ack(
    account: string,
    clientOrderId: string,
    symbol: string,
    venueOrderId: string,
    ts: number,
  ): VenueEvent[] {
    this.#byVenueId.set(`${account}|${venueOrderId}`, clientOrderId);
    return this.tracker.ack(account, clientOrderId, symbol, venueOrderId, ts);
  }

  clientIdOf(account: string, venueOrderId: string): string | undefined {
    return this.#byVenueId.get(`${account}|${venueOrderId}`);
  }

  events(ctx: ReadContext, account: string, f: AccountFrame): VenueEvent[] {
    const out: VenueEvent[] = [];
    for (const o of f.data?.orders ?? []) {
      const cid = o.externalId;
      const ts = o.updatedTime;
      const size = this.#sizes.get(`${account}|${cid}`);
      switch (o.status) {
        case "NEW":
        case "UNTRIGGERED":
        case "PARTIALLY_FILLED":
        case "FILLED":
          out.push(...this.ack(account, cid, o.market, o.id, ts));
          break;
        case "CANCELLED":
          out.push(...this.ack(account, cid, o.market, o.id, ts));
          out.push(...this.tracker.end(account, cid, o.market, o.id, "user", ts));
          break;
        case "EXPIRED": {
          const ioc = size?.ioc ?? (o as { timeInForce?: string }).timeInForce === "IOC";
          out.push(...this.ack(account, cid, o.market, o.id, ts));
          out.push(...this.tracker.end(account, cid, o.market, o.id, ioc ? "ioc_remainder" : "expired", ts));
          break;
        }
        case "REJECTED": {
          const t = this.tracker.get(account, cid);
          if (t !== undefined && !t.acked && !t.ended) {
            t.ended = true;
            out.push({
              type: "reject",
              ts,
              account,
              clientOrderId: cid,
              reason: o.statusReason ?? "rejected",
            });
          }
          break;
        }
        default:
          break;
      }
    }
    for (const t of f.data?.trades ?? []) {
      const inst: Instrument | undefined = ctx.known(t.market);
      if (inst === undefined) continue;
      const fill = fillOf(ctx, account, inst, t);
      if (fill.clientOrderId === "") continue;
      const tracked = this.tracker.track(account, fill.clientOrderId, t.market);
      if (tracked.trades.has(fill.fillId)) continue;
      tracked.trades.add(fill.fillId);
      out.push(...this.ack(account, fill.clientOrderId, t.market, t.orderId, fill.ts));
      const size = this.#sizes.get(`${account}|${fill.clientOrderId}`);
      if (size !== undefined) size.filled += fill.sizeLots;
      out.push({
        type: "fill",
        ts: fill.ts,
        fill,
        remainingLots: size === undefined ? 0 : Math.max(0, size.lots - size.filled),
      });
    }
    return out;
  }
}
