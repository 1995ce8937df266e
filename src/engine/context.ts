import type { Clock } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { MarketEvent } from "../core/market.ts";
import { Rng } from "../core/random.ts";
import type { Fill } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import type { Store } from "../store/store.ts";
import type {
  FundingEvent,
  GroupStateEvent,
  InstanceSpec,
  Intents,
  StrategyContext,
  StrategyEvents,
  StrategyLogger,
  StrategyTimer,
  Unsubscribe,
} from "../strategies/contract.ts";
import type { Engine } from "./executor.ts";
import type { FlattenResult, GroupRecord } from "./groups/group-types.ts";
import type { AmendOutcome, CancelOutcome } from "./orders/single-order-types.ts";
import type { TimerRecord } from "./scheduler.ts";

export interface ContextOptions {
  readonly engine: Engine;
  readonly store: Store;
  /** the venues, for their event streams only (fills, funding): the strategy never sees them */
  readonly venues: ReadonlyMap<string, Venue>;
  readonly clock: Clock;
  readonly spec: InstanceSpec;
  readonly log?: StrategyLogger["log"];
  /**
   * The instance runs dry (its `dry_run` key): it reads the markets and decides as usual, and
   * every open or order it asks for is logged as "would place" and answered as refused, so
   * nothing reaches a venue (seed 002's `dry_run_live`). Closes and flattens still go: a dry
   * instance holds nothing, so they find nothing, and a position taken before it went dry is
   * still closed.
   */
  readonly dryRun?: boolean;
}

/**
 * A strategy instance's StrategyContext. Names are the instance's: its groups carry it in the
 * `strategy` column, its timers are stored as `<instance>.<id>` of kind `<instance>.<kind>` and its
 * state keys as `<instance>.<key>` (for the instance named `farm` these are exactly the keys the
 * farm used before instances existed: `farm.close:<group>`, `farm.cooldown:<wallet>`). Intents
 * naming an account or venue outside the instance's are refused: instances share one engine but
 * never each other's wallets.
 */
export class EngineContext implements StrategyContext {
  readonly instance: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: StrategyLogger;
  readonly alerts: StrategyContext["alerts"];
  readonly timers: StrategyContext["timers"];
  readonly state: StrategyContext["state"];
  readonly market: StrategyContext["market"];
  readonly portfolio: StrategyContext["portfolio"];
  readonly events: StrategyEvents;
  readonly intents: Intents;
  private readonly o: ContextOptions;
  /**
   * Paused by the operator (a pause_strategy control request): the instance opens nothing new
   * (groups and orders that are not reduce-only are refused); its closes and exits go on.
   */
  paused = false;
  private readonly wallets: ReadonlySet<string>;
  private readonly venueIds: ReadonlySet<string>;
  private readonly groupListeners = new Set<(e: GroupStateEvent) => void>();
  private readonly timerListeners = new Set<(t: StrategyTimer) => void>();
  private readonly subscriptions = new Set<Unsubscribe>();

  constructor(o: ContextOptions) {
    this.o = o;
    const { engine, spec } = o;
    this.instance = spec.name;
    this.clock = o.clock;
    this.rng = new Rng(spec.seed);
    this.wallets = new Set(spec.wallets);
    this.venueIds = new Set(spec.venues);
    this.logger = { log: (level, msg, ctx) => o.log?.(level, msg, ctx) };
    this.alerts = { raise: (a) => engine.alerts.raise(a) };
    this.market = engine.market;
    this.portfolio = engine.portfolio;
    const prefix = `${spec.name}.`;
    const store = o.store;
    this.state = {
      get: async (k) => (await store.kv.get(prefix + k)) ?? undefined,
      put: (k, v) => store.kv.put(prefix + k, v, o.clock.now()),
      putMany: (entries) =>
        store.kv.putMany(
          entries.map(([k, v]) => [prefix + k, v] as const),
          o.clock.now(),
        ),
    };
    this.timers = {
      on: (kind, handler) => {
        engine.scheduler.on(prefix + kind, async (t: TimerRecord) => {
          const timer = { ...t, id: t.id.slice(prefix.length), kind };
          for (const l of this.timerListeners) l(timer);
          await handler(timer);
        });
      },
      schedule: (t) => engine.scheduler.schedule({ ...t, id: prefix + t.id, kind: prefix + t.kind }),
      cancel: (id) => engine.scheduler.cancel(prefix + id),
    };
    this.events = this.buildEvents();
    this.intents = this.buildIntents();
  }

