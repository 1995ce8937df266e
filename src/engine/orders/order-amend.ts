import type { Clock } from "../../core/clock.ts";
import {
  type AmendChange,
  type Venue,
  VenueRejectError,
  VenueUnknownOutcomeError,
} from "../../core/venue.ts";
import type { Journal } from "../journal/journal.ts";
import type { RateLimiter } from "../risk/rate-limiter.ts";
import type { EngineOrder } from "./order-records.ts";
import type { OrderEvent } from "./order-state.ts";
import { unknownOutcomeEvent } from "./order-tracker.ts";

/** What an amend needs of the OrderGateway. */
export interface AmendHost {
  readonly venues: ReadonlyMap<string, Venue>;
  readonly journal: Journal;
  readonly clock: Clock;
  readonly limits: RateLimiter;
  apply(o: EngineOrder, event: OrderEvent): void;
  notify(o: EngineOrder): void;
}

/**
 * Amend a resting order in place: the replace_requested event is durable before the request
 * leaves (like a submit), and the venue's answer (or its unknown outcome) is applied.
 */
export async function amendOrder(
  gw: AmendHost,
  o: EngineOrder,
  change: { priceTicks: number; sizeLots: number },
): Promise<void> {
  const venue = gw.venues.get(o.venue)!;
  const r = o.tracked.request;
  // the rate budget first: the write-ahead below is only made once the request may leave
  const wait = gw.limits.acquire(o.venue, r.account, "amend");
  if (wait !== undefined) await wait;
  if (o.tracked.terminal) return;
  gw.apply(o, { kind: "replace_requested", ts: gw.clock.now(), ...change });
  if (o.tracked.status !== "pending_replace") return;
  await gw.journal.sync();
  o.awaitingAnswer = true;
  const asked: AmendChange = {
    ...(change.priceTicks === r.priceTicks ? {} : { priceTicks: change.priceTicks }),
    ...(change.sizeLots === r.sizeLots ? {} : { sizeLots: change.sizeLots }),
  };
  try {
    const done = await venue.amend(r.account, r.symbol, r.clientOrderId, asked);
    gw.apply(o, { kind: "replaced", ts: gw.clock.now(), ...done });
  } catch (err) {
    if (err instanceof VenueRejectError)
      gw.apply(o, { kind: "replace_rejected", ts: gw.clock.now(), reason: err.reason });
    else if (err instanceof VenueUnknownOutcomeError) gw.apply(o, unknownOutcomeEvent(err, gw.clock.now()));
    else gw.apply(o, { kind: "server_error", ts: gw.clock.now(), detail: String(err) });
  } finally {
    o.awaitingAnswer = false;
    gw.notify(o);
  }
}
