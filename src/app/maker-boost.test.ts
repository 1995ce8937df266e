import assert from "node:assert/strict";
import { test } from "node:test";
import { MakerHarness } from "../testing/maker-harness.ts";
import { loadMakerEvents, runMakerBacktest } from "./maker-backtest.ts";
import { makerBacktestPlan } from "./maker-backtest-flags.ts";

// Boost (seed 003 `--boost`): every maker fill of the open is closed at once by a reduce-only IOC.
// On the simulated venue the IOC fills before `placeOrder` answers, which once left the lane
// waiting forever for a close that was already done (1 taker fill after 185 maker fills).
test("backtest maker --boost: every maker fill is followed by a taker close", async () => {
  for (const seed of ["1", "7"]) {
    const plan = makerBacktestPlan(
      { synthetic: true, seed, minutes: "20", repriceInterval: "1", boost: true },
      "",
    );
    assert.equal(plan.maker.boost, true);
    const { events, label } = await loadMakerEvents(plan.source);
    const r = await runMakerBacktest({
      events,
      sourceLabel: label,
      maker: plan.maker,
      fillModel: plan.fillModel,
    });
    const what = `seed ${seed}: ${JSON.stringify({ maker: r.makerFills, taker: r.takerFills, end: r.endPosition, tp: r.takeProfitsPlaced, repairs: r.repairs })}`;
    assert.ok(r.makerFills > 5, `too few maker fills to judge, ${what}`);
    // each maker fill gets its own IOC close, and that close fills
    assert.equal(r.takerFills, r.makerFills, what);
    // the IOCs close what the opens bought: maker and taker volume match within the price move
    assert.ok(Math.abs(r.makerVolumeUsd - r.takerVolumeUsd) < 0.01 * r.makerVolumeUsd, what);
    assert.equal(r.endPosition, 0, what);
    // nothing fell back to take-profits or reconcile repairs
    assert.equal(r.takeProfitsPlaced, 0, what);
    assert.equal(r.repairs, 0, what);
  }
});

test("boost on the simulated venue: each of several maker fills is closed flat by its own IOC", async () => {
  const h = await MakerHarness.start({ maker: { boost: true, wait_time_s: 0 } });
  try {
    await h.advance(1000);
    for (let n = 1; n <= 4; n++) {
      const open = (await h.truth()).opens[0];
      assert.ok(open !== undefined, `round ${n}: no open to fill`);
      await h.trade("sell", open.priceTicks, open.sizeLots);
      await h.advance(200);
      const t = await h.truth();
      assert.equal(t.pos, 0, `round ${n}: the fill is closed at once`);
      assert.equal(t.tps.length, 0, `round ${n}: no take-profit`);
      const [r] = h.maker.reports();
      assert.equal(r.fills, 2 * n, `round ${n}: ${n} maker fills and ${n} taker closes`);
      await h.advance(6000); // the next open
    }
    await h.stop();
  } finally {
    h.remove();
  }
});