  groups(
    filter: { activeOnly?: boolean; groupIds?: readonly string[] } = {},
  ): Promise<readonly GroupRecord[]> {
    return this.o.engine.groups({
      strategy: this.instance,
      activeOnly: filter.activeOnly,
      ...(filter.groupIds === undefined ? {} : { groupIds: filter.groupIds }),
    });
  }

  venueCircuit(venue: string): "closed" | "open" | "half_open" {
    return this.o.engine.circuits?.state(venue) ?? "closed";
  }

  /** Drop every subscription the strategy made (the node calls it after the strategy stopped). */
  close(): void {
    for (const u of this.subscriptions) u();
    this.subscriptions.clear();
    this.groupListeners.clear();
    this.timerListeners.clear();
  }

  private ownsAccount(account: string): boolean {
    return this.wallets.has(account);
  }

  /** An instance cancels and amends only its own orders: another's is refused, nothing is sent. */
  private ownOrder(
    clientOrderId: string,
    what: "cancel" | "amend",
  ): Promise<CancelOutcome & AmendOutcome> | undefined {
    const owner = this.o.engine.orders().find((v) => v.clientOrderId === clientOrderId)?.strategy;
    if (owner === undefined || owner === this.instance) return undefined;
    return Promise.resolve({
      ok: false as const,
      clientOrderId,
      reason: "invalid" as const,
      detail: `strategy ${this.instance}: cannot ${what} order ${clientOrderId} of strategy ${owner}`,
    });
  }

  private checkTarget(venue: string, account: string, what: string): void {
    if (!this.venueIds.has(venue)) {
      throw new InvalidValueError(
        `strategy ${this.instance}: ${what} on venue "${venue}", which is not one of its venues (${[...this.venueIds].join(", ")})`,
      );
    }
    if (!this.ownsAccount(account)) {
      throw new InvalidValueError(
        `strategy ${this.instance}: ${what} for wallet "${account}", which is not one of its wallets`,
      );
    }
  }

  private emitGroup(groupId: string, status: GroupStateEvent["status"], reason: string | null): void {
    const e = { groupId, status, reason, ts: this.clock.now() };
    for (const l of this.groupListeners) l(e);
  }

  private track(u: Unsubscribe): Unsubscribe {
    this.subscriptions.add(u);
    return () => {
      u();
      this.subscriptions.delete(u);
    };
  }

  private buildEvents(): StrategyEvents {
    const { engine, venues } = this.o;
    const onVenue = <T>(
      pick: (venue: string, e: Parameters<Parameters<Venue["onEvent"]>[0]>[0]) => T | undefined,
      listener: (x: T) => void,
    ) => {
      const subs = [...venues].map(([id, v]) =>
        v.onEvent((e) => {
          const x = pick(id, e);
          if (x !== undefined) listener(x);
        }),
      );
      return this.track(() => {
        for (const u of subs) u();
      });
    };
    return {
      onBook: (l) =>
        this.track(
          engine.market.subscribe((e: MarketEvent) => {
            if ((e.type === "book" || e.type === "bbo") && this.venueIds.has(e.venue)) l(e);
          }),
        ),
      onTrade: (l) =>
        this.track(
          engine.market.subscribe((e: MarketEvent) => {
            if (e.type === "trade" && this.venueIds.has(e.venue)) l(e);
          }),
        ),
      onFill: (l) =>
        onVenue<[string, Fill]>(
          (venue, e) => (e.type === "fill" && this.ownsAccount(e.fill.account) ? [venue, e.fill] : undefined),
          ([venue, fill]) => l(venue, fill),
        ),
      onFunding: (l) =>
        onVenue<FundingEvent>(
          (venue, e) =>
            e.type === "funding" && this.ownsAccount(e.account)
              ? {
                  venue,
                  account: e.account,
                  symbol: e.symbol,
                  amount: e.amount,
                  ratePerHour: e.ratePerHour,
                  ts: e.ts,
                }
              : undefined,
          l,
        ),
      onOrderUpdate: (l) =>
        this.track(engine.onOrderUpdate((u) => (u.order.strategy === this.instance ? l(u) : undefined))),
      onGroupState: (l) => {
        this.groupListeners.add(l);
        return () => this.groupListeners.delete(l);
      },
      onTimer: (l) => {
        this.timerListeners.add(l);
        return () => this.timerListeners.delete(l);
      },
    };
  }

