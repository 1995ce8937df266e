import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SimClock } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";
import { runCli } from "../testing/cli-run.ts";
import { simFillModelOf, simSection } from "../venues/sim/config.ts";
import { loadMakerEvents, RECORDED_MAKER_FILE, runMakerBacktest } from "./maker-backtest.ts";
import { makerBacktestPlan } from "./maker-backtest-flags.ts";
import { createPaperWorld } from "./paper.ts";

const DATA = process.env.PERPBOT_SHARED_DATA ?? join(import.meta.dirname, "..", "..", "..", "shared", "data");
const HAVE_DATA = existsSync(join(DATA, RECORDED_MAKER_FILE));
const SKIP = HAVE_DATA
  ? false
  : `the recording ${RECORDED_MAKER_FILE} is not in ${DATA} (set PERPBOT_SHARED_DATA)`;

test("backtest maker on the recorded feed: two runs give the same report, and the queue model changes it", {
  skip: SKIP,
}, async () => {
  const plan = makerBacktestPlan({ data: DATA, repriceInterval: "1" }, DATA);
  const { events, label } = await loadMakerEvents(plan.source);
  const run = (fillModel = plan.fillModel) =>
    runMakerBacktest({ events, sourceLabel: label, maker: plan.maker, fillModel });
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
  // the run did something worth comparing: maker fills, take-profits, queue waits
  assert.ok(a.makerFills > 0, `no maker fills: ${JSON.stringify(a)}`);
  assert.equal(a.makerFills + a.takerFills, a.fills);
  assert.ok(a.takeProfitsPlaced > 0);
  assert.ok(a.queue !== null && a.queue.ordersFilled > 0 && a.queue.waitP50Ms !== null);
  assert.ok(Math.abs(a.volumeUsd - a.makerVolumeUsd - a.takerVolumeUsd) < 1e-6);
  // Binance VIP 0 maker 2 bps on every maker fill's notional (each rounded up to the micro-dollar)
  assert.ok(Math.abs(a.feesPaidUsd - (a.makerVolumeUsd * 2e-4 + a.takerVolumeUsd * 5e-4)) < 1e-4 * a.fills);
  const cross = await run({ kind: "cross" });
  assert.equal(cross.queue, null);
  // without a queue, resting orders fill on the first trade at their price: more of them fill
  assert.ok(cross.fills > a.fills, `cross ${cross.fills} fills, queue ${a.fills}`);
});

test("backtest maker on synthetic data is deterministic per seed", async () => {
  const report = async (seed: string) => {
    const plan = makerBacktestPlan({ synthetic: true, seed, minutes: "20", repriceInterval: "1" }, DATA);
    const { events, label } = await loadMakerEvents(plan.source);
    return runMakerBacktest({ events, sourceLabel: label, maker: plan.maker, fillModel: plan.fillModel });
  };
  const a = await report("7");
  const b = await report("7");
  const c = await report("8");
  assert.deepEqual(a, b);
  assert.ok(a.fills > 0, "the synthetic run filled nothing");
  // another seed is another market: other fills
  assert.notDeepEqual([c.fills, c.volumeUsd, c.equityChangeUsd], [a.fills, a.volumeUsd, a.equityChangeUsd]);
  assert.match(a.source, /seed 7, 20 min/);
});

test("backtest maker flags: every bad one is named", () => {
  const bad = (flags: Parameters<typeof makerBacktestPlan>[0], ...expected: RegExp[]) => {
    try {
      makerBacktestPlan(flags, DATA);
    } catch (e) {
      assert.ok(e instanceof InvalidValueError, String(e));
      for (const re of expected) assert.match(e.message, re);
      return;
    }
    assert.fail(`accepted ${JSON.stringify(flags)}`);
  };
  bad({ quantity: "-0.1" }, /--quantity/);
  bad({ takeProfit: "0" }, /--take-profit/);
  bad({ direction: "up" }, /--direction/);
  bad({ fillModel: "fifo" }, /--fill-model "fifo": expected queue or cross/);
  bad({ placeLatencyMs: "-1" }, /--place-latency-ms "-1"/);
  bad({ cancelLatencyMs: "soon" }, /--cancel-latency-ms "soon"/);
  bad({ fillModel: "cross", placeLatencyMs: "5" }, /--place-latency-ms .* --fill-model queue/);
  bad({ repriceInterval: "0" }, /--reprice-interval "0"/);
  bad({ seed: "3" }, /--seed .* needs --synthetic/);
  bad({ synthetic: true, minutes: "-2" }, /--minutes "-2"/);
  bad({ synthetic: true, data: "/x" }, /--data .* --synthetic/);
  // several at once, all named
  bad({ quantity: "0", maxOrders: "0", fillModel: "x" }, /--quantity/, /--max-orders/, /--fill-model/);
  // and the good defaults pass: queue model at 20 ms each way, the recording
  const ok = makerBacktestPlan({}, DATA);
  assert.deepEqual(ok.fillModel, { kind: "queue", placeLatencyMs: 20, cancelLatencyMs: 20 });
  assert.deepEqual(ok.source, { kind: "recorded", dataDir: DATA });
  assert.equal(ok.maker.quantity, 0.002);
});

test("perpbot backtest maker: a bad flag exits 2 naming it; a stop price on the wrong side is named", () => {
  const r = runCli(process.cwd(), ["backtest", "maker", "--synthetic", "--quantity", "-1"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--quantity/);
  const s = runCli(process.cwd(), [
    "backtest",
    "maker",
    "--synthetic",
    "--minutes",
    "1",
    "--stop-price",
    "100",
  ]);
  assert.equal(s.status, 2, s.stderr);
  assert.match(s.stderr, /--stop-price 100 is on the wrong side for --direction buy/);
});

test("[sim] place_latency_ms / cancel_latency_ms are the backtest's latency defaults; the flags win", () => {
  const env = { PERPBOT__SIM__PLACE_LATENCY_MS: "35", PERPBOT__SIM__CANCEL_LATENCY_MS: "7" };
  const r = runCli(process.cwd(), ["backtest", "maker", "--synthetic", "--minutes", "1"], env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /placement latency 35 ms, cancel latency 7 ms/);
  const plan = makerBacktestPlan({ cancelLatencyMs: "3" }, DATA, { placeLatencyMs: 35, cancelLatencyMs: 7 });
  assert.deepEqual(plan.fillModel, { kind: "queue", placeLatencyMs: 35, cancelLatencyMs: 3 });
});

test("[sim] fill_model = queue puts the paper venues on the queue model", () => {
  const sim = simSection.schema.parse({ fill_model: "queue", cancel_latency_ms: 10 });
  assert.deepEqual(simFillModelOf(sim), { kind: "queue", placeLatencyMs: 50, cancelLatencyMs: 10 });
  assert.deepEqual(simFillModelOf(simSection.schema.parse({})), { kind: "cross" });
  const world = createPaperWorld(sim, new SimClock());
  try {
    const v = world.venues.get("simA")!;
    assert.deepEqual(v.queueStats(), { waitsMs: [], cancelledUnfilled: 0, queueFills: 0, throughFills: 0 });
  } finally {
    world.close();
  }
  const cross = createPaperWorld(simSection.schema.parse({}), new SimClock());
  assert.equal(cross.venues.get("simA")!.queueStats(), undefined);
  cross.close();
});
