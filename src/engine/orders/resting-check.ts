import type { Clock } from "../../core/clock.ts";
import type { OrderReport } from "../../core/types.ts";
import type { Venue } from "../../core/venue.ts";
import type { OrderGateway } from "./order-gateway.ts";
import { type EngineOrder, effectiveFilled } from "./order-records.ts";
import type { OrderEvent } from "./order-state.ts";

/** an order younger than this may simply not be listed yet (an IOC is asked at any age: it never rests) */
const MIN_AGE_MS = 2_000;

/**
 * Strategies' single orders rest for minutes; when the account stream drops, the fill or cancel
 * of one is never heard and the engine would keep it "open" for ever. Each reconcile pass lists
 * the venue's open orders of every account holding resting single orders (one request per
 * account) and asks the status of each resting order the venue no longer lists; the report moves
 * it on through the state machine (a fill it reveals is then read from the fill history by
 * backfillFills). Returns the number of orders whose status was asked.
 */
export async function checkRestingSingles(
  gateway: OrderGateway,
  venues: ReadonlyMap<string, Venue>,
  clock: Clock,
): Promise<number> {
  const byAccount = new Map<string, EngineOrder[]>();
  for (const o of gateway.workingOrders()) {
    const s = o.tracked.status;
    if (o.purpose !== "single" || o.watchers > 0 || o.awaitingAnswer) continue;
    if (s !== "open" && s !== "partially_filled") continue;
    // an IOC the engine still holds open after its answer lost its end with the stream: ask at once
    if (o.tracked.request.tif !== "ioc" && clock.now() - o.sentAt < MIN_AGE_MS) continue;
    const key = `${o.venue}\u0000${o.tracked.request.account}`;
    const list = byAccount.get(key);
    if (list === undefined) byAccount.set(key, [o]);
    else list.push(o);
  }
  let asked = 0;
  for (const list of byAccount.values()) {
    const { venue: venueId } = list[0];
    const account = list[0].tracked.request.account;
    const venue = venues.get(venueId);
    if (venue === undefined) continue;
    let listed: Map<string, OrderReport>;
    try {
      const wait = gateway.limits.acquire(venueId, account, "open_orders");
      if (wait !== undefined) await wait;
      listed = new Map((await venue.openOrders(account)).map((r) => [r.clientOrderId, r]));
    } catch {
      continue; // unreadable now: the next pass asks again
    }
    for (const o of list) {
      if (o.tracked.terminal) continue;
      const shown = listed.get(o.tracked.clientOrderId);
      if (shown !== undefined) {
        // still resting, but filled more than we heard: a partial fill whose event was lost
        if (shown.filledLots > effectiveFilled(o)) await applyReport(gateway, o, shown, clock);
        continue;
      }
      o.watchers++;
      try {
        const wait = gateway.limits.acquire(venueId, account, "order_status");
        if (wait !== undefined) await wait;
        const rep = await venue.orderStatus(account, o.tracked.clientOrderId);
        asked++;
        // not found is no proof for an order the venue acknowledged: leave it to the next pass
        if (rep === undefined || o.tracked.terminal) continue;
        await applyReport(gateway, o, rep, clock);
      } catch {
        // the next pass asks again
      } finally {
        o.watchers--;
      }
    }
  }
  return asked;
}

/**
 * A report that shows fills we never heard: those fills are read from the venue's history first,
 * so whoever learns the order ended (a hedge waiting on it) already sees them in the position.
 */
async function applyReport(
  gateway: OrderGateway,
  o: EngineOrder,
  rep: OrderReport,
  clock: Clock,
): Promise<void> {
  if (rep.filledLots > effectiveFilled(o)) await gateway.backfillFills(new Set([o]));
  if (!o.tracked.terminal) gateway.apply(o, report(rep, clock.now()));
}

function report(rep: OrderReport, ts: number): OrderEvent {
  return {
    kind: "status_report",
    ts,
    status: rep.status,
    // the venue acknowledged it: its report is the truth, not an early "not found"
    sendExpired: true,
    filledLots: rep.filledLots,
    venueOrderId: rep.venueOrderId,
    priceTicks: rep.priceTicks,
    sizeLots: rep.sizeLots,
  };
}
