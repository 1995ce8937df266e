import type { Command } from "commander";
import { type MakerFlags, startMakerRun } from "../../app/maker-run.ts";
import { InvalidValueError } from "../../core/errors.ts";
import { createCliLogging, loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";

/** `perpbot maker`: seed 003's command line, one maker instance on paper venues, a live status line. */
export function registerMaker(program: Command): void {
  program
    .command("maker")
    .description(
      "the maker volume bot (seed 003 flags): post-only opens closed by take-profits, paper venues",
    )
    .option("--exchange <venue>", "venue of the post-only quotes (paper: simA, simB)")
    .option("--ticker <base>", "underlying, e.g. ETH")
    .option("--quantity <n>", "base units per open order")
    .option("--take-profit <pct>", "take-profit in percent of the fill price (0.02 = 0.02 %)", "0.02")
    .option("--max-orders <n>", "resting take-profits at most", "40")
    .option("--wait-time <s>", "base cooldown between opens, seconds", "450")
    .option("--grid-step <pct>", "minimum distance between take-profits in percent (-100: off)")
    .option("--stop-price <price>", "close out and stop at this price (-1: off)")
    .option("--pause-price <price>", "no new opens while the price is past this (-1: off)")
    .option("--boost", "maker open, then an immediate taker close")
    .option("--direction <side>", "buy or sell", "buy")
    .option("--status-every <seconds>", "seconds between status lines", "5")
    .option("--duration <seconds>", "stop by itself after this many seconds")
    .action(async (opts: MakerFlags & { statusEvery: string; duration?: string }, cmd: Command) => {
      const every = Number(opts.statusEvery);
      if (!(every > 0))
        throw new UsageError(`--status-every must be a positive number, got "${opts.statusEvery}"`);
      const duration = opts.duration === undefined ? undefined : Number(opts.duration);
      if (duration !== undefined && !(duration > 0))
        throw new UsageError(`--duration must be a positive number of seconds, got "${opts.duration}"`);
      const config = loadCliConfig(cmd, { trading: true });
      if (config.values.mode === "live")
        throw new UsageError(
          "live trading needs a live venue connector, and none is configured yet: run in paper mode",
        );
      const logging = createCliLogging(config);
      const run = await startMakerRun({ config: config.values, logging, flags: opts }).catch((e) => {
        throw e instanceof InvalidValueError ? new UsageError(e.message) : e;
      });
      process.stdout.write(`${run.header}\n`);
      const print = () => process.stdout.write(`${run.statusLines().join("\n")}\n`);
      const timer = setInterval(print, every * 1000);
      const why = await new Promise<string>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
        if (duration !== undefined) setTimeout(() => resolve("duration"), duration * 1000).unref();
      });
      clearInterval(timer);
      print();
      process.stdout.write(`stopping (${why})...\n`);
      await run.stop();
      await logging.close();
    });
}
