import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { farmBacktestOptionsFrom, formatBacktestReport, runFarmBacktest } from "../../app/backtest.ts";
import { carrySettingsFrom, formatCarryReport, runCarryBacktest } from "../../app/carry-backtest.ts";
import {
  defaultDataDir,
  formatScalpReport,
  runScalpBacktest,
  scalpSettingsFrom,
} from "../../app/scalp-backtest.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { parseNumberArg } from "../time-arg.ts";
import { registerBacktestAgent } from "./backtest-agent.ts";
import { registerMakerBacktest } from "./backtest-maker.ts";

/** The flags of `perpbot backtest carry`, as commander hands them over. */
interface CarryOpts {
  days: string;
  seed: string;
  instance?: string;
  venues?: string;
  bases: string;
  stepS: string;
  bookRefreshS?: string;
  json?: boolean;
}

/** `perpbot backtest farm|carry|scalp|maker|agent`: a strategy on the simulated clock. */
export function registerBacktest(program: Command): void {
  const backtest = program
    .command("backtest")
    .description("run a strategy on the simulated clock with synthetic data");
  registerBacktestAgent(backtest);
  backtest
    .command("farm")
    .description("backtest the farm (the config's farm and sim sections; paper venues, synthetic data)")
    .option("--days <n>", "simulated days", "7")
    .option("--seed <n>", "seed of the market, the wallets and the farm's draws", "1")
    .option("--wallets <n>", "number of simulated wallets (default: sim.wallets)")
    .option(
      "--data <path>",
      "market data from a recording of perpbot record (a .gz or its folder) instead of synthetic",
    )
    .option("--json", "print the report as JSON")
    .action(
      async (
        opts: { days: string; seed: string; wallets?: string; data?: string; json?: boolean },
        cmd: Command,
      ) => {
        const days = parseNumberArg(opts.days, "--days", { above: 0, max: 366, unit: "days" });
        const seed = parseNumberArg(opts.seed, "--seed", { min: 0, integer: true });
        const wallets =
          opts.wallets === undefined
            ? undefined
            : parseNumberArg(opts.wallets, "--wallets", { min: 2, max: 10_000, integer: true });
        const config = loadCliConfig(cmd);
        const started = Date.now();
        const report = await runFarmBacktest(
          farmBacktestOptionsFrom(config.values, {
            days,
            seed,
            wallets,
            recorded: opts.data,
            onProgress: (h, total) => {
              if (!opts.json && process.stderr.isTTY && (h % 24 === 0 || h === total)) {
                process.stderr.write(
                  `\rsimulated ${h}/${total} h (${((Date.now() - started) / 1000).toFixed(1)} s)`,
                );
              }
            },
          }),
        ).catch((e: unknown) => {
          if (e instanceof Error && e.message.startsWith("--data")) throw new UsageError(e.message);
          throw e;
        });
        if (!opts.json && process.stderr.isTTY) process.stderr.write("\n");
        process.stdout.write(
          opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatBacktestReport(report)}\n`,
        );
      },
    );
  backtest
    .command("carry")
    .description("backtest carry on the simulated venues with synthetic multi-venue funding")
    .option("--days <n>", "simulated days", "7")
    .option("--seed <n>", "seed of the market", "1")
    .option(
      "--instance <name>",
      "the [strategies.<name>] carry instance whose settings to use (default: the first, else defaults)",
    )
    .option("--venues <n>", "a synthetic universe of N venues (simA, simB, ...) instead of the catalog pair")
    .option("--bases <n>", "perpetuals each venue of the synthetic universe lists (with --venues)", "50")
    .option("--step-s <n>", "seconds between book moves of the synthetic market", "5")
    .option(
      "--book-refresh-s <n>",
      "the simulated venues re-send every book this often, changed or not (for a --step-s above carry's max_bbo_age_ms)",
    )
    .option("--json", "print the report as JSON")
    .action(async (opts: CarryOpts, cmd: Command) => {
      const days = parseNumberArg(opts.days, "--days", { above: 0, max: 366, unit: "days" });
      const seed = parseNumberArg(opts.seed, "--seed", { min: 0, integer: true });
      const stepS = parseNumberArg(opts.stepS, "--step-s", { above: 0, max: 3600, unit: "seconds" });
      const refreshS =
        opts.bookRefreshS === undefined
          ? undefined
          : parseNumberArg(opts.bookRefreshS, "--book-refresh-s", { above: 0, max: 3600, unit: "seconds" });
      const universe =
        opts.venues === undefined
          ? undefined
          : {
              venues: parseNumberArg(opts.venues, "--venues", { min: 2, max: 26, integer: true }),
              bases: parseNumberArg(opts.bases, "--bases", { min: 1, max: 1000, integer: true }),
            };
      const config = loadCliConfig(cmd);
      let carry: ReturnType<typeof carrySettingsFrom>;
      try {
        carry = carrySettingsFrom(config.values, opts.instance);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const report = await runCarryBacktest({
        days,
        seed,
        carry,
        stepMs: Math.round(stepS * 1000),
        ...(refreshS === undefined ? {} : { bookRefreshMs: Math.round(refreshS * 1000) }),
        ...(universe ? { universe } : {}),
      });
      process.stdout.write(
        opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCarryReport(report)}\n`,
      );
    });
  backtest
    .command("scalp")
    .description(
      "backtest scalp on the recorded, time-aligned Binance USD-M and COIN-M books of ../shared/data (BTC, ETH)",
    )
    .option("--data <dir>", "folder of the recordings (default: ../shared/data beside the repository)")
    .option(
      "--instance <name>",
      "the [strategies.<name>] scalp instance whose settings to use (default: the first, else defaults)",
    )
    .option("--taker-fee-bps <n>", "what-if taker fee on both venues instead of VIP 0 (5 bps)")
    .option("--maker-fee-bps <n>", "what-if maker fee on both venues (with --taker-fee-bps; default 2)")
    .option("--json", "print the report as JSON")
    .action(
      async (
        opts: {
          data?: string;
          instance?: string;
          takerFeeBps?: string;
          makerFeeBps?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const config = loadCliConfig(cmd);
        let scalp: ReturnType<typeof scalpSettingsFrom>;
        try {
          scalp = scalpSettingsFrom(config.values, opts.instance);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const fees =
          opts.takerFeeBps === undefined
            ? undefined
            : {
                takerBps: parseNumberArg(opts.takerFeeBps, "--taker-fee-bps", {
                  min: 0,
                  max: 100,
                  unit: "bps",
                }),
                makerBps:
                  opts.makerFeeBps === undefined
                    ? 2
                    : parseNumberArg(opts.makerFeeBps, "--maker-fee-bps", {
                        min: -10,
                        max: 100,
                        unit: "bps",
                      }),
              };
        if (opts.makerFeeBps !== undefined && fees === undefined)
          throw new UsageError("--maker-fee-bps needs --taker-fee-bps");
        const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
        let report: Awaited<ReturnType<typeof runScalpBacktest>>;
        try {
          report = await runScalpBacktest({ dataDir: opts.data ?? defaultDataDir(repo), scalp, fees });
        } catch (e) {
          if (/recordings are not in/.test((e as Error).message)) throw new UsageError((e as Error).message);
          throw e;
        }
        process.stdout.write(
          opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatScalpReport(report)}\n`,
        );
      },
    );
  registerMakerBacktest(backtest);
}
