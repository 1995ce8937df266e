import { alertsSection, createAlertService } from "../alerts/config.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { ConfigValues } from "../config/registry.ts";
import { dataDirSection, storeSection } from "../config/sections.ts";
import { WallClock } from "../core/clock.ts";
import { engineSection, engineSettingsFrom } from "../engine/config.ts";
import { checkInstrumentCaps } from "../engine/instrument-caps.ts";
import type { Logging } from "../log/logger.ts";
import { openStore, type Store } from "../store/store.ts";
import { FarmStrategy } from "../strategies/farm/farm.ts";
import { farmStatusLines } from "../strategies/farm/report.ts";
import { resolveInstances } from "../strategies/instances.ts";
import { createTradeRecorder, tradesSection } from "../trades/config.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { simSection } from "../venues/sim/config.ts";
import { ControlPoller } from "./control.ts";
import { LiveRecorder } from "./live-recorder.ts";
import { type StrategyNode, startNode } from "./node.ts";
import { createPaperWorld, marketStatusLine, simDbPathFor } from "./paper.ts";

const INDEX_PRICES_KEY = "paper.index_prices";

export interface PaperRunOptions {
  readonly config: ConfigValues;
  readonly logging: Logging;
  /** wallet ids to trade (the keystore's); default: the simulated wallets of `sim.wallets` */
  readonly walletIds?: readonly string[];
  /**
   * Surfaces started on the run's store once it trades (the HTTP API: the CLI passes it, app/
   * cannot import api/); each is closed first on stop.
   */
  readonly attach?: (store: Store) => Promise<{ close(): Promise<void> }>;
}

/** A running paper process: what `perpbot run` prints and stops. */
export interface PaperRun {
  readonly header: string;
  readonly node: StrategyNode | undefined;
  statusLines(): string[];
  stop(options: { flatten: boolean }): Promise<void>;
}

/**
 * `perpbot run` in paper mode, built from the config: the store, the simulated venues (state on
 * disk, the synthetic market resuming where the last run left it), the strategy node with every
 * configured instance, alerts (attached before the engine's first reconcile, so no start-up alert
 * is lost) and the control poller (`perpbot close`/`flatten`).
 */
/**
 * Checks of a paper run's configuration that need the venues' instruments (a risk cap naming an
 * instrument no simulated venue lists is an error), before anything starts.
 */
export function checkPaperConfig(config: LoadedConfig): void {
  const venues = simSection.get(config.values).venues;
  checkInstrumentCaps(
    config,
    venues.flatMap((v) => catalogInstruments(v).map((i) => i.key)),
  );
}

export async function startPaperRun(o: PaperRunOptions): Promise<PaperRun> {
  const { config, logging } = o;
  const log = logging.forModule("run");
  const clock = new WallClock();
  const store = await openStore(storeSection.get(config).url);
  // the synthetic market picks up where the last run left it, so resumed positions keep their prices
  const saved = await store.kv.get(INDEX_PRICES_KEY);
  const world = createPaperWorld(simSection.get(config), clock, {
    walletIds: o.walletIds,
    simDbPath: simDbPathFor(dataDirSection.get(config)),
    stepMs: 250,
    initialPrices: saved ? (JSON.parse(saved) as Record<string, number>) : undefined,
  });
  const wallets = world.wallets.map((w) => w.id);
  const saveIndexPrices = () =>
    store.kv.put(INDEX_PRICES_KEY, JSON.stringify(world.indexPrices()), clock.now());
  let node: StrategyNode | undefined;
  let alertService: ReturnType<typeof createAlertService> | undefined;
  try {
    const instances = resolveInstances(config, {
      wallets,
      venues: [...world.venues.keys()],
      fallbackSeed: clock.now(),
    });
    if (instances.length > 0) {
      alertService = createAlertService(alertsSection.get(config), {
        store,
        clock,
        logger: logging.forModule("alerts"),
      });
      const service = alertService;
      node = await startNode({
        store,
        venues: world.venues,
        clock,
        wallets,
        instances,
        engineSettings: engineSettingsFrom(engineSection.get(config)),
        tradeRecorder: createTradeRecorder(tradesSection.get(config), logging.forModule("trades")),
        attachAlerts: (bus) => service.attach(bus),
        log: (source, level, msg, ctx) => {
          // the legacy instance logs as the farm module did; others under their own name
          logging.forModule(source === "farm" ? "farm" : `strategy.${source}`)[level](ctx ?? {}, msg);
        },
      });
    }
  } catch (e) {
    await alertService?.close?.();
    world.close();
    await store.close();
    throw e;
  }
  const control = node
    ? new ControlPoller({
        store,
        clock,
        engine: node.engine,
        farm: node.control,
        venues: [...world.venues.keys()],
        wallets,
        log: (level, msg, ctx) => log[level](ctx ?? {}, msg),
      })
    : undefined;
  await control?.start();
  // what only this process knows (positions at the mark, liquidation distances, equity) goes to
  // the store, where the API and dashboard read it
  const live = node
    ? new LiveRecorder({
        store,
        clock,
        node,
        venues: [...world.venues.keys()],
        wallets,
        onError: (e) => log.warn({ err: e.message }, "could not record the live snapshot"),
      })
    : undefined;
  live?.start();
  let attached: { close(): Promise<void> } | undefined;
  try {
    attached = o.attach ? await o.attach(store) : undefined;
  } catch (e) {
    // e.g. the API's port is taken: stop what started, leave nothing half-running
    await live?.stop();
    await control?.stop();
    await node?.stop({ flatten: false });
    await alertService?.close?.();
    world.close();
    await store.close();
    throw e;
  }
  const names = node ? [...node.instances.keys()] : [];
  const on =
    names.length === 0
      ? ""
      : names.length === 1 && names[0] === "farm"
        ? ", farm on"
        : `, strategies ${names.join(", ")}`;
  return {
    header: `perpbot paper mode: ${world.venues.size} simulated venues, ${wallets.length} wallets${on}. Ctrl-C to stop.`,
    node,
    statusLines() {
      const lines = [marketStatusLine(world)];
      for (const i of node?.instances.values() ?? []) {
        if (!(i.strategy instanceof FarmStrategy)) continue;
        const farmLines = farmStatusLines(i.strategy.groups(), clock.now());
        if (i.spec.name !== "farm") farmLines[0] = `[${i.spec.name}] ${farmLines[0]}`;
        lines.push(...farmLines);
      }
      saveIndexPrices().catch((e) => log.warn({ err: (e as Error).message }, "could not save index prices"));
      return lines;
    },
    async stop(options) {
      await attached?.close();
      await live?.stop();
      await control?.stop();
      await node?.stop({ flatten: options.flatten });
      await alertService?.close?.();
      await saveIndexPrices();
      world.close();
      await store.close();
    },
  };
}
