import { ForwardingVenue } from "../core/forwarding-venue.ts";
import type { OrderRequest } from "../core/types.ts";
import { type Venue, VenueRejectError } from "../core/venue.ts";

/**
 * A venue that rejects the orders opening exposure (not reduce-only) that `refuse` picks, as a
 * venue does (VenueRejectError with `reason`); reduce-only orders always pass, so unwinds and
 * closes still work. Everything else goes to the venue it wraps.
 */
export class RefusingEntries extends ForwardingVenue {
  private readonly refuse: (o: OrderRequest) => boolean;
  private readonly reason: string;
  constructor(inner: Venue, refuse: (o: OrderRequest) => boolean, reason: string) {
    super(inner);
    this.refuse = refuse;
    this.reason = reason;
  }
  override submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    if (!order.reduceOnly && this.refuse(order)) return Promise.reject(new VenueRejectError(this.reason));
    return this.inner.submit(order);
  }
}
