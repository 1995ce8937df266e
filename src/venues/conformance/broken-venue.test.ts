import assert from "node:assert/strict";
import { test } from "node:test";
import type { OrderRequest } from "../../core/types.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { ForwardingVenue } from "../../testing/forwarding-venue.ts";
import { makeSimHarness } from "../../testing/sim-conformance.ts";
import { checkAckAndFillEvents, checkUnknownOutcomeFoundLater } from "./checks-orders.ts";

/**
 * The simulator behind a connector with the classic bug: a timeout is mapped to "rejected", so
 * the engine would believe an order that executed does not exist and send it again.
 */
class UnknownAsRejectVenue extends ForwardingVenue {
  override async submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    try {
      return await this.inner.submit(order);
    } catch (e) {
      if (e instanceof VenueUnknownOutcomeError) throw new VenueRejectError("timeout", e.message);
      throw e;
    }
  }
}

const broken = () => makeSimHarness((sim) => new UnknownAsRejectVenue(sim));

test("the conformance suite fails a venue that reports an unknown outcome as a rejection", async () => {
  const h = await broken();
  try {
    await assert.rejects(
      checkUnknownOutcomeFoundLater(h),
      /a lost answer must be VenueUnknownOutcomeError \(the order may exist\), got VenueRejectError/,
    );
  } finally {
    await h.close();
  }
});

test("the same broken venue still passes the checks its bug does not touch (the failure is specific)", async () => {
  const h = await broken();
  try {
    await checkAckAndFillEvents(h);
  } finally {
    await h.close();
  }
});
