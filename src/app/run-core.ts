import { alertsSection, createAlertService } from "../alerts/config.ts";
import { logAlerts } from "../alerts/log.ts";
import type { ConfigValues } from "../config/registry.ts";
import { storeSection } from "../config/sections.ts";
import type { Clock } from "../core/clock.ts";
import type { Venue } from "../core/venue.ts";
import { engineSection, engineSettingsFrom } from "../engine/config.ts";
import { StartAbortedError } from "../engine/executor.ts";
import type { RateLimiter } from "../engine/risk/rate-limiter.ts";
import type { Logging } from "../log/logger.ts";
import { acquireRunLock, type RunLock } from "../store/run-lock.ts";
import { openStore, type Store } from "../store/store.ts";
import type { StrategyServices } from "../strategies/contract.ts";
import { FarmStrategy } from "../strategies/farm/farm.ts";
import { FarmStatusView } from "../strategies/farm/report.ts";
import { HedgedMakerStrategy } from "../strategies/hedged-maker/hedged-maker.ts";
import { resolveInstances } from "../strategies/instances.ts";
import { MakerStrategy } from "../strategies/maker/maker.ts";
import { createTradeRecorder, tradesSection } from "../trades/config.ts";
import { ControlPoller } from "./control.ts";
import { LiveRecorder } from "./live-recorder.ts";
import { type StrategyNode, startNode } from "./node.ts";
import { queuedRequestsNotice } from "./run-notices.ts";
import { startupProgressPrinter } from "./startup-progress.ts";

/** every group is listed at every this many statuses (a minute at the default 5 s); else only changes */
const FULL_LISTING_EVERY = 12;

/** What `perpbot run` gets from the surfaces outside app/ (the CLI), paper and live alike. */
export interface RunSurfaceOptions {
  readonly logging: Logging;
  /** stops start-up early (Ctrl-C, `--duration`): the start then throws StartAbortedError */
  readonly signal?: AbortSignal;
  /** what the operator must read at start (progress, queued requests, warnings): stdout */
  readonly say?: (line: string) => void;
  /**
   * Surfaces started on the run's store once it trades (the HTTP API: the CLI passes it, app/
   * cannot import api/); each is closed first on stop.
   */
  readonly attach?: (store: Store) => Promise<{ close(): Promise<void> }>;
  /** what strategies may use (an agent's chat model with its keystore-held key); default: node's */
  readonly services?: StrategyServices;
  /** a "stop" control request (API, Telegram /stop) calls it: the CLI stops as on Ctrl-C */
  readonly requestStop?: (why: string) => void;
  /**
   * Pool mode (src/app/cluster): the unit's fenced store, opened under its lease, instead of the
   * configured store and its runner lock; the venues are wrapped so that every send checks the lease.
   */
  readonly unit?: {
    openStore(): Promise<Store>;
    wrapVenue(v: Venue): Venue;
    /** the worker's one rate limiter, shared by all its units */
    limiterFor(venues: ReadonlyMap<string, Venue>, clock: Clock): RateLimiter;
  };
}

/** A running process: what `perpbot run` prints and stops. */
export interface Run {
  readonly header: string;
  readonly node: StrategyNode | undefined;
  statusLines(): string[];
  /**
   * Resolves with the reason when the run can no longer go on (a venue or the journal could not
   * save a change: full disk, damaged file): trading is halted; stop the run.
   */
  readonly failure: Promise<Error>;
  stop(options: { flatten: boolean }): Promise<void>;
}

/** The venues a run trades, however they were built (simulated world or live connectors). */
export interface RunVenues {
  readonly venues: ReadonlyMap<string, Venue>;
  readonly wallets: readonly string[];
  readonly clock: Clock;
  /** the header's description of the venues, e.g. "perpbot paper mode: 2 simulated venues" */
  readonly header: string;
  /** the lines printed above the strategies' (markets, stream health) */
  marketLines(): string[];
  /** after the node stopped: save what the venues need and close them */
  close(): Promise<void>;
}

export function abortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StartAbortedError(String(signal.reason ?? "aborted"));
}

/**
 * One runner per store (issue 10, D3), taken before anything opens; then the store, then `build`
 * (the venues: it may read the store, e.g. the paper market's saved prices) and the run on them.
 * What was opened is closed again if any step fails, the lock released last.
 */
