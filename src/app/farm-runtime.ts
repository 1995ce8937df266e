import type { Clock } from "../core/clock.ts";
import { Rng } from "../core/random.ts";
import type { Venue, VenueEvent } from "../core/venue.ts";
import { AlertBus } from "../engine/alerts.ts";
import { Engine, type EngineOptions } from "../engine/executor.ts";
import type { Store } from "../store/store.ts";
import type { FarmAccounting } from "../strategies/farm/accounting.ts";
import type { FarmConfig } from "../strategies/farm/config.ts";
import type { FarmEngine, FarmGroupRecord } from "../strategies/farm/engine-port.ts";
import { FarmStrategy } from "../strategies/farm/farm.ts";
import type { TradeRecorder } from "../trades/recorder.ts";
import { farmAccountingFromStore } from "./service/accounting.ts";

/** The engine seen through the farm's port: the same calls, records mapped to the farm's shape. */
export function farmEnginePort(engine: Engine, alerts: AlertBus): FarmEngine {
  return {
    openGroup: (legs, options) => engine.openGroup(legs, options),
    closeGroup: (groupId, reason) => engine.closeGroup(groupId, reason),
    async groups(filter) {
      const rows = await engine.groups({ strategy: filter?.strategy });
      return rows.map(
        (g): FarmGroupRecord => ({
          id: g.groupId,
          strategy: g.strategy,
          status: g.status,
          closeReason: g.closeReason,
          meta: g.meta ?? {},
          legs: g.legs.map((l) => ({
            legIndex: l.legIndex,
            venue: l.venue,
            account: l.account,
            symbol: l.symbol,
            side: l.side,
            filledLots: l.filledLots,
          })),
          createdAt: g.createdAt,
          closedAt: g.closedAt,
        }),
      );
    },
    scheduler: engine.scheduler,
    alerts,
  };
}

export interface FarmRuntimeOptions {
  readonly store: Store;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly clock: Clock;
  readonly wallets: readonly string[];
  readonly farm: FarmConfig;
  readonly engineSettings?: EngineOptions["settings"];
  readonly tradeRecorder?: TradeRecorder | null;
  readonly log?: (level: "info" | "warn" | "error", msg: string, ctx?: Record<string, unknown>) => void;
  /** seed when farm.seed is -1 (default: from the clock) */
  readonly fallbackSeed?: number;
}

/** Engine + farm + the recorders that keep the store and the trade CSV in step with the venues. */
export interface FarmRuntime {
  readonly engine: Engine;
  readonly farm: FarmStrategy;
  readonly alerts: AlertBus;
  /** settles once every venue event seen so far has been recorded */
  flushRecords(): Promise<void>;
  accounting(): Promise<FarmAccounting>;
  stop(options?: { flatten?: boolean }): Promise<void>;
}

/**
 * Build and start the farm on the given venues. Funding payments are written to the store as the
 * venues report them. Every fill the engine journals (including those it reads back from a
 * venue's fill history after a lost event) goes to the trade CSV, and so does a fill on the
 * stream that is not an engine order's (a liquidation, a trade made outside perpbot), so
 * accounting, `perpbot trades` and the store agree.
 */
export async function startFarmRuntime(o: FarmRuntimeOptions): Promise<FarmRuntime> {
  const alerts = new AlertBus();
  const accounts = [...o.venues.keys()].flatMap((venue) => o.wallets.map((account) => ({ venue, account })));
  const engine = new Engine({
    store: o.store,
    venues: o.venues,
    clock: o.clock,
    alerts,
    accounts,
    settings: o.engineSettings,
    onFill: o.tradeRecorder
      ? (fill, meta) => o.tradeRecorder?.recordFill(fill, { group: meta.groupId, reason: meta.reason })
      : undefined,
  });
  let pending: Promise<void> = Promise.resolve();
  const record = (venue: Venue, e: VenueEvent) => {
    pending = pending
      .then(() => recordEvent(o, venue, e))
      .catch((err) => o.log?.("error", `recording ${e.type} failed: ${(err as Error).message}`));
  };
  const unsubscribe = [...o.venues.values()].map((v) => v.onEvent((e) => record(v, e)));
  await engine.start();
  const seed = o.farm.seed >= 0 ? o.farm.seed : (o.fallbackSeed ?? o.clock.now());
  const farm = new FarmStrategy({
    engine: farmEnginePort(engine, alerts),
    venues: o.venues,
    clock: o.clock,
    kv: {
      get: async (k) => (await o.store.kv.get(k)) ?? undefined,
      put: (k, v) => o.store.kv.put(k, v, o.clock.now()),
    },
    wallets: o.wallets,
    config: o.farm,
    rng: new Rng(seed),
    log: o.log,
  });
  await farm.start();
  return {
    engine,
    farm,
    alerts,
    flushRecords: () => pending,
    async accounting() {
      await pending;
      return farmAccountingFromStore(o.store, await engine.groups({ strategy: "farm" }));
    },
    async stop(options) {
      await farm.stop();
      await engine.stop(options);
      for (const u of unsubscribe) u();
      await pending;
      o.tradeRecorder?.close();
    },
  };
}

async function recordEvent(o: FarmRuntimeOptions, venue: Venue, e: VenueEvent): Promise<void> {
  if (e.type === "funding") {
    await o.store.funding.insert({
      venue: venue.id,
      account: e.account,
      symbol: e.symbol,
      amount: e.amount,
      ratePerHour: e.ratePerHour,
      positionSize: null,
      ts: e.ts,
    });
  }
}
