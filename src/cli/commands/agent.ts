import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { formatLeaderboard } from "../../app/agent/leaderboard.ts";
import { leaderboard, replay } from "../../app/agent/service.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { parseTimeArg } from "../time-arg.ts";

const usage = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
};

/** `perpbot agent leaderboard | replay`: the LLM agent's versions ranked, and its decisions re-run from stored replies. */
export function registerAgent(program: Command): void {
  const agent = program
    .command("agent")
    .description("the LLM trading agent: leaderboard and replay (docs/strategies/agent.md)");
  agent
    .command("leaderboard")
    .description("versions ranked by Sharpe, then return net of LLM cost, beside buy-and-hold and flat")
    .option("--instance <name>", "the agent instance (default: the only one configured)")
    .option("--json", "print a JSON array")
    .action(async (opts: { instance?: string; json?: boolean }, command: Command) => {
      const config = loadCliConfig(command);
      const rows = await usage(() => leaderboard(config, opts));
      process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : formatLeaderboard(rows));
    });
  agent
    // the version is an argument, also spelled `--version V` (program.ts replayVersionArgs)
    .command("replay <version>")
    .description(
      "re-decide a version's (tag or id, also given as --version V) stored cycles from their stored replies (no model call) and compare the decision log",
    )
    .option("--from <time>", "first cycle time: an age (2h, 7d), an ISO time or epoch ms")
    .option("--to <time>", "last cycle time")
    .option("--instance <name>", "the agent instance (default: the only one configured)")
    .option("--out <file>", "write the replayed decision log there, one JSON line per cycle")
    .option("--json", "print the report as JSON")
    .action(
      async (
        version: string,
        opts: {
          from?: string;
          to?: string;
          instance?: string;
          out?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const config = loadCliConfig(command);
        const from = opts.from === undefined ? undefined : parseTimeArg(opts.from, "--from");
        const to = opts.to === undefined ? undefined : parseTimeArg(opts.to, "--to");
        const r = await usage(() => replay(config, { instance: opts.instance, version, from, to }));
        if (opts.out !== undefined) writeFileSync(opts.out, r.log.map((l) => `${l}\n`).join(""));
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ ...r, log: undefined }, null, 2)}\n`
            : `version ${r.version}: ${r.cycles} cycles replayed, ${r.identical} identical, ${r.mismatches.length} differ${r.mismatches.map((m) => `\n  cycle ${m.cycle}:\n    stored   ${m.stored}\n    replayed ${m.replayed}`).join("")}\n`,
        );
        if (r.mismatches.length > 0) process.exitCode = 1;
      },
    );
}
