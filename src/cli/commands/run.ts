import { existsSync } from "node:fs";
import type { Command } from "commander";
import { alertsSection, createAlertService } from "../../alerts/config.ts";
import { ControlPoller } from "../../app/control.ts";
import { startFarmRuntime } from "../../app/farm-runtime.ts";
import { createPaperWorld, marketStatusLine, simDbPathFor } from "../../app/paper.ts";
import { farmStatusLines } from "../../app/status.ts";
import { dataDirSection, keystoreSection, simSection, storeSection } from "../../config/sections.ts";
import { WallClock } from "../../core/clock.ts";
import { engineSection, engineSettingsFrom } from "../../engine/config.ts";
import { checkInstrumentCaps } from "../../engine/instrument-caps.ts";
import { openStore } from "../../store/store.ts";
import { farmSection } from "../../strategies/farm/config.ts";
import { createTradeRecorder, tradesSection } from "../../trades/config.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { openKeystore } from "../../wallets/keystore.ts";
import { obtainPassword } from "../../wallets/prompt.ts";
import { createCliLogging, loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { parseRunDuration, parseStatusEvery } from "../time-arg.ts";

const INDEX_PRICES_KEY = "paper.index_prices";

/**
 * `perpbot run`: the long-running process. Paper mode (the default) trades the farm on simulated
 * venues fed by synthetic data, prints a status every few seconds, and on Ctrl-C stops cleanly:
 * no new intents, in-flight orders resolved or recorded, everything persisted. A second run
 * resumes the same groups.
 */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description('run perpbot: the farm on paper venues (live needs --live and mode = "live")')
    .option("--status-every <seconds>", "seconds between status lines (1 to 86400)", "5")
    .option(
      "--duration <seconds>",
      "stop by itself after this many seconds, at most 31622400 (366 days; default: run until Ctrl-C)",
    )
    .option("--flatten-on-exit", "close every group and position before exiting")
    .option(
      "--password-file <file>",
      "keystore password file (else PERPBOT_KEYSTORE_PASSWORD, else a prompt)",
    )
    .action(
      async (
        opts: { statusEvery: string; duration?: string; passwordFile?: string; flattenOnExit?: boolean },
        cmd: Command,
      ) => {
        const statusEvery = parseStatusEvery(opts.statusEvery);
        const duration = opts.duration === undefined ? undefined : parseRunDuration(opts.duration);
        const config = loadCliConfig(cmd, { trading: true });
        if (config.values.mode === "live") {
          throw new UsageError(
            "live trading needs a live venue connector, and none is configured yet: run in paper mode",
          );
        }
        const simVenues = simSection.get(config.values).venues;
        checkInstrumentCaps(
          config,
          simVenues.flatMap((v) => catalogInstruments(v).map((i) => i.key)),
        );
        const logging = createCliLogging(config);
        const log = logging.forModule("run");
        const farmLog = logging.forModule("farm");

        // With a keystore, paper mode trades the user's own wallet ids (on simulated venues); the
        // keys are unlocked so a wrong password fails here, before anything trades.
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

        // Ctrl-C and SIGTERM are caught from here on, so a signal during start-up also ends in a
        // clean stop rather than a kill half-way through
        let stopRequested: (why: string) => void = () => {};
        const stopSignal = new Promise<string>((resolve) => {
          stopRequested = resolve;
        });
        const onInt = () => stopRequested("SIGINT");
        const onTerm = () => stopRequested("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
        // the clock's timers chain past Node's 24.8-day setTimeout limit
        const clock = new WallClock();
        const deadline =
          duration === undefined ? undefined : clock.after(duration * 1000, () => stopRequested("duration"));

        const store = await openStore(storeSection.get(config.values).url);
        // the synthetic market picks up where the last run left it, so resumed positions keep
        // their prices
        const saved = await store.getKv(INDEX_PRICES_KEY);
        const world = createPaperWorld(simSection.get(config.values), clock, {
          walletIds,
          simDbPath: simDbPathFor(dataDirSection.get(config.values)),
          stepMs: 250,
          initialPrices: saved ? (JSON.parse(saved) as Record<string, number>) : undefined,
        });
        const saveIndexPrices = () =>
          store.putKv(INDEX_PRICES_KEY, JSON.stringify(world.indexPrices()), clock.now());
        const farmConfig = farmSection.get(config.values);
        const runtime = farmConfig.enabled
          ? await startFarmRuntime({
              store,
              venues: world.venues,
              clock,
              wallets: world.wallets.map((w) => w.id),
              farm: farmConfig,
              engineSettings: engineSettingsFrom(engineSection.get(config.values)),
              tradeRecorder: createTradeRecorder(
                tradesSection.get(config.values),
                logging.forModule("trades"),
              ),
              log: (level, msg, ctx) => farmLog[level](ctx ?? {}, msg),
            })
          : undefined;
        const control = runtime
          ? new ControlPoller({
              store,
              clock,
              engine: runtime.engine,
              farm: runtime.farm,
              venues: [...world.venues.keys()],
              wallets: world.wallets.map((w) => w.id),
              log: (level, msg, ctx) => log[level](ctx ?? {}, msg),
            })
          : undefined;
        await control?.start();
        const alertService = runtime
          ? createAlertService(alertsSection.get(config.values), {
              store,
              clock,
              logger: logging.forModule("alerts"),
            })
          : undefined;
        const detach = runtime && alertService ? alertService.attach(runtime.alerts) : undefined;
        process.stdout.write(
          `perpbot paper mode: ${world.venues.size} simulated venues, ${world.wallets.length} wallets${runtime ? ", farm on" : ""}. Ctrl-C to stop.\n`,
        );
        const print = () => {
          const lines = [marketStatusLine(world)];
          if (runtime) lines.push(...farmStatusLines(runtime.farm.groups(), clock.now()));
          process.stdout.write(`${lines.join("\n")}\n`);
          saveIndexPrices().catch((e) =>
            log.warn({ err: (e as Error).message }, "could not save index prices"),
          );
        };
        print();
        const timer = setInterval(print, statusEvery * 1000);

        const why = await stopSignal;
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
        if (deadline) clock.cancel(deadline);
        clearInterval(timer);
        log.info({ why }, "stopping");
        process.stdout.write(`stopping (${why})...\n`);
        await control?.stop();
        await runtime?.stop({ flatten: opts.flattenOnExit === true });
        detach?.();
        await alertService?.close?.();
        await saveIndexPrices();
        world.close();
        await store.close();
        process.stdout.write("perpbot stopped; state saved.\n");
        await logging.close();
      },
    );
}
