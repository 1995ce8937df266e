import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { pointsOf, publishesPoints } from "../../core/venue-points.ts";
import { makeLighterHarness } from "../../testing/lighter-conformance.ts";
import { orderOf } from "../conformance/harness.ts";
import { PointsReader } from "./points.ts";

test("points: per wallet from referral/points, read at most once per poll interval, concurrent reads share a request", async () => {
  const h = await makeLighterHarness();
  try {
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 10,
    });
    await h.venue.submit(
      orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: 5 * h.unitLots, tif: "ioc" }),
    );
    await h.settle();
    const clock = new SimClock(1_000_000);
    const reader = new PointsReader(h.venue.http, clock, 3_600_000, (a) => h.venue.boundAccount(a));
    const [a, b] = await Promise.all([reader.read(h.account), reader.read(h.account)]);
    assert.equal(reader.requests, 1, "two concurrent reads, one request");
    // the emulator's rule: a point per $10 000 traded; 0.05 BTC at 60 000.1
    assert.ok(Math.abs(a.total - (0.05 * 60_000.1) / 10_000) < 1e-3, String(a.total));
    assert.deepEqual(a, b);
    await clock.advance(3_599_000);
    await reader.read(h.account);
    assert.equal(reader.requests, 1, "within the hour: the kept value");
    await clock.advance(2_000);
    await reader.read(h.account);
    assert.equal(reader.requests, 2, "after the hour: read again");
    const viaVenue = await h.venue.walletPoints(h.account);
    assert.equal(
      viaVenue.total,
      0,
      "the venue read it at binding, before the trade, and keeps it for the hour",
    );
    await assert.rejects(h.venue.walletPoints("nobody"), /wallet "nobody" is not bound/);
    // binding read the points once; keptPoints gives them to perpbot status without a request
    // what the live run's report writer calls every few seconds (core pointsOf): no request, so
    // the report costs nothing of the 60-a-minute budget; reads stay one per wallet per poll
    const sent = h.venue.points.requests;
    for (let i = 0; i < 100; i++) pointsOf(h.venue);
    assert.equal(h.venue.points.requests, sent, "kept points are given without a request");
    assert.ok(publishesPoints(h.venue), "Lighter has a points endpoint");
    const kept = h.venue.keptPoints();
    assert.equal(kept.length, 1);
    assert.deepEqual([kept[0].venue, kept[0].account], ["lighter", h.account]);
    assert.equal(kept[0].total, 0);
  } finally {
    await h.close();
  }
});
