import assert from "node:assert/strict";
import { test } from "node:test";
import { pointsOf, publishesPoints } from "../../core/venue-points.ts";
import { makeExtendedHarness } from "../../testing/extended-conformance.ts";
import { orderOf } from "../conformance/harness.ts";
import { REWARDS_EARNED } from "./fixtures/rewards.ts";
import { parseRewards, summarize } from "./rewards.ts";
import type { ExtendedVenue } from "./venue.ts";

test("extended rewards: the fixture's total is every epoch of every season, the latest the highest epoch of the highest season", () => {
  const s = summarize(parseRewards(REWARDS_EARNED, "extended", "w01"));
  assert.equal(s.total, 184);
  assert.deepEqual(s.latest, {
    seasonId: 2,
    epochId: 5,
    points: 12.25,
    startDate: "2025-03-10",
    endDate: "2025-03-16",
  });
  assert.deepEqual(summarize(parseRewards({ status: "OK", data: [] }, "extended", "w01")), {
    total: 0,
    latest: undefined,
  });
});

test("extended rewards: a missing or malformed field names venue, wallet and field", () => {
  const bad = structuredClone(REWARDS_EARNED) as { data: { epochRewards: Record<string, unknown>[] }[] };
  delete bad.data[1]!.epochRewards[0]!.pointsReward;
  assert.throws(
    () => parseRewards(bad, "extended", "w03"),
    /^ExtendedPayloadError: venue extended: wallet w03: \/user\/rewards\/earned: field data\.1\.epochRewards\.0\.pointsReward: /,
  );
  bad.data[1]!.epochRewards[0]!.pointsReward = "12 points";
  assert.throws(
    () => parseRewards(bad, "xt2", "w04"),
    /venue xt2: wallet w04: .*field data\.1\.epochRewards\.0\.pointsReward: a decimal string/,
  );
  assert.throws(
    () => parseRewards({ status: "OK", data: [{ epochRewards: [] }] }, "extended", "w05"),
    /wallet w05: .*field data\.0\.seasonId/,
  );
  assert.throws(() => parseRewards({ status: "OK" }, "extended", "w06"), /wallet w06: .*field data:/);
});

test("extended venue: each wallet's points come from the emulator's /user/rewards/earned, read at bind, kept without a request", async () => {
  const h = await makeExtendedHarness();
  try {
    const venue = h.venue as unknown as ExtendedVenue;
    assert.ok(publishesPoints(venue), "Extended has a points endpoint");
    for (let i = 0; i < 100 && venue.keptPoints().length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      venue.keptPoints().map((p) => [p.venue, p.account, p.total, p.lastWeek]),
      [["extended", h.account, 0, 0]],
      "read at bind: nothing traded, no points",
    );
    const sent = venue.points.requests;
    for (let i = 0; i < 100; i++) pointsOf(venue);
    assert.equal(venue.points.requests, sent, "kept points are given without a request");

    // the emulator's rule: one point per $10 000 traded
    await h.driver.setBook({
      bidTicks: h.referenceTicks - 1,
      askTicks: h.referenceTicks + 1,
      lotsPerLevel: h.unitLots * 10,
    });
    await h.venue.submit(
      orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots * 3, tif: "ioc" }),
    );
    await h.settle();
    const fills = h.emulator.driver.fills(h.apiKey);
    assert.ok(fills.length > 0, "the order traded");
    const traded = (await h.venue.fills(h.account, 0)).reduce((s, f) => {
      const inst = h.venue.instrument(f.symbol);
      return s + inst.priceValue(f.priceTicks) * inst.sizeValue(f.sizeLots);
    }, 0);
    assert.ok(traded > 0);
    await venue.points.refresh(h.account);
    const [p] = venue.keptPoints();
    assert.ok(p !== undefined);
    assert.ok(Math.abs(p.total - traded / 10_000) < 1e-6, `${p.total} vs ${traded / 10_000}`);
    assert.equal(p.lastWeek, p.total, "all of it in this week's epoch");

    // a driver's seasons replace the rule; a bad answer keeps the last value and is a notice
    h.emulator.driver.setRewards(h.apiKey, REWARDS_EARNED.data);
    await venue.points.refresh(h.account);
    assert.deepEqual(
      venue.keptPoints().map((q) => [q.total, q.lastWeek]),
      [[184, 12.25]],
    );
    h.emulator.driver.setRewards(h.apiKey, [{ seasonId: 1, epochRewards: [{ epochId: 1 }] }]);
    await venue.points.refresh(h.account);
    assert.deepEqual(
      venue.keptPoints().map((q) => [q.total, q.lastWeek]),
      [[184, 12.25]],
      "last value kept",
    );
    assert.ok(
      venue
        .notices()
        .some((n) =>
          /wallet conformance-1: \/user\/rewards\/earned: field data\.0\.epochRewards\.0\.pointsReward/.test(
            n.text,
          ),
        ),
      JSON.stringify(venue.notices()),
    );
  } finally {
    await h.close();
  }
});
