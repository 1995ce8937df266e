/**
 * The farm backtest the issue names: `perpbot backtest farm --days 7 --seed 1` with 12 wallets,
 * timed as a whole (wall clock; the report itself is checked by src/app/backtest.test.ts).
 */
import { runFarmBacktest } from "../src/app/backtest.ts";
import "../src/app/sections.ts";
import { loadConfig } from "../src/config/load.ts";
import { farmSection } from "../src/strategies/farm/config.ts";
import { simSection } from "../src/venues/sim/config.ts";
import type { BenchFigure, BenchSuite } from "./harness.ts";

const suite: BenchSuite = async (): Promise<BenchFigure[]> => {
  const values = loadConfig({ env: {} }).values;
  const started = performance.now();
  const report = await runFarmBacktest({
    days: 7,
    seed: 1,
    sim: simSection.get(values),
    farm: farmSection.get(values),
  });
  const seconds = (performance.now() - started) / 1000;
  return [
    {
      key: "backtest_farm_7d_s",
      value: seconds,
      unit: `s (7 days, 12 wallets, ${report.groups} groups)`,
      target: "< 30",
      ok: seconds < 30,
    },
  ];
};

export default suite;
