import type { Clock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import { AlertBus } from "../engine/alerts.ts";
import { type EngineSettings, engineSettings } from "../engine/config.ts";
import { EngineContext } from "../engine/context.ts";
import { Engine, type StartOptions } from "../engine/executor.ts";
import type { EgressOf, RateLimiter } from "../engine/risk/rate-limiter.ts";
import type { Store } from "../store/store.ts";
import type { CloseReason, LogLevel, Strategy, StrategyServices } from "../strategies/contract.ts";
import type { FarmAccounting } from "../strategies/farm/accounting.ts";
import { FarmStrategy } from "../strategies/farm/farm.ts";
import type { ResolvedInstance } from "../strategies/instances.ts";
import { createStrategy } from "../strategies/registry.ts";
import type { TradeRecorder } from "../trades/recorder.ts";
import type { Keystore } from "../wallets/keystore.ts";
import type { ControlFarm } from "./control.ts";
import { egressFromKeystore } from "./egress.ts";
import { OpenAiChatClient } from "./llm/openai-client.ts";
import { farmAccountingFromStore } from "./service/accounting.ts";
import { PAUSED_KV_KEY, pausedStrategies } from "./service/control.ts";

export type { ResolvedInstance } from "../strategies/instances.ts";

/**
 * The composition root: one engine on the given venues and store, every configured strategy
 * instance on it (each with its own context: names, wallets, venues, seed), and the recorders
 * that keep the trade CSV in step. `perpbot run` and `perpbot backtest` both start a node, on the
 * wall clock and on the simulated clock; nothing else builds an engine for a strategy.
 */
export interface NodeOptions {
  readonly store: Store;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly clock: Clock;
  /** every wallet the process manages: the engine watches it on every venue */
  readonly wallets: readonly string[];
  readonly instances: readonly ResolvedInstance[];
  readonly engineSettings?: EngineSettings;
  readonly tradeRecorder?: TradeRecorder | null;
  readonly log?: (source: string, level: LogLevel, msg: string, ctx?: Record<string, unknown>) => void;
  /**
   * Called with the alert bus before anything else happens (the engine's start-up reconcile
   * included), so no start-up alert is lost; returns its detach.
   */
  readonly attachAlerts?: (bus: AlertBus) => (() => void) | undefined;
  /**
   * The egress of each account (app/egress.ts: from the keystore's proxies or the venues'
   * account bindings): accounts on one proxy share a venue's per-IP rate limits. Absent (paper
   * mode, the simulator): taken from `keystore` when given, else every account leaves "direct".
   */
  readonly egressOf?: EgressOf;
  /** a rate limiter shared with other engines (a pool worker's units share the per-IP budget) */
  readonly rateLimiter?: RateLimiter;
  /** the unlocked keystore of a live run: its wallets' proxies give the egress of each account */
  readonly keystore?: Pick<Keystore, "wallets">;
  /**
   * Start-up's stop signal and progress (the engine's reads): an aborted start-up stops what
   * had started and throws StartAbortedError.
   */
  readonly start?: StartOptions;
  /**
   * I/O offered to strategies (an agent's chat model); default: an OpenAI-compatible HTTP client
   * per agent instance, its key from the environment variable the instance names
   */
  readonly services?: StrategyServices;
}

/** What start-up found that the operator must hear of. */
export interface StartReport {
  /** the store held no group at all before this start */
  readonly freshStore: boolean;
  /** positions on the venues that no group owns, found by the start-up reconcile */
  readonly orphans: readonly { venue: string; account: string; symbol: string; lots: number }[];
}

const DEFAULT_SERVICES: StrategyServices = { chatModel: (s) => new OpenAiChatClient(s) };

export interface NodeInstance {
  readonly spec: ResolvedInstance["spec"];
  readonly strategy: Strategy;
  readonly context: EngineContext;
  /** the instance's `max_exposure_usd` (the risk gate's allocation), undefined: none */
  readonly maxExposureUsd: number | undefined;
}

export interface StrategyNode {
  readonly engine: Engine;
  readonly alerts: AlertBus;
  readonly instances: ReadonlyMap<string, NodeInstance>;
  /** the farm instance (the only one, or the one named `farm`): backtests and tests */
  readonly farm: FarmStrategy;
  /** every instance's groups and closes behind one face, for the control poller */
  readonly control: ControlFarm;
  readonly startReport: StartReport;
  /** settles once every funding payment seen so far has been recorded */
  flushRecords(): Promise<void>;
  /** farm accounting of one instance's groups (default: the farm instance) */
  accounting(instance?: string): Promise<FarmAccounting>;
  stop(options?: { flatten?: boolean }): Promise<void>;
}

export async function startNode(o: NodeOptions): Promise<StrategyNode> {
  const alerts = new AlertBus();
  const detachAlerts = o.attachAlerts?.(alerts);
  const base = o.engineSettings ?? engineSettings();
  const allocations = Object.fromEntries(
    o.instances.flatMap((i) =>
      i.maxExposureUsd === undefined ? [] : [[i.spec.name, usd(i.maxExposureUsd)]],
    ),
  );
  const settings: EngineSettings =
    Object.keys(allocations).length === 0
      ? base
      : {
          ...base,
          limits: {
            ...base.limits,
            allocationByStrategy: { ...base.limits.allocationByStrategy, ...allocations },
          },
        };
  const accounts = [...o.venues.keys()].flatMap((venue) => o.wallets.map((account) => ({ venue, account })));
  const engine = new Engine({
    store: o.store,
    venues: o.venues,
    clock: o.clock,
    alerts,
    accounts,
    settings,
    egressOf: o.egressOf ?? (o.keystore === undefined ? undefined : egressFromKeystore(o.keystore)),
    rateLimiter: o.rateLimiter,
    onFill: o.tradeRecorder
      ? (fill, meta) =>
          o.tradeRecorder?.recordFill(fill, {
            group: meta.groupId,
            // a flattened orphan's fills say so in the trade log
            reason: meta.reason ?? (meta.purpose === "orphan" ? "orphan_flatten" : null),
          })
      : undefined,
  });
  // an empty store (new, or deleted) with positions still on the venues must not start quietly
  const freshStore = (await o.store.groups.list({ limit: 1 })).length === 0;
  try {
    await engine.start(o.start);
  } catch (e) {
    // an aborted (or failed) start-up leaves nothing running: no timers, no listeners
    await engine.stop().catch(() => {});
    detachAlerts?.();
    throw e;
  }
  const orphans = engine
    .orphans()
    .map(({ venue, account, symbol, lots }) => ({ venue, account, symbol, lots }));
  if (freshStore && orphans.length > 0) {
    const wallets = new Set(orphans.map((x) => `${x.venue}:${x.account}`)).size;
    alerts.raise({
      severity: "critical",
      key: "engine.empty_store_positions",
      title: "empty store, positions on the venues",
      message: `the store holds no groups, but the venues hold ${orphans.length} position(s) on ${wallets} wallet(s) that no group owns: was the store deleted or replaced? They are treated as orphans (${settings.orphanFlatten ? `flattened after the ${Math.round(settings.orphanGraceMs / 1000)} s grace period` : "alerted, not flattened"}); stop now and restore the store if it was not meant to be empty`,
      context: {},
      ts: o.clock.now(),
    });
  }
  const instances = new Map<string, NodeInstance>();
  for (const r of o.instances) {
    const context = new EngineContext({
      engine,
      store: o.store,
      venues: o.venues,
      clock: o.clock,
      spec: r.spec,
      log: (level, msg, ctx) => o.log?.(r.spec.name, level, msg, ctx),
      dryRun: (r.config as { readonly dry_run?: unknown }).dry_run === true,
    });
    instances.set(r.spec.name, {
      spec: r.spec,
      strategy: createStrategy(r.spec, r.config, o.services ?? DEFAULT_SERVICES),
      context,
      maxExposureUsd: r.maxExposureUsd,
    });
  }
  // instances the operator paused stay paused across restarts
  for (const name of await pausedStrategies(o.store)) {
    const i = instances.get(name);
    if (i) i.context.paused = true;
  }
  for (const i of instances.values()) await i.strategy.start(i.context);
  const farmInstance = (): FarmStrategy => {
    const farms = [...instances.values()].filter((i) => i.strategy instanceof FarmStrategy);
    const chosen = instances.get("farm") ?? (farms.length === 1 ? farms[0] : undefined);
    if (chosen === undefined || !(chosen.strategy instanceof FarmStrategy)) {
      throw new Error(
        `no single farm instance in this node (instances: ${[...instances.keys()].join(", ")})`,
      );
    }
    return chosen.strategy;
  };
  const owner = (groupId: string) =>
    [...instances.values()].find((i) => i.strategy.view().groups.some((g) => g.id === groupId));
  const control: ControlFarm = {
    async close(groupId: string | "all", reason: CloseReason = "manual") {
      if (groupId === "all") {
        await Promise.all([...instances.values()].map((i) => i.strategy.close("all", reason)));
        return;
      }
      await owner(groupId)?.strategy.close(groupId, reason);
    },
    groups: () => [...instances.values()].flatMap((i) => i.strategy.view().groups),
    async setPaused(name, paused) {
      const i = instances.get(name);
      if (i === undefined)
        throw new Error(`no strategy instance "${name}" (instances: ${[...instances.keys()].join(", ")})`);
      i.context.paused = paused;
      const names = new Set(await pausedStrategies(o.store));
      if (paused) names.add(name);
      else names.delete(name);
      await o.store.kv.put(PAUSED_KV_KEY, JSON.stringify([...names].sort()), o.clock.now());
    },
  };
  return {
    engine,
    alerts,
    instances,
    get farm() {
      return farmInstance();
    },
    control,
    startReport: { freshStore, orphans },
    flushRecords: () => engine.recordsSettled(),
    async accounting(instance) {
      await engine.recordsSettled();
      const name = instance ?? farmInstance().instance;
      return farmAccountingFromStore(o.store, await engine.groups({ strategy: name }));
    },
    async stop(options) {
      for (const i of instances.values()) await i.strategy.stop();
      await engine.stop(options);
      for (const i of instances.values()) i.context.close();
      o.tradeRecorder?.close();
      detachAlerts?.();
    },
  };
}
