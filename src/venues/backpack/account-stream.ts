import type { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import type { OrderTracker } from "../kit/order-tracker.ts";
import { OrderUpdateSchema, parseAs } from "./parse.ts";

/**
 * The contract's events for one `account.orderUpdate` message:
 * orderAccepted → ack; orderFill → (ack) + fill with the remaining size (q − z);
 * orderCancelled → canceled "user"; orderExpired → canceled "ioc_remainder" for an IOC, else
 * "expired". Times are the engine timestamp `T` (µs), else the event time `E`.
 */
export function orderUpdateEvents(
  tracker: OrderTracker,
  account: string,
  data: unknown,
  inst: (symbol: string) => Instrument | undefined,
): VenueEvent[] {
  const u = parseAs(OrderUpdateSchema, data, "account.orderUpdate");
  const instrument = inst(u.s);
  if (instrument === undefined) return [];
  const cid = u.c == null ? "" : String(u.c);
  const ts = Math.floor((u.T ?? u.E) / 1000);
  switch (u.e) {
    case "orderAccepted":
      return tracker.ack(account, cid, u.s, u.i, ts);
    case "orderFill": {
      const out = tracker.ack(account, cid, u.s, u.i, ts);
      const o = tracker.track(account, cid, u.s);
      const tradeId = String(u.t ?? `${u.i}:${u.z}`);
      if (o.trades.has(tradeId)) return out;
      o.trades.add(tradeId);
      const side = u.S === "Bid" ? "buy" : "sell";
      const lots = instrument.roundSize(Number(u.l ?? "0"), "nearest");
      const executed = instrument.roundSize(Number(u.z ?? "0"), "nearest");
      out.push({
        type: "fill",
        ts,
        remainingLots: Math.max(0, instrument.roundSize(Number(u.q), "nearest") - executed),
        fill: {
          fillId: tradeId,
          clientOrderId: cid,
          venueOrderId: u.i,
          account,
          symbol: u.s,
          side,
          priceTicks: instrument.roundPrice(Number(u.L ?? "0"), side, "nearest"),
          sizeLots: lots,
          fee: moneyOf(u.n ?? "0", `backpack orderFill ${tradeId} fee`),
          liquidity: u.m ? "maker" : "taker",
          realisedPnl: 0n,
          ts,
        },
      });
      return out;
    }
    case "orderCancelled":
      return tracker.end(account, cid, u.s, u.i, "user", ts);
    case "orderExpired":
      return tracker.end(account, cid, u.s, u.i, u.f === "IOC" ? "ioc_remainder" : "expired", ts);
    default:
      return [];
  }
}
