import type { Command } from "commander";
import { formatPairs, paperPairs } from "../../app/pairs.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";

/** `perpbot pairs`: the cross-venue universe (tradable bases, venues, and every drop with its reason). */
export function registerPairs(program: Command): void {
  program
    .command("pairs")
    .description("what is tradable across venues, on which venues, and why listings were dropped")
    .option("--instance <name>", "use this [strategies.<name>] instance's pairs table and volume floor")
    .option("--json", "print one JSON object")
    .action((opts: { instance?: string; json?: boolean }, command: Command) => {
      const config = loadCliConfig(command);
      if (config.values.mode === "live") {
        // live listings come from the venues' connectors; none lists markets for this yet
        throw new UsageError("perpbot pairs reads the simulated venues' catalogue only (paper mode)");
      }
      let report: ReturnType<typeof paperPairs>;
      try {
        report = paperPairs(config.values, { instance: opts.instance });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatPairs(report));
    });
}
