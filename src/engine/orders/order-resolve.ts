import type { Clock } from "../../core/clock.ts";
import type { Venue } from "../../core/venue.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { AlertBus } from "../alerts.ts";
import type { EngineSettings } from "../config.ts";
import type { RateLimiter } from "../risk/rate-limiter.ts";
import type { EngineOrder } from "./order-records.ts";
import type { OrderEvent } from "./order-state.ts";

/** What resolving needs of the order gateway (declared here so the two files do not import each other). */
export interface ResolveHost {
  readonly clock: Clock;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly alerts: AlertBus;
  readonly settings: EngineSettings;
  readonly limits: RateLimiter;
  needsAnswer(o: EngineOrder): boolean;
  apply(o: EngineOrder, event: OrderEvent): void;
  cancel(o: EngineOrder): Promise<unknown>;
}

/**
 * Ask the venue until the order's outcome is known or `deadline` passes (true: known). A "not
 * found" counts as proof of absence only once the send-expiry window has passed.
 */
export async function resolveOrder(gw: ResolveHost, o: EngineOrder, deadline: number): Promise<boolean> {
  let delay = gw.settings.unknownRetryMs;
  for (;;) {
    if (!gw.needsAnswer(o)) return true;
    const venue = gw.venues.get(o.venue)!;
    const wait = gw.limits.acquire(o.venue, o.tracked.request.account, "order_status");
    if (wait !== undefined) await wait;
    try {
      const rep = await venue.orderStatus(o.tracked.request.account, o.tracked.clientOrderId);
      const now = gw.clock.now();
      const event: OrderEvent = {
        kind: "status_report",
        ts: now,
        status: rep?.status ?? "not_found",
        sendExpired: now - o.sentAt >= gw.settings.sendExpiryMs,
        ...(rep === undefined
          ? {}
          : {
              filledLots: rep.filledLots,
              venueOrderId: rep.venueOrderId,
              priceTicks: rep.priceTicks,
              sizeLots: rep.sizeLots,
            }),
      };
      gw.apply(o, event);
      if (!gw.needsAnswer(o)) return true;
      // still live although we asked to cancel it: that cancel was lost (a crash between the
      // journal and the send, or an unknown answer). Cancels by client order id are idempotent.
      if (
        o.tracked.status === "pending_cancel" &&
        (rep?.status === "open" || rep?.status === "partially_filled")
      ) {
        await gw.cancel(o);
        if (!gw.needsAnswer(o)) return true;
      }
    } catch (err) {
      if (!(err instanceof VenueUnknownOutcomeError)) {
        gw.alerts.raise({
          severity: "warning",
          key: `engine.order_status_failed:${o.tracked.clientOrderId}`,
          title: "order status query failed",
          message: `${o.venue} ${o.tracked.clientOrderId}: ${(err as Error).message}`,
          context: { venue: o.venue, group: o.groupId ?? undefined },
          ts: gw.clock.now(),
        });
      }
    }
    const now = gw.clock.now();
    if (now >= deadline) return false;
    await gw.clock.sleep(Math.min(delay, deadline - now));
    delay = Math.min(delay * 2, gw.settings.closeRetryMaxMs);
  }
}
