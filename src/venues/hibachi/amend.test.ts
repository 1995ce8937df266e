import assert from "node:assert/strict";
import { test } from "node:test";
import { VenueRejectError } from "../../core/venue.ts";
import { makeHibachiHarness } from "../../testing/hibachi-conformance.ts";
import { orderOf, recordEvents } from "../conformance/harness.ts";

/** Venue.amend through Hibachi's PUT /trade/order against the emulator (which re-verifies the signature). */
test("hibachi amend: price and size change in place (same order id, replaced events); a crossing amend fills; a dead order is refused", async () => {
  const h = await makeHibachiHarness();
  try {
    const ref = h.referenceTicks;
    await h.driver.setBook({ bidTicks: ref - 1, askTicks: ref + 1, lotsPerLevel: h.unitLots * 10 });
    const order = orderOf(h, { side: "buy", priceTicks: ref - 20, sizeLots: h.unitLots, tif: "gtc" });
    const { venueOrderId } = await h.venue.submit(order);
    const rec = recordEvents(h.venue);
    const r1 = await h.venue.amend(h.account, h.symbol, order.clientOrderId, { priceTicks: ref - 10 });
    assert.deepEqual(r1, { venueOrderId, priceTicks: ref - 10, sizeLots: h.unitLots });
    const r2 = await h.venue.amend(h.account, h.symbol, order.clientOrderId, { sizeLots: 2 * h.unitLots });
    assert.equal(r2.sizeLots, 2 * h.unitLots);
    const status = await h.venue.orderStatus(h.account, order.clientOrderId);
    assert.equal(status?.priceTicks, ref - 10);
    assert.equal(status?.sizeLots, 2 * h.unitLots);
    assert.equal(status?.venueOrderId, venueOrderId, "the venue keeps the order id");
    assert.deepEqual(
      rec.events
        .filter((e) => e.type === "replaced")
        .map((e) => e.type === "replaced" && [e.priceTicks, e.sizeLots]),
      [
        [ref - 10, h.unitLots],
        [ref - 10, 2 * h.unitLots],
      ],
    );
    // through the ask: it trades at once
    await h.venue.amend(h.account, h.symbol, order.clientOrderId, { priceTicks: ref + 1 });
    await h.settle();
    const fills = rec.events.filter((e) => e.type === "fill" && e.fill.clientOrderId === order.clientOrderId);
    assert.equal(fills.length, 1, JSON.stringify(rec.events.map((e) => e.type)));
    assert.equal((await h.venue.orderStatus(h.account, order.clientOrderId))?.status, "filled");
    const dead = await h.venue
      .amend(h.account, h.symbol, order.clientOrderId, { priceTicks: ref - 30 })
      .catch((e: unknown) => e);
    assert.ok(dead instanceof VenueRejectError, String(dead));
    rec.stop();
    assert.ok(rec.events.some((e) => e.type === "replace_reject" && e.clientOrderId === order.clientOrderId));
  } finally {
    await h.close();
  }
});
