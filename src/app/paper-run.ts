import { alertsSection, createAlertService } from "../alerts/config.ts";
import { logAlerts } from "../alerts/log.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { ConfigValues } from "../config/registry.ts";
import { dataDirSection, storeSection } from "../config/sections.ts";
import { WallClock } from "../core/clock.ts";
import { engineSection, engineSettingsFrom } from "../engine/config.ts";
import { StartAbortedError } from "../engine/executor.ts";
import { checkInstrumentCaps } from "../engine/instrument-caps.ts";

export { StartAbortedError };

import type { Logging } from "../log/logger.ts";
import { acquireRunLock, type RunLock } from "../store/run-lock.ts";
import { openStore, type Store } from "../store/store.ts";
import { FarmStrategy } from "../strategies/farm/farm.ts";
import { FarmStatusView } from "../strategies/farm/report.ts";
import { resolveInstances } from "../strategies/instances.ts";
import { MakerStrategy } from "../strategies/maker/maker.ts";
import { createTradeRecorder, tradesSection } from "../trades/config.ts";
import { catalogInstruments } from "../venues/sim/catalog.ts";
import { simSection } from "../venues/sim/config.ts";
import { ControlPoller } from "./control.ts";
import { LiveRecorder } from "./live-recorder.ts";
import { type StrategyNode, startNode } from "./node.ts";
import { createPaperWorld, marketStatusLines, simDbPathFor } from "./paper.ts";
import { queuedRequestsNotice } from "./run-notices.ts";
import { startupProgressPrinter } from "./startup-progress.ts";

const INDEX_PRICES_KEY = "paper.index_prices";
/** every group is listed at every this many statuses (a minute at the default 5 s); else only changes */
const FULL_LISTING_EVERY = 12;

export interface PaperRunOptions {
  readonly config: ConfigValues;
  readonly logging: Logging;
  /** wallet ids to trade (the keystore's); default: the simulated wallets of `sim.wallets` */
  readonly walletIds?: readonly string[];
  /** stops start-up early (Ctrl-C, `--duration`): startPaperRun then throws StartAbortedError */
  readonly signal?: AbortSignal;
  /** what the operator must read at start (progress, queued requests, warnings): stdout */
  readonly say?: (line: string) => void;
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
  /**
   * Resolves with the reason when the run can no longer go on (a simulated venue or the journal
   * could not save a change: full disk, damaged file): trading is halted; stop the run.
   */
  readonly failure: Promise<Error>;
  stop(options: { flatten: boolean }): Promise<void>;
}

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

/**
 * `perpbot run` in paper mode, built from the config: the store, the simulated venues (state on
 * disk, the synthetic market resuming where the last run left it), the strategy node with every
 * configured instance, alerts (attached before the engine's first reconcile, so no start-up alert
 * is lost) and the control poller (`perpbot close`/`flatten`).
 */
export async function startPaperRun(o: PaperRunOptions): Promise<PaperRun> {
  const { config, logging } = o;
  const log = logging.forModule("run");
  const say = o.say ?? (() => {});
  const url = storeSection.get(config).url;
  // one runner per store, taken before anything else opens (issue 10, D3)
  const lock = await acquireRunLock(url, {
    onTakeover: (stale, where) => {
      const who = stale
        ? `pid ${stale.pid} (started ${new Date(stale.startedAt).toISOString()})`
        : "a runner";
      log.warn({ lock: where, stale }, "took over a stale runner lock");
      say(`warning: ${who} left the runner lock ${where} behind and is no longer running: taking it over`);
    },
    onLost: (err) => log.error({ err }, "the runner lock's PostgreSQL connection failed"),
  });
  let store: Store;
  try {
    abortCheck(o.signal);
    store = await openStore(url);
  } catch (e) {
    await lock.release();
    throw e;
  }
  try {
    return await startOn(o, store, lock, say);
  } catch (e) {
    await store.close().catch(() => {});
    await lock.release();
    throw e;
  }
}

function abortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StartAbortedError(String(signal.reason ?? "aborted"));
}

async function startOn(
  o: PaperRunOptions,
  store: Store,
  lock: RunLock,
  say: (line: string) => void,
): Promise<PaperRun> {
  const { config, logging } = o;
  const log = logging.forModule("run");
  const clock = new WallClock();
  // the synthetic market picks up where the last run left it, so resumed positions keep their prices
  const saved = await store.kv.get(INDEX_PRICES_KEY);
  abortCheck(o.signal);
  let fail: (err: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => {
    fail = resolve;
  });
  const world = createPaperWorld(simSection.get(config), clock, {
    onStoreFailure: (_venue, err) => fail(err),
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
      abortCheck(o.signal);
      node = await startNode({
        store,
        venues: world.venues,
        clock,
        wallets,
        instances,
        engineSettings: engineSettingsFrom(engineSection.get(config)),
        tradeRecorder: createTradeRecorder(tradesSection.get(config), logging.forModule("trades")),
        // stored, sent and logged (console and file) from the first instant (issue 10, D1, D7)
        attachAlerts: (bus) => {
          const detachService = service.attach(bus);
          const detachLog = logAlerts(bus, logging.forModule("alerts"));
          return () => {
            detachService();
            detachLog();
          };
        },
        start: { signal: o.signal, progress: startupProgressPrinter(say) },
        log: (source, level, msg, ctx) => {
          // the legacy instance logs as the farm module did; others under their own name
          logging.forModule(source === "farm" ? "farm" : `strategy.${source}`)[level](ctx ?? {}, msg);
        },
      });
    }
  } catch (e) {
    await alertService?.close?.({ drainMs: e instanceof StartAbortedError ? 1000 : undefined });
    world.close();
    throw e;
  }
  if (node?.startReport.freshStore && node.startReport.orphans.length > 0) {
    const n = node.startReport.orphans.length;
    say(
      `WARNING: the store ${store.displayUrl} holds no groups, but the venues hold ${n} position(s) no group owns (see perpbot alerts): was the store deleted or replaced?`,
    );
  }
  node?.engine.onJournalFailed((err) => fail(store.explainError(err.cause ?? err) as Error));
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
  const queued = await control?.start();
  if (queued !== undefined && queued.length > 0) say(queuedRequestsNotice(queued));
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
    // the caller closes the store and releases the runner lock
    throw e;
  }
  const names = node ? [...node.instances.keys()] : [];
  const views = new Map<string, FarmStatusView>();
  const on =
    names.length === 0
      ? ""
      : names.length === 1 && names[0] === "farm"
        ? ", farm on"
        : `, strategies ${names.join(", ")}`;
  return {
    header: `perpbot paper mode: ${world.venues.size} simulated venues, ${wallets.length} wallets${on}. Ctrl-C to stop.`,
    node,
    failure,
    statusLines() {
      const lines = marketStatusLines(world);
      for (const i of node?.instances.values() ?? []) {
        if (i.strategy instanceof MakerStrategy) lines.push(...i.strategy.statusLines());
        if (!(i.strategy instanceof FarmStrategy)) continue;
        let view = views.get(i.spec.name);
        if (view === undefined) {
          view = new FarmStatusView({ fullEvery: FULL_LISTING_EVERY });
          views.set(i.spec.name, view);
        }
        const farmLines = view.lines(i.strategy.groups(), clock.now());
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
      // on a full disk this fails too; what was committed before is what the next run resumes
      await saveIndexPrices().catch((e) =>
        log.warn({ err: (e as Error).message }, "could not save index prices"),
      );
      world.close();
      await store.close();
      await lock.release();
    },
  };
}
