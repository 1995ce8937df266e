import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { type AgentBacktestReplies, runAgentBacktest } from "../../app/agent/backtest.ts";
import { formatAgentBacktestReport } from "../../app/agent/backtest-report.ts";
import { agentSettingsFrom } from "../../app/agent/service.ts";
import { llmKeysFromKeystore } from "../../app/llm/keystore-keys.ts";
import { defaultDataDir } from "../../app/scalp-backtest.ts";
import { keystoreSection } from "../../config/sections.ts";
import { openKeystore } from "../../wallets/keystore.ts";
import { obtainPassword } from "../../wallets/prompt.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { parseNumberArg } from "../time-arg.ts";

interface Opts {
  days?: string;
  seed: string;
  data: string;
  dataDir?: string;
  replies?: string;
  endpoint?: string;
  cycleS?: string;
  equity: string;
  instance?: string;
  json?: boolean;
  passwordFile?: string;
}

/** `perpbot backtest agent`: the LLM agent on synthetic or recorded data, its model over HTTP. */
export function registerBacktestAgent(backtest: Command): void {
  backtest
    .command("agent")
    .description(
      "backtest the LLM agent on synthetic (seeded) or recorded (Binance USD-M) data, its model at the configured endpoint, a replies file or the scripted policy",
    )
    .option("--data <source>", "synthetic or recorded", "synthetic")
    .option(
      "--data-dir <dir>",
      "folder of the recordings (default: $PERPBOT_SHARED_DATA, else ../shared/data)",
    )
    .option("--days <n>", "simulated days (synthetic default 7; recorded: the whole recording)")
    .option("--seed <n>", "seed of the synthetic market", "1")
    .option(
      "--replies <file|scripted>",
      "serve the model's replies on loopback: a file of one reply per line, or the scripted policy (default: the endpoint)",
    )
    .option("--endpoint <url>", "OpenAI-compatible endpoint instead of the instance's base_url")
    .option("--cycle-s <n>", "seconds between cycles instead of the instance's cycle_interval_s")
    .option("--equity <usd>", "USD in the simulated account", "10000")
    .option("--instance <name>", "the [strategies.<name>] agent instance whose settings to use")
    .option(
      "--password-file <file>",
      "keystore password file, when the key is in the keystore (else PERPBOT_KEYSTORE_PASSWORD, else a prompt)",
    )
    .option("--json", "print the report as JSON")
    .action(async (opts: Opts, cmd: Command) => {
      const config = loadCliConfig(cmd);
      if (opts.data !== "synthetic" && opts.data !== "recorded")
        throw new UsageError(`--data: expected synthetic or recorded, got "${opts.data}"`);
      if (opts.replies !== undefined && opts.endpoint !== undefined)
        throw new UsageError("--replies and --endpoint exclude each other");
      let agent: ReturnType<typeof agentSettingsFrom>;
      try {
        agent = agentSettingsFrom(config, opts.instance);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (opts.cycleS !== undefined)
        agent = {
          ...agent,
          cycle_interval_s: parseNumberArg(opts.cycleS, "--cycle-s", { above: 0, max: 86_400, unit: "s" }),
        };
      if (opts.endpoint !== undefined && !/^https?:\/\//.test(opts.endpoint))
        throw new UsageError(`--endpoint: expected an http(s) URL, got "${opts.endpoint}"`);
      const days =
        opts.days === undefined
          ? undefined
          : parseNumberArg(opts.days, "--days", { above: 0, max: 366, unit: "days" });
      const seed = parseNumberArg(opts.seed, "--seed", { min: 0, integer: true });
      const equityUsd = parseNumberArg(opts.equity, "--equity", { above: 0, unit: "USD" });
      const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
      const dataDir = opts.dataDir ?? process.env.PERPBOT_SHARED_DATA ?? defaultDataDir(repo);
      const replies: AgentBacktestReplies =
        opts.replies === undefined
          ? { kind: "endpoint", baseUrl: opts.endpoint }
          : opts.replies === "scripted"
            ? { kind: "scripted" }
            : { kind: "file", path: opts.replies };
      // a live endpoint whose key the config keeps in the keystore: unlocked for it, then closed
      let apiKey: string | undefined;
      const ref = agent.api_key_keystore;
      if (replies.kind === "endpoint" && ref !== null) {
        const path = keystoreSection.get(config.values).path;
        if (!existsSync(path))
          throw new UsageError(`api_key_keystore "${ref}": there is no keystore at ${path}`);
        const keystore = await openKeystore(
          path,
          await obtainPassword({
            what: "keystore password",
            envName: "PERPBOT_KEYSTORE_PASSWORD",
            file: opts.passwordFile,
            fileOption: "--password-file",
          }),
        );
        try {
          apiKey = (await llmKeysFromKeystore(keystore, [ref])).get(ref);
        } catch (e) {
          throw new UsageError((e as Error).message);
        } finally {
          keystore.close();
        }
      }
      let report: Awaited<ReturnType<typeof runAgentBacktest>>;
      try {
        report = await runAgentBacktest({
          agent,
          data:
            opts.data === "synthetic"
              ? { kind: "synthetic", days: days ?? 7, seed }
              : { kind: "recorded", dir: dataDir, days },
          replies,
          equityUsd,
          apiKey,
          onProgress: (done, total) => {
            if (!opts.json && process.stderr.isTTY)
              process.stderr.write(
                `\rsimulated ${(done / 3_600_000).toFixed(0)}/${(total / 3_600_000).toFixed(0)} h`,
              );
          },
        });
      } catch (e) {
        const m = (e as Error).message;
        if (/--replies|recording|lists no market|--days/.test(m)) throw new UsageError(m);
        throw e;
      }
      if (!opts.json && process.stderr.isTTY) process.stderr.write("\n");
      process.stdout.write(
        opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatAgentBacktestReport(report),
      );
    });
}
