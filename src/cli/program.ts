import { Command } from "commander";
import { registerAgent } from "./commands/agent.ts";
import { registerAlerts } from "./commands/alerts.ts";
import { registerApi } from "./commands/api.ts";
import { registerBacktest } from "./commands/backtest.ts";
import { registerClose } from "./commands/close.ts";
import { registerConfig } from "./commands/config.ts";
import { registerDb } from "./commands/db.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerEmulate } from "./commands/emulate.ts";
import { registerFlatten } from "./commands/flatten.ts";
import { registerHyperliquid } from "./commands/hyperliquid.ts";
import { registerInit } from "./commands/init.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerLighter } from "./commands/lighter.ts";
import { registerMaker } from "./commands/maker.ts";
import { registerPairs } from "./commands/pairs.ts";
import { registerRecord } from "./commands/record.ts";
import { registerRun } from "./commands/run.ts";
import { registerStatus } from "./commands/status.ts";
import { registerTrades } from "./commands/trades.ts";
import { registerWorkers } from "./commands/workers.ts";
import { perpbotVersion } from "./version.ts";

export { perpbotVersion };

/**
 * `perpbot agent replay --version V ...` as the issue and docs spell it: `--version` is also
 * perpbot's own flag (commander answers it wherever it appears), so after `agent replay` a
 * `--version V` (or `--version=V`) is read as the replay's version argument. Everywhere else the
 * arguments are left as they are.
 */
export function replayVersionArgs(argv: readonly string[]): string[] {
  const args = [...argv];
  const agent = args.indexOf("agent");
  if (agent < 0 || args[agent + 1] !== "replay") return args;
  for (let i = agent + 2; i < args.length; i++) {
    const a = args[i];
    if (a === "--") break;
    if (a === "--version" && i + 1 < args.length && !args[i + 1].startsWith("-")) {
      args.splice(i, 2, args[i + 1]);
      break;
    }
    if (a.startsWith("--version=")) {
      args.splice(i, 1, a.slice("--version=".length));
      break;
    }
  }
  return args;
}

/**
 * The perpbot command line. Each command lives in its own file under commands/ and is added by
 * its register function. bin.ts runs the program and turns errors into exit codes.
 */
export function buildProgram(): Command {
  const program = new Command("perpbot")
    .description(
      "Market-neutral strategies on perpetual-futures DEXs (farm, maker, carry, scalp, agent): paper by default, backtests, live on Hyperliquid with --live.",
    )
    .version(perpbotVersion(), "-V, --version", "print perpbot's version")
    .option("-c, --config <path>", "config file (default: ./perpbot.toml if it exists)")
    .option("--live", 'trade real funds: needs mode = "live" in the config as well')
    .showHelpAfterError("(run perpbot --help for usage)")
    // commander would call process.exit itself; bin.ts decides exit codes (usage errors: 2)
    .exitOverride();

  registerInit(program);
  registerConfig(program);
  registerDb(program);
  registerKeys(program);
  registerHyperliquid(program);
  registerLighter(program);
  registerDoctor(program);
  registerRun(program);
  registerMaker(program);
  registerStatus(program);
  registerClose(program);
  registerFlatten(program);
  registerBacktest(program);
  registerPairs(program);
  registerAlerts(program);
  registerTrades(program);
  registerEmulate(program);
  registerRecord(program);
  registerApi(program);
  registerAgent(program);
  registerWorkers(program);

  // subcommands inherit exitOverride only if set before they are created; set it on all of them
  for (const c of program.commands) applyExitOverride(c);
  return program;
}

function applyExitOverride(command: Command): void {
  command.exitOverride();
  for (const c of command.commands) applyExitOverride(c);
}
