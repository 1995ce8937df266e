import { existsSync } from "node:fs";
import type { Command } from "commander";
import { runSurfaces } from "../../api/surfaces.ts";
import { checkPoolConfig } from "../../app/cluster/pool-run.ts";
import { checkLiveConfig, startLiveRun } from "../../app/live-run.ts";
import { agentKeystoreRefs, chatServices, llmKeysFromKeystore } from "../../app/llm/keystore-keys.ts";
import { checkPaperConfig, StartAbortedError, startPaperRun } from "../../app/paper-run.ts";
import type { RunSurfaceOptions } from "../../app/run-core.ts";
import { startSandboxRun } from "../../app/sandbox-run.ts";
import { keystoreSection } from "../../config/sections.ts";
import { WallClock } from "../../core/clock.ts";
import { PerpbotError } from "../../core/errors.ts";
import { openKeystore } from "../../wallets/keystore.ts";
import { confirmTyped, obtainPassword } from "../../wallets/prompt.ts";
import { createCliLogging, loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { parseCountArg, parseRunDuration, parseStatusEvery } from "../time-arg.ts";
import { perpbotVersion } from "../version.ts";
import { runPool } from "./run-pool.ts";

/** Exit code of a second Ctrl-C / SIGTERM, which exits without the clean stop (128 + SIGINT). */
export const FORCED_EXIT_CODE = 130;

function parseLeaseTtl(text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= 3600))
    throw new UsageError(`--lease-ttl "${text}": expected a number of seconds from 1 to 3600`);
  return n;
}

/** Why the run stopped by itself, as the one line the CLI prints (a DbFileError: exit 6). */
function runFailure(err: Error): Error {
  if (err instanceof PerpbotError) return err;
  return new PerpbotError("run_failed", `trading halted and the run stopped: ${err.message}`);
}

