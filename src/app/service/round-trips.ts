import type { Store } from "../../store/store.ts";

/**
 * Order round trips per venue, from the journal: the time from an engine order's `submit_sent`
 * to the venue's first answer to that send (its `ack` or `reject`), both as the store holds them.
 * Read from the store, so `/metrics` gives the same figures inside `perpbot run` and beside it.
 *
 * What the figure is: the engine stamps `submit_sent` just before the request leaves and the
 * submit's answer when it arrives; when the venue's stream reports the ack first, that event
 * carries the venue's own timestamp, so clock skew between the venue and this host enters the
 * figure (a negative difference is counted as 0). A send that got no answer (timeout, server
 * error: outcome unknown) has no round trip; a resend with the same id starts a new one.
 */

export interface VenueRoundTrips {
  readonly venue: string;
  /** one entry per answered send, in milliseconds, in journal order */
  readonly ms: readonly number[];
}

export function roundTripsOf(
  events: readonly { venue: string; clientOrderId: string; kind: string; ts: number }[],
): VenueRoundTrips[] {
  const sentAt = new Map<string, number>();
  const byVenue = new Map<string, number[]>();
  for (const e of events) {
    if (e.kind === "submit_sent") {
      sentAt.set(e.clientOrderId, e.ts);
      continue;
    }
    if (e.kind !== "ack" && e.kind !== "reject") continue;
    const sent = sentAt.get(e.clientOrderId);
    // a refusal before sending, or a second answer to the same send: not a round trip
    if (sent === undefined) continue;
    sentAt.delete(e.clientOrderId);
    const list = byVenue.get(e.venue) ?? [];
    list.push(Math.max(0, e.ts - sent));
    byVenue.set(e.venue, list);
  }
  return [...byVenue].sort(([a], [b]) => a.localeCompare(b)).map(([venue, ms]) => ({ venue, ms }));
}

export async function orderRoundTrips(store: Pick<Store, "orderEvents">): Promise<VenueRoundTrips[]> {
  return roundTripsOf(await store.orderEvents.sendsAndAnswers());
}
