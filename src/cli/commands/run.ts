import { existsSync } from "node:fs";
import type { Command } from "commander";
import { createPaperWorld, marketStatusLine, simDbPathFor } from "../../app/paper.ts";
import { dataDirSection, keystoreSection, simSection } from "../../config/sections.ts";
import { WallClock } from "../../core/clock.ts";
import { openKeystore } from "../../wallets/keystore.ts";
import { obtainPassword } from "../../wallets/prompt.ts";
import { createCliLogging, loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";

/**
 * `perpbot run`: the long-running process. Paper mode (the default) starts the simulated venues
 * on synthetic data and prints a status line every few seconds; Ctrl-C stops it within 2 s.
 */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description('run perpbot (paper mode unless --live and mode = "live")')
    .option("--status-every <seconds>", "seconds between status lines", "5")
    .option("--duration <seconds>", "stop by itself after this many seconds (default: run until Ctrl-C)")
    .option(
      "--password-file <file>",
      "keystore password file (else PERPBOT_KEYSTORE_PASSWORD, else a prompt)",
    )
    .action(async (opts: { statusEvery: string; duration?: string; passwordFile?: string }, cmd: Command) => {
      const statusEvery = Number(opts.statusEvery);
      if (!(statusEvery > 0))
        throw new UsageError(
          `--status-every must be a positive number of seconds, got "${opts.statusEvery}"`,
        );
      const duration = opts.duration === undefined ? undefined : Number(opts.duration);
      if (duration !== undefined && !(duration > 0))
        throw new UsageError(`--duration must be a positive number of seconds, got "${opts.duration}"`);
      const config = loadCliConfig(cmd, { trading: true });
      if (config.values.mode === "live") {
        throw new UsageError(
          "live trading needs a live venue connector, and none is configured yet: run in paper mode",
        );
      }
      const logging = createCliLogging(config);
      const log = logging.forModule("run");
      const dataDir = dataDirSection.get(config.values);
      const clock = new WallClock();
      // With a keystore, paper mode trades the user's own wallet ids (on simulated venues); the
      // keys are unlocked so a later live run fails here, not mid-trade, on a wrong password.
      const keystorePath = keystoreSection.get(config.values).path;
      let walletIds: string[] | undefined;
      if (existsSync(keystorePath)) {
        const password = await obtainPassword({
          what: "keystore password",
          envName: "PERPBOT_KEYSTORE_PASSWORD",
          file: opts.passwordFile,
          fileOption: "--password-file",
        });
        const keystore = await openKeystore(keystorePath, password);
        walletIds = keystore.wallets().map((w) => w.id);
        keystore.close();
        log.info({ wallets: walletIds.length }, "keystore unlocked");
      }
      const world = createPaperWorld(simSection.get(config.values), clock, {
        walletIds,
        simDbPath: simDbPathFor(dataDir),
      });
      log.info(
        { venues: [...world.venues.keys()], wallets: world.wallets.length },
        "paper mode: simulated venues on synthetic data",
      );
      process.stdout.write(
        `perpbot paper mode: ${world.venues.size} simulated venues, ${world.wallets.length} wallets. Ctrl-C to stop.\n`,
      );
      const print = () => process.stdout.write(`${marketStatusLine(world)}\n`);
      print();
      const timer = setInterval(print, statusEvery * 1000);

      await new Promise<void>((resolve) => {
        const stop = (why: string) => {
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
          clearInterval(timer);
          if (deadline) clearTimeout(deadline);
          log.info({ why }, "stopping");
          resolve();
        };
        const onInt = () => stop("SIGINT");
        const onTerm = () => stop("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
        const deadline =
          duration === undefined ? undefined : setTimeout(() => stop("duration"), duration * 1000);
      });
      world.close();
      process.stdout.write("perpbot stopped; state saved.\n");
      await logging.close();
    });
}
