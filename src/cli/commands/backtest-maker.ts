import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import {
  formatMakerReport,
  loadMakerEvents,
  type MakerBacktestReport,
  runMakerBacktest,
} from "../../app/maker-backtest.ts";
import {
  MAKER_BT_DEFAULTS,
  type MakerBacktestFlags,
  makerBacktestPlan,
  simLatencies,
} from "../../app/maker-backtest-flags.ts";
import { defaultDataDir } from "../../app/scalp-backtest.ts";
import { InvalidValueError } from "../../core/errors.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";

/**
 * `perpbot backtest maker`: the maker on recorded Binance USD-M BTCUSDT L2 and trades (or a
 * synthetic feed), resting orders filled by their queue position (docs/strategies/maker.md).
 */
export function registerMakerBacktest(backtest: Command): void {
  const d = MAKER_BT_DEFAULTS;
  backtest
    .command("maker")
    .description(
      "backtest the maker on recorded Binance USD-M BTCUSDT L2 and trades of ../shared/data (or --synthetic), with queue position",
    )
    .option(
      "--data <dir>",
      "folder of usdm-btcusdt_20240808.gz (default: $PERPBOT_SHARED_DATA, else ../shared/data beside the repository)",
    )
    .option("--synthetic", "a seeded synthetic BTCUSDT feed instead of the recording")
    .option("--seed <n>", `seed of the synthetic feed (with --synthetic; default ${d.seed})`)
    .option("--minutes <n>", `length of the synthetic feed (with --synthetic; default ${d.minutes})`)
    .option("--fill-model <kind>", "queue (queue position behind the visible size) or cross (none)", "queue")
    .option(
      "--place-latency-ms <ms>",
      `order placement (and amend) latency (default: [sim] place_latency_ms, else ${d.placeLatencyMs})`,
    )
    .option(
      "--cancel-latency-ms <ms>",
      `cancel latency (default: [sim] cancel_latency_ms, else ${d.cancelLatencyMs})`,
    )
    .option("--quantity <n>", `BTC per open order (default ${d.quantity})`)
    .option("--take-profit <pct>", "take-profit in percent of the fill price (0.02 = 0.02 %)", "0.02")
    .option("--max-orders <n>", "resting take-profits at most", "40")
    .option(
      "--wait-time <s>",
      `base cooldown between opens, seconds (default ${d.waitTime}; the seed's is 450)`,
    )
    .option("--grid-step <pct>", "minimum distance between take-profits in percent (-100: off)")
    .option("--stop-price <price>", "close out and stop at this price (-1: off)")
    .option("--pause-price <price>", "no new opens while the price is past this (-1: off)")
    .option("--boost", "maker open, then an immediate taker close")
    .option("--direction <side>", "buy or sell", "buy")
    .option(
      "--reprice-interval <s>",
      `seconds between re-price checks of the open (default ${d.repriceInterval})`,
    )
    .option("--json", "print the report as JSON")
    .action(async (opts: MakerBacktestFlags & { json?: boolean }, cmd: Command) => {
      const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
      const latencies = simLatencies(loadCliConfig(cmd).values);
      let report: MakerBacktestReport;
      try {
        const plan = makerBacktestPlan(
          opts,
          process.env.PERPBOT_SHARED_DATA ?? defaultDataDir(repo),
          latencies,
        );
        const { events, label } = await loadMakerEvents(plan.source);
        report = await runMakerBacktest({
          events,
          sourceLabel: label,
          maker: plan.maker,
          fillModel: plan.fillModel,
        });
      } catch (e) {
        if (e instanceof InvalidValueError || /is not in/.test((e as Error).message))
          throw new UsageError((e as Error).message);
        throw e;
      }
      process.stdout.write(
        opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatMakerReport(report)}\n`,
      );
    });
}