export async function startRun(
  config: ConfigValues,
  o: RunSurfaceOptions,
  build: (store: Store, fail: (err: Error) => void) => Promise<RunVenues>,
): Promise<Run> {
  const log = o.logging.forModule("run");
  const say = o.say ?? (() => {});
  const url = storeSection.get(config).url;
  const unit = o.unit;
  const lock: RunLock = unit
    ? { where: "lease", release: async () => {} }
    : await acquireRunLock(url, {
        onTakeover: (stale, where) => {
          const who = stale
            ? `pid ${stale.pid} (started ${new Date(stale.startedAt).toISOString()})`
            : "a runner";
          log.warn({ lock: where, stale }, "took over a stale runner lock");
          say(
            `warning: ${who} left the runner lock ${where} behind and is no longer running: taking it over`,
          );
        },
        onLost: (err) => log.error({ err }, "the runner lock's PostgreSQL connection failed"),
      });
  let store: Store;
  try {
    abortCheck(o.signal);
    store = unit ? await unit.openStore() : await openStore(url);
  } catch (e) {
    await lock.release();
    throw e;
  }
  try {
    let fail: (err: Error) => void = () => {};
    const failure = new Promise<Error>((resolve) => {
      fail = resolve;
    });
    abortCheck(o.signal);
    const built = await build(store, (err) => fail(err));
    const venues = unit
      ? { ...built, venues: new Map([...built.venues].map(([k, v]) => [k, unit.wrapVenue(v)])) }
      : built;
    try {
      return await runOn(config, o, { store, lock, say, venues, failure, fail });
    } catch (e) {
      await venues.close().catch(() => {});
      throw e;
    }
  } catch (e) {
    await store.close().catch(() => {});
    await lock.release();
    throw e;
  }
}

async function runOn(
  config: ConfigValues,
  o: RunSurfaceOptions,
  r: {
    store: Store;
    lock: RunLock;
    say: (line: string) => void;
    venues: RunVenues;
    failure: Promise<Error>;
    fail: (err: Error) => void;
  },
): Promise<Run> {
  const { logging } = o;
  const { store, say, venues: v } = r;
  const { clock, wallets } = v;
  const log = logging.forModule("run");
  let node: StrategyNode | undefined;
  let alertService: ReturnType<typeof createAlertService> | undefined;
  try {
    const instances = resolveInstances(config, {
      wallets,
      venues: [...v.venues.keys()],
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
        venues: v.venues,
        clock,
        wallets,
        instances,
        engineSettings: engineSettingsFrom(engineSection.get(config)),
        rateLimiter: o.unit?.limiterFor(v.venues, clock),
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
        services: o.services,
        log: (source, level, msg, ctx) => {
          // the legacy instance logs as the farm module did; others under their own name
          logging.forModule(source === "farm" ? "farm" : `strategy.${source}`)[level](ctx ?? {}, msg);
        },
      });
    }
  } catch (e) {
    await alertService?.close?.({ drainMs: e instanceof StartAbortedError ? 1000 : undefined });
    throw e;
  }
  if (node?.startReport.freshStore && node.startReport.orphans.length > 0) {
    const n = node.startReport.orphans.length;
    say(
      `WARNING: the store ${store.displayUrl} holds no groups, but the venues hold ${n} position(s) no group owns (see perpbot alerts): was the store deleted or replaced?`,
    );
  }
  node?.engine.onJournalFailed((err) => r.fail(store.explainError(err.cause ?? err) as Error));
  const control = node
    ? new ControlPoller({
        store,
        clock,
        engine: node.engine,
        farm: node.control,
        venues: [...v.venues.keys()],
        wallets,
        onStop: o.requestStop,
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
        venues: [...v.venues.keys()],
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
    // the caller closes the venues and the store and releases the runner lock
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
    header: `${v.header}, ${wallets.length} wallets${on}. Ctrl-C to stop.`,
    node,
    failure: r.failure,
    statusLines() {
      const lines = v.marketLines();
      for (const i of node?.instances.values() ?? []) {
        if (i.strategy instanceof MakerStrategy) lines.push(...i.strategy.statusLines());
        if (i.strategy instanceof HedgedMakerStrategy) lines.push(...i.strategy.statusLines());
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
      return lines;
    },
    async stop(options) {
      await attached?.close();
      await live?.stop();
      await control?.stop();
      await node?.stop({ flatten: options.flatten });
      await alertService?.close?.();
      await v.close();
      await store.close();
      await r.lock.release();
    },
  };
}