  private buildIntents(): Intents {
    const { engine } = this.o;
    return {
      openGroup: async (legs, options) => {
        for (const l of legs) this.checkTarget(l.venue, l.account, `group ${options.groupId}`);
        if (this.o.dryRun === true) {
          const what = legs.map((l) => `${l.side} ${l.sizeLots} lots ${l.venue}:${l.symbol} (${l.account})`);
          const detail = `dry run: would place group ${options.groupId}: ${what.join(" + ")}`;
          this.logger.log("info", detail, { group: options.groupId });
          return {
            ok: false,
            groupId: options.groupId,
            reason: "dry_run",
            detail,
            status: "failed",
            sent: false,
          };
        }
        if (this.paused)
          return {
            ok: false,
            groupId: options.groupId,
            reason: "risk_refused",
            detail: `strategy ${this.instance} is paused`,
            status: "failed",
            sent: false,
          };
        const out = await engine.openGroup([...legs], { ...options, strategy: this.instance });
        this.emitGroup(out.groupId, out.ok ? "open" : out.status, out.ok ? null : out.reason);
        return out;
      },
      closeGroup: async (groupId, reason, detail, pricing) => {
        const out = await engine.closeGroup(groupId, reason, detail, pricing);
        this.emitGroup(groupId, out.ok ? "closed" : "closing", reason);
        return out;
      },
      setLeverage: async (venue, account, symbol, leverage, mode) => {
        this.checkTarget(venue, account, `leverage of ${symbol}`);
        if (this.o.dryRun === true) {
          this.logger.log(
            "info",
            `dry run: would set ${venue}:${symbol} (${account}) to ${leverage}x ${mode}`,
          );
          return;
        }
        await engine.setLeverage(venue, account, symbol, leverage, mode);
      },
      flatten: async (filter, reason) => {
        if (filter.venue !== undefined && !this.venueIds.has(filter.venue))
          throw new InvalidValueError(
            `strategy ${this.instance}: flatten on venue "${filter.venue}", not one of its venues`,
          );
        if (filter.account !== undefined && !this.ownsAccount(filter.account))
          throw new InvalidValueError(
            `strategy ${this.instance}: flatten of wallet "${filter.account}", not one of its wallets`,
          );
        // without an account, each of the instance's own wallets: never another instance's
        const accounts = filter.account !== undefined ? [filter.account] : [...this.wallets];
        const results: FlattenResult[] = [];
        for (const account of accounts)
          results.push(await engine.flatten({ venue: filter.venue, account }, reason));
        return {
          groupsClosed: results.flatMap((r) => r.groupsClosed),
          groupsNotFlat: results.flatMap((r) => r.groupsNotFlat),
          positionsFlattened: results.reduce((s, r) => s + r.positionsFlattened, 0),
          positionsNotFlat: results.reduce((s, r) => s + r.positionsNotFlat, 0),
        };
      },
      placeOrder: async (intent) => {
        this.checkTarget(intent.venue, intent.account, `order ${intent.intentId}`);
        if (this.o.dryRun === true) {
          const detail = `dry run: would place ${intent.side} ${intent.sizeLots} lots ${intent.venue}:${intent.symbol} (${intent.account})`;
          this.logger.log("info", detail, { intent: intent.intentId });
          return { ok: false, clientOrderId: intent.intentId, reason: "dry_run", detail };
        }
        if (this.paused && !intent.reduceOnly)
          return {
            ok: false,
            clientOrderId: `paused:${intent.intentId}`,
            reason: "risk_refused",
            detail: `strategy ${this.instance} is paused: only reduce-only orders pass`,
          };
        return engine.placeOrder({ ...intent, strategy: this.instance });
      },
      cancelOrder: (id) => this.ownOrder(id, "cancel") ?? engine.cancelOrder(id),
      amendOrder: (id, change) => this.ownOrder(id, "amend") ?? engine.amendOrder(id, change),
    };
  }
}
