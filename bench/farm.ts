/**
 * The farm at fleet size: 1,000 wallets (about 250 groups of 3-5, same-venue and cross-venue)
 * farming on the two simulated venues (in memory, synthetic market, SimClock), the real engine
 * and a store on a temp SQLite FILE. Once the fleet is open the farm's loop is stopped and its
 * monitoring check (`FarmStrategy.tick()`: every group's legs read from the engine's portfolio, assessed,
 * views refreshed; no opening round once stopped) is run by hand between one-second market steps.
 *
 * - `farm_cycle_cpu_ms`: process CPU (user + system) per monitoring check, mean of 30 after 3
 *   warm-up checks (the portfolio path: no venue call in a check). Target <= 5 ms (a 15 s check interval leaves the rest of the process room).
 * - `farm_rss_mb`: the process RSS once the fleet is up. Target <= 300 MB.
 * - `farm_status_query_ms`: what `perpbot status` takes to read the fleet from the store.
 *
 * Run alone: `node bench/run.ts --only farm`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNode } from "../src/app/node.ts";
import { createPaperWorld, type PaperSimConfig } from "../src/app/paper.ts";
import { loadStatusReport } from "../src/app/service/status.ts";
import { SimClock } from "../src/core/clock.ts";
import { engineSettings } from "../src/engine/config.ts";
import { openStore } from "../src/store/store.ts";
import { farmDefaults } from "../src/strategies/farm/config.ts";
import { legacyFarm } from "../src/strategies/instances.ts";
import { type BenchFigure, type BenchSuite, percentile } from "./harness.ts";

const WALLETS = 1_000;
const CYCLES = 30;
const WARMUP = 3;
const STEP_MS = 1_000;

const sim: PaperSimConfig = {
  venues: ["simA", "simB"],
  seed: 11,
  latency_ms: 0,
  wallets: WALLETS,
  wallet_balance_min_usd: 1_000,
  wallet_balance_max_usd: 5_000,
  faults: {
    enabled: false,
    reject_rate: 0,
    timeout_rate: 0,
    partial_fill_rate: 0,
    drop_market_data_rate: 0,
    outage_rate: 0,
    outage_duration_ms: 0,
  },
};

const suite: BenchSuite = async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-bench-farm-"));
  const clock = new SimClock(Date.UTC(2026, 0, 1));
  const store = await openStore(`sqlite:${join(dir, "farm.db")}`);
  const world = createPaperWorld(sim, clock, { stepMs: STEP_MS });
  const base = engineSettings();
  try {
    const t0 = process.hrtime.bigint();
    const runtime = await clock.drive(
      startNode({
        store,
        venues: world.venues,
        clock,
        wallets: world.wallets.map((w) => w.id),
        instances: [
          legacyFarm(farmDefaults({ seed: 5, mode: "mixed", check_interval_seconds: 15 }), {
            wallets: world.wallets.map((w) => w.id),
            venues: [...world.venues.keys()],
            fallbackSeed: 5,
          }),
        ],
        // the synthetic books move once a step: allow two steps of age, as the backtest does
        engineSettings: { ...base, limits: { ...base.limits, maxBookAgeMs: 2 * STEP_MS } },
      }),
    );
    // the first check opens most of the fleet; the wallets of groups whose rounded sizes could
    // not be balanced within max_imbalance_usd are regrouped at the next checks
    let groups = 0;
    for (let i = 0, stable = 0; i < 20 && stable < 3; i++) {
      await clock.advance(15_000);
      const n = runtime.farm.groups().length;
      stable = n === groups ? stable + 1 : 0;
      groups = n;
    }
    const openSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await clock.drive(runtime.farm.stop());
    const active = await runtime.engine.groups({ strategy: "farm", activeOnly: true });
    const legs = active.reduce((s, g) => s + g.legs.length, 0);
    if (legs < 0.8 * WALLETS) throw new Error(`bench farm: only ${legs} legs open for ${WALLETS} wallets`);
    global.gc?.();
    const rssMb = process.memoryUsage().rss / 2 ** 20;

    const cpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < WARMUP + CYCLES; i++) {
      await clock.advance(STEP_MS); // the market moves between checks (not measured)
      const c0 = process.cpuUsage();
      const w0 = process.hrtime.bigint();
      await runtime.farm.tick();
      const w = Number(process.hrtime.bigint() - w0) / 1e6;
      const c = process.cpuUsage(c0);
      if (i < WARMUP) continue;
      cpu.push((c.user + c.system) / 1000);
      wall.push(w);
    }
    // every group was read by the checks: its view carries the notional the portfolio holds
    const unread = runtime.farm.groups().filter((v) => !(v.notionalUsd > 0));
    if (unread.length > 0) throw new Error(`bench farm: ${unread.length} groups unread by the checks`);
    // `perpbot status` over the fleet's store (every group, legs, fills, accounting)
    const s0 = process.hrtime.bigint();
    const status = await loadStatusReport(store, { now: clock.now(), recent: 10 });
    const statusMs = Number(process.hrtime.bigint() - s0) / 1e6;
    if (status.active.length !== active.length) throw new Error("bench farm: status lost groups");
    await clock.drive(runtime.stop());
    const mean = cpu.reduce((s, x) => s + x, 0) / cpu.length;
    wall.sort((a, b) => a - b);
    const figures: BenchFigure[] = [
      { key: "farm_groups", value: active.length, unit: "groups" },
      { key: "farm_legs", value: legs, unit: "legs" },
      { key: "farm_fleet_open_s", value: openSeconds, unit: "s" },
      { key: "farm_cycle_cpu_ms", value: mean, unit: "ms", target: "<= 5", ok: mean <= 5 },
      { key: "farm_cycle_wall_p50_ms", value: percentile(wall, 50), unit: "ms" },
      { key: "farm_status_query_ms", value: statusMs, unit: "ms" },
      { key: "farm_rss_mb", value: rssMb, unit: "MB", target: "<= 300", ok: rssMb <= 300 },
    ];
    return figures;
  } finally {
    world.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