/**
 * `perpbot run`: the long-running process. Paper mode (the default) trades the farm on simulated
 * venues fed by synthetic data, prints a status every few seconds, and on Ctrl-C stops cleanly:
 * no new intents, in-flight orders resolved or recorded, everything persisted. A second run
 * resumes the same groups.
 */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description('run perpbot: the strategies on paper venues (live: --live and mode = "live")')
    .option("--status-every <seconds>", "seconds between status lines (1 to 86400)", "5")
    .option(
      "--duration <seconds>",
      "stop by itself after this many seconds, at most 31622400 (366 days; default: run until Ctrl-C)",
    )
    .option("--flatten-on-exit", "close every group and position before exiting")
    .option(
      "--worker-id <id>",
      "join the pool of workers on the store's PostgreSQL under this id (docs/deploy.md)",
    )
    .option("--cluster-schema <name>", "with --worker-id: the pool's PostgreSQL schema", "perpbot")
    .option(
      "--lease-ttl <seconds>",
      "with --worker-id: a lease lives this long without renewal (1 to 3600)",
      "10",
    )
    .option(
      "--egress <name>",
      "with --worker-id: the outbound address this worker shares with others",
      "default",
    )
    .option("--workers-per-ip <n>", "with --worker-id: live workers one egress is split for (1 to 64)", "3")
    .option("--yes", "with --live on mainnet: skip the typed confirmation")
    .option(
      "--password-file <file>",
      "keystore password file (else PERPBOT_KEYSTORE_PASSWORD, else a prompt)",
    )
    .action(
      async (
        opts: {
          statusEvery: string;
          duration?: string;
          passwordFile?: string;
          flattenOnExit?: boolean;
          yes?: boolean;
          workerId?: string;
          clusterSchema: string;
          leaseTtl: string;
          egress: string;
          workersPerIp: string;
        },
        cmd: Command,
      ) => {
        const statusEvery = parseStatusEvery(opts.statusEvery);
        const duration = opts.duration === undefined ? undefined : parseRunDuration(opts.duration);
        const config = loadCliConfig(cmd, { trading: true });
        // live (mode = "live" and --live, both checked by the loader): real orders on the
        // configured venues; mainnet asks for a typed confirmation unless --yes
        const live = config.values.mode === "live" ? checkLiveConfig(config) : undefined;
        // sandbox: real market data, simulated fills; its instruments are checked once connected
        const sandbox = config.values.mode === "sandbox";
        if (opts.workerId !== undefined) {
          checkPoolConfig(config.values, opts.workerId);
          if (live !== undefined || sandbox)
            throw new UsageError(
              `--worker-id: a pool runs paper mode only so far; run ${sandbox ? "sandbox" : "live"} without --worker-id`,
            );
        }
        if (live === undefined && !sandbox) checkPaperConfig(config);
        else if (live !== undefined && live.realMoney.length > 0 && opts.yes !== true) {
          const what = `perpbot run --live trades REAL MONEY on ${live.realMoney.join(", ")} mainnet`;
          if (!process.stdin.isTTY)
            throw new UsageError(`${what}: confirm with --yes (stdin is not a terminal to ask on)`);
          if (!(await confirmTyped(`${what}. Type "mainnet" to go on: `, "mainnet")))
            throw new UsageError(`${what}: not confirmed, nothing was started`);
        }
        const logging = createCliLogging(config);
        const log = logging.forModule("run");

        // With a keystore, paper mode trades the user's own wallet ids (on simulated venues); the
        // keys are unlocked so a wrong password fails here, before anything trades.
        const keystorePath = keystoreSection.get(config.values).path;
        let walletIds: string[] | undefined;
        let password: string | undefined;
        let services: RunSurfaceOptions["services"];
        const llmRefs = agentKeystoreRefs(config.values);
        if (llmRefs.length > 0 && !existsSync(keystorePath))
          throw new UsageError(
            `api_key_keystore names ${llmRefs.join(", ")}, and there is no keystore at ${keystorePath}: perpbot keys init, then perpbot keys add <id> --venue llm --secret api_key`,
          );
        if (live !== undefined && !existsSync(keystorePath))
          throw new UsageError(
            `live trading signs with keys from the keystore, and there is none at ${keystorePath}: perpbot keys init`,
          );
        if (existsSync(keystorePath)) {
          password = await obtainPassword({
            what: "keystore password",
            envName: "PERPBOT_KEYSTORE_PASSWORD",
            file: opts.passwordFile,
            fileOption: "--password-file",
          });
          const keystore = await openKeystore(keystorePath, password);
          // LLM key holders are not trading wallets
          walletIds = keystore
            .wallets()
            .filter((w) => !(llmRefs.includes(w.id) && w.venues.every((v) => v.venue === "llm")))
            .map((w) => w.id);
          try {
            if (llmRefs.length > 0) services = chatServices(await llmKeysFromKeystore(keystore, llmRefs));
          } catch (e) {
            throw new UsageError((e as Error).message);
          } finally {
            keystore.close();
          }
          log.info({ wallets: walletIds.length }, "keystore unlocked");
        }

        if (opts.workerId !== undefined) {
          const { workerId, clusterSchema } = opts;
          const ttlMs = parseLeaseTtl(opts.leaseTtl) * 1000;
          const workersPerIp = parseCountArg(opts.workersPerIp, "--workers-per-ip");
          if (workersPerIp > 64)
            throw new UsageError(
              `--workers-per-ip "${opts.workersPerIp}": expected a whole number from 1 to 64`,
            );
          await runPool({
            config: config.values,
            logging,
            workerId,
            clusterSchema,
            walletIds,
            statusEvery,
            duration,
            ttlMs,
            egress: opts.egress,
            workersPerIp,
          });
          return;
        }

        // Ctrl-C and SIGTERM are caught from here on, so a signal during start-up also ends in a
        // clean stop rather than a kill half-way through; start-up hears it at its next read
        // (issue 10, D5). A second Ctrl-C (or SIGTERM) exits at once: what was under way is in
        // the journal, and the next start resolves it.
        const abort = new AbortController();
        let stopRequested: (why: string) => void = () => {};
        const stopSignal = new Promise<string>((resolve) => {
          stopRequested = (why) => {
            abort.abort(why);
            resolve(why);
          };
        });
        let signals = 0;
        const onSignal = (name: string) => {
          if (++signals > 1) {
            process.stderr.write(`perpbot: second ${name}: exiting now without a clean stop\n`);
            logging.close();
            process.exit(FORCED_EXIT_CODE);
          }
          process.stdout.write(`stopping (${name})... (again to exit at once)\n`);
          stopRequested(name);
        };
        const onInt = () => onSignal("SIGINT");
        const onTerm = () => onSignal("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
        // the clock's timers chain past Node's 24.8-day setTimeout limit
        const clock = new WallClock();
        const deadline =
          duration === undefined ? undefined : clock.after(duration * 1000, () => stopRequested("duration"));
        const say = (line: string) => process.stdout.write(`${line}\n`);

        let run: Awaited<ReturnType<typeof startPaperRun>>;
        try {
          const surface: RunSurfaceOptions = {
            logging,
            signal: abort.signal,
            say,
            services,
            attach: runSurfaces({
              config,
              version: perpbotVersion(),
              say,
              log: (module, level, msg, ctx) => logging.forModule(module)[level](ctx ?? {}, msg),
            }),
            requestStop: (why) => stopRequested(why),
          };
          run =
            live === undefined || password === undefined
              ? sandbox
                ? await startSandboxRun({ ...surface, config, walletIds })
                : await startPaperRun({ ...surface, config: config.values, walletIds })
              : await startLiveRun({ ...surface, config, plan: live, keystorePath, password });
        } catch (e) {
          if (deadline) clock.cancel(deadline);
          if (!(e instanceof StartAbortedError)) throw e;
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
          log.info({ why: e.why }, "stopped during start-up");
          process.stdout.write(`perpbot stopped during start-up (${e.why}); state saved.\n`);
          await logging.close();
          return;
        }
        // a change that could not be saved (full disk, damaged file) halts trading: stop cleanly
        let failed: Error | undefined;
        void run.failure.then((err) => {
          failed = err;
          stopRequested("a change could not be saved");
        });
        process.stdout.write(`${run.header}\n`);
        const print = () => process.stdout.write(`${run.statusLines().join("\n")}\n`);
        print();
        const timer = setInterval(print, statusEvery * 1000);

        const why = await stopSignal;
        if (deadline) clock.cancel(deadline);
        clearInterval(timer);
        log.info({ why }, "stopping");
        if (why === "duration") process.stdout.write(`stopping (${why})...\n`);
        await run.stop({ flatten: opts.flattenOnExit === true });
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        if (failed !== undefined) {
          log.error({ err: failed.message }, "stopped: a change could not be saved");
          await logging.close();
          process.stdout.write("perpbot stopped: trading halted, see the message below.\n");
          throw runFailure(failed);
        }
        process.stdout.write("perpbot stopped; state saved.\n");
        await logging.close();
      },
    );
}
