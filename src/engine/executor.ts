import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { MarginMode } from "../core/types.ts";
import type { Venue } from "../core/venue.ts";
import type { FillRecord } from "../store/records.ts";
import type { Store } from "../store/store.ts";
import type { RefreshStats } from "./account-refresher.ts";
import { AccountViews } from "./account-views.ts";
import type { AlertBus } from "./alerts.ts";
import { type EngineSettings, engineSettings } from "./config.ts";
import { onCloseTimer, scheduleGroupClose } from "./groups/close-timer.ts";
import { FlattenSweep } from "./groups/flatten.ts";
import { GroupBook } from "./groups/group-book.ts";
import { GroupOps } from "./groups/group-ops.ts";
import { closeGroupProcedure, openGroupProcedure, type ProcedureHost } from "./groups/group-procedures.ts";
import { listGroupRecords } from "./groups/group-records.ts";
import type {
  CloseOutcome,
  ClosePricing,
  CloseReason,
  FlattenResult,
  GroupFilter,
  GroupRecord,
  LegSpec,
  OpenGroupOptions,
  OpenOutcome,
} from "./groups/group-types.ts";
import { Journal } from "./journal/journal.ts";
import { recoverJournal } from "./journal/recovery.ts";
import type { MarketCache } from "./market.ts";
import type { FillMeta } from "./orders/order-gateway.ts";
import { OrderGateway } from "./orders/order-gateway.ts";
import type {
  AmendOutcome,
  AmendRequest,
  CancelOutcome,
  OrderFilter,
  OrderIntent,
  OrderUpdate,
  OrderView,
  PlaceOutcome,
} from "./orders/single-order-types.ts";
import { SingleOrders } from "./orders/single-orders.ts";
import { OrphanGuard } from "./orphan-guard.ts";
import type { Portfolio } from "./portfolio.ts";
import { type OrphanInfo, type ReconcileReport, Reconciler } from "./reconciler.ts";
import { VenueCircuits } from "./risk/circuit-breaker.ts";
import type { EgressOf, RateLimiter } from "./risk/rate-limiter.ts";
import type { TradingState } from "./risk/risk.ts";
import { RiskGate } from "./risk/risk-gate.ts";
import { StreamHealth } from "./risk/stream-health.ts";
import { TradingControl } from "./risk/trading-control.ts";
import { raceDeadline, type Scheduler } from "./scheduler.ts";
import { type StartOptions, throwIfAborted } from "./startup.ts";
import { engineScheduler } from "./store-timers.ts";
import { watchVenues } from "./watched-venue.ts";

export type * from "./groups/group-types.ts";
export type * from "./orders/single-order-types.ts";
export type { OrphanInfo, ReconcileReport } from "./reconciler.ts";
export { StartAbortedError, type StartOptions, type StartProgress } from "./startup.ts";

export interface EngineOptions {
  readonly store: Store;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly clock: Clock;
  readonly alerts: AlertBus;
  /** settings (default: the `engine` config section's defaults) */
  readonly settings?: Partial<EngineSettings>;
  /** accounts the reconciler watches for orphans and the kill switch sums (legs' accounts are added) */
  readonly accounts?: readonly { readonly venue: string; readonly account: string }[];
  readonly logger?: Logger;
  /**
   * Called once for every fill the engine journals (with its group and purpose), and for every
   * fill on a venue's stream that is not an engine order's (reason "liquidation" or
   * "outside_engine"): the trade log's feed. A throw is alerted, never passed to the engine.
   */
  readonly onFill?: (fill: FillRecord, meta: FillMeta) => void;
  /** which outbound address each account uses: accounts on one egress share per-IP rate limits */
  readonly egressOf?: EgressOf;
  /** the rate limiter to meter sends with (a pool worker shares one across its units); default: the engine's own */
  readonly rateLimiter?: RateLimiter;
}

export { CLOSE_TIMER_KIND } from "./groups/close-timer.ts";

/**
 * The one object strategies and the CLI use to trade. Strategies state intents (open this group
 * all-or-nothing, close group G, flatten); the engine journals them before anything is sent,
 * tracks every order through the one state machine, and reconciles with the venues.
 */
export class Engine {
  readonly scheduler: Scheduler;
  readonly settings: EngineSettings;
  private readonly store: Store;
  private readonly venues: ReadonlyMap<string, Venue>;
  private readonly clock: Clock;
  /** where the engine's alerts go; strategies raise theirs here too */
  readonly alerts: AlertBus;
  private readonly logger: Logger | undefined;
  private readonly journal: Journal;
  private readonly risk: RiskGate;
  private readonly gateway: OrderGateway;
  private readonly singles: SingleOrders;
  private readonly ops: GroupOps;
  private readonly reconciler: Reconciler;
  private readonly sweep: FlattenSweep;
  private readonly procedures: ProcedureHost;
  /** active groups, managed accounts, the hold on a group */
  private readonly book: GroupBook;
  /** trading state and kill switch */
  private readonly control: TradingControl;
  /** the venues' book streams: a stale one refuses new opens on its instrument */
  private readonly streams: StreamHealth;
  /** per-venue circuit breaker; undefined when off */
  readonly circuits: VenueCircuits | undefined;
  /** market cache, portfolio and its refresh, funding journal */
  private readonly views: AccountViews;
  private readonly inflight = new Set<Promise<unknown>>();
  private reconcileTimer: TimerHandle | undefined;
  private reconciling: Promise<ReconcileReport> | undefined;
  private started = false;
  private accepting = false;
  private halted = false;
  private readonly journalFailedListeners = new Set<(err: Error) => void>();

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.alerts = opts.alerts;
    this.logger = opts.logger;
    this.settings = engineSettings(opts.settings);
    const breaker = this.settings.circuitBreaker;
    this.circuits = breaker === undefined ? undefined : new VenueCircuits(breaker, this.clock, this.alerts);
    // every request the engine sends tells the breaker how it went
    this.venues = watchVenues(opts.venues, this.circuits);
    this.book = new GroupBook(this.venues);
    for (const a of opts.accounts ?? []) this.book.addAccount(a.venue, a.account);
    this.journal = new Journal(opts.store, (err) => this.onJournalFailure(err));
    this.streams = new StreamHealth(this.venues, this.alerts, this.clock);
    this.risk = new RiskGate(
      this.settings.limits,
      (s) => this.book.strategyExposure(s),
      "ACTIVE",
      (key) => this.streams.bookStale(key),
      (venue) => this.circuits?.refusal(venue),
    );
    this.control = new TradingControl({
      store: this.store,
      clock: this.clock,
      alerts: this.alerts,
      risk: this.risk,
      settings: this.settings,
      flattenAll: () => this.flatten({}, "kill_switch"),
    });
    this.gateway = new OrderGateway({
      clock: this.clock,
      venues: this.venues,
      journal: this.journal,
      alerts: this.alerts,
      settings: this.settings,
      risk: this.risk,
      onFill: opts.onFill,
      egressOf: opts.egressOf,
      limits: opts.rateLimiter,
      onUpdate: (o, e) => this.singles.orderEvent(o, e),
      onHistoryFill: (venue, fill) => this.views.portfolio.applyHistoryFill(venue, fill),
    });
    this.book.useGateway(this.gateway);
    this.singles = new SingleOrders({
      clock: this.clock,
      venues: this.venues,
      gateway: this.gateway,
      risk: this.risk,
      settings: this.settings,
      alerts: this.alerts,
      orders: opts.store.orders,
      accepting: () => this.accepting,
      addAccount: (venue, account) => this.book.addAccount(venue, account),
    });
    const core = {
      clock: this.clock,
      venues: this.venues,
      gateway: this.gateway,
      journal: this.journal,
      alerts: this.alerts,
      settings: this.settings,
      risk: this.risk,
      groups: this.book.groups,
      orphanGuard: new OrphanGuard(this.settings),
      halting: () => this.halted,
    };
    this.ops = new GroupOps(core);
    this.views = new AccountViews({
      venues: this.venues,
      store: this.store,
      clock: this.clock,
      alerts: this.alerts,
      settings: this.settings,
      gateway: this.gateway,
    });
    this.reconciler = new Reconciler({
      ...core,
      ops: this.ops,
      managedAccounts: () => this.book.managedAccounts(),
      withGroup: (g, fn) => this.book.withGroup(g, fn),
      closeInBackground: (g, reason) => void this.track(this.closeGroup(g.id, reason)),
      observeEquity: (eq) => this.control.observeEquity(eq),
      // what the reconciler reads feeds the portfolio: no second request for the same figures
      onPositionsRead: (venue, account, reports) => this.views.positionsRead(venue, account, reports),
      onAccountRead: (venue, account, report) => this.views.accountRead(venue, account, report),
      killSwitchEnabled: this.control.killSwitchEnabled,
      singleHoldings: () => this.singles.holdings,
    });
    this.sweep = new FlattenSweep({ ...core, managedAccounts: () => this.book.managedAccounts() });
    this.procedures = {
      ...core,
      store: this.store,
      ops: this.ops,
      accepting: () => this.accepting,
      started: () => this.started,
      addGroup: (g) => this.book.add(g),
      withGroup: (g, fn) => this.book.withGroup(g, fn),
      records: (filter) => this.groups(filter),
    };
    this.scheduler = engineScheduler(this.clock, opts.store, this.settings, this.alerts);
    onCloseTimer(this.scheduler, (id, reason) => this.closeGroup(id, reason), this.logger);
  }

  get tradingState(): TradingState {
    return this.risk.state;
  }

  /**
   * Load the journal, resolve unknown outcomes, reconcile, then arm timers and the reconcile loop.
   * The venue reads run concurrently within each venue's rate limit, report their progress, and
   * stop at `signal` (StartAbortedError; then call stop(), which winds down what had started).
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.started) throw new InvalidValueError("engine already started");
    this.started = true;
    this.views.attach();
    this.streams.attach();
    options.progress?.({ stage: "recovery", done: 0, total: 1 });
    // the store reads of the start-up do not depend on one another: they go out together, so a
    // takeover on a busy worker waits for one round of them instead of five in a row
    this.scheduler.prefetch();
    const [, groups] = await Promise.all([
      this.control.restore(),
      recoverJournal(this.store, this.venues, this.gateway, this.alerts, this.clock),
      this.singles.load(),
    ]);
    for (const g of groups) this.book.add(g);
    throwIfAborted(options.signal);
    this.gateway.attach();
    this.accepting = true;
    await this.reconcileOnce(true, options);
    // every managed account read once before any strategy looks at the portfolio
    await this.views.start(
      () => this.book.managedAccounts(),
      (p) => this.track(p.catch((err) => this.logger?.error({ err }, "portfolio refresh failed"))),
      options,
    );
    throwIfAborted(options.signal);
    await this.scheduler.start();
    this.armReconcile();
  }

  /** markets as strategies read them (streams, no venue calls) */
  get market(): MarketCache {
    return this.views.market;
  }

  /** positions, accounts and open orders per venue account, for strategies to read */
  get portfolio(): Portfolio {
    return this.views.portfolio;
  }

  /** Counts of the portfolio refresh's venue reads (what it costs a venue's rate limit). */
  get refreshStats(): Readonly<RefreshStats> {
    return this.views.refreshStats;
  }

  /** Per rate-limit scope of `venue`, the share of its budget in use now (none: not metered). */
  rateBudgetUsed(venue: string): { scope: string; used: number }[] {
    return this.gateway.limits.usage(venue);
  }

  /** Settles once every funding payment seen so far is in the store. */
  recordsSettled(): Promise<void> {
    return this.views.recordsSettled();
  }

  /** One reconcile pass now (also what the periodic loop runs); passes never overlap. */
  async reconcileOnce(atStart = false, start: StartOptions = {}): Promise<ReconcileReport> {
    while (this.reconciling) await this.reconciling.catch(() => {});
    this.reconciling = this.reconciler.run(atStart, start);
    try {
      const report = await this.reconciling;
      await this.journal.sync();
      this.book.forgetFinished();
      return report;
    } finally {
      this.reconciling = undefined;
    }
  }

  orphans(): OrphanInfo[] {
    return this.reconciler.orphans();
  }

  openGroup(legs: LegSpec[], options: OpenGroupOptions): Promise<OpenOutcome> {
    return this.track(openGroupProcedure(this.procedures, legs, options));
  }

  closeGroup(
    groupId: string,
    reason: CloseReason,
    detail?: string,
    pricing?: ClosePricing,
  ): Promise<CloseOutcome> {
    return this.track(closeGroupProcedure(this.procedures, groupId, reason, detail, pricing));
  }

  /**
   * One order of a strategy (single-orders.ts): risk-gated, its client order id derived from the
   * intent (the same intent is the same order, never a second), journaled before it is sent.
   */
  placeOrder(intent: OrderIntent): Promise<PlaceOutcome> {
    return this.track(this.singles.place(intent));
  }

  /** Cancel a single order; one that filled first answers `lost` (with status filled), never throws. */
  cancelOrder(clientOrderId: string): Promise<CancelOutcome> {
    return this.track(this.singles.cancel(clientOrderId));
  }

  /** Change a resting single order's price and/or size in place (`unsupported` where the venue cannot). */
  amendOrder(clientOrderId: string, change: AmendRequest): Promise<AmendOutcome> {
    return this.track(this.singles.amend(clientOrderId, change));
  }

  /** The engine's orders (single orders and group legs) as views. */
  orders(filter?: OrderFilter): OrderView[] {
    return this.singles.orders(filter);
  }

  /** Every status change, fill and amend answer of every engine order; returns the unsubscribe. */
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    return this.singles.onUpdate(listener);
  }

  /** Schedule a persistent close of the group at `atMs` (survives restarts; fires once if overdue). */
  async scheduleClose(groupId: string, atMs: number, reason: CloseReason = "time_limit"): Promise<void> {
    await scheduleGroupClose(this.scheduler, groupId, atMs, reason);
  }

  /** The groups as the store has them, after everything the engine has queued is committed. */
  async groups(filter: GroupFilter = {}): Promise<GroupRecord[]> {
    // a failed journal has been reported (and halted the engine); the store is still readable
    await this.journal.sync().catch(() => {});
    return listGroupRecords(this.store, filter);
  }

  /** An account's leverage and margin mode on an instrument, sent through the venue's circuit. */
  async setLeverage(
    venue: string,
    account: string,
    symbol: string,
    leverage: number,
    mode: MarginMode,
  ): Promise<void> {
    const v = this.venues.get(venue);
    if (v === undefined) throw new InvalidValueError(`engine: unknown venue "${venue}"`);
    await v.setLeverage(account, symbol, leverage, mode);
  }

  /** Reduce-only close of every group and every position matching the filter. */
  flatten(
    filter: { venue?: string; account?: string } = {},
    reason: CloseReason = "manual",
  ): Promise<FlattenResult> {
    return this.track(this.sweep.flatten(filter, (id) => this.closeGroup(id, reason)));
  }

  /** Trip the kill switch by hand (or from the equity watch): REDUCING, flatten everything, alert. */
  tripKillSwitch(detail: string): Promise<FlattenResult> {
    return this.control.trip(detail);
  }

  /** Set the trading state (an operator re-arming after a trip, or halting). Persisted. */
  setTradingState(state: TradingState): Promise<void> {
    return this.control.set(state);
  }

  /**
   * Graceful shutdown: no new intents; optionally flatten; retry loops give up at their next
   * turn; every in-flight operation is given until the shutdown timeout; the journal is synced.
   * Orders still unresolved stay recorded as unknown for the next start to resolve.
   */
  async stop(options: { flatten?: boolean } = {}): Promise<void> {
    const deadline = this.clock.now() + this.settings.shutdownTimeoutMs;
    this.accepting = false;
    if (this.reconcileTimer) this.clock.cancel(this.reconcileTimer);
    this.reconcileTimer = undefined;
    this.views.disarm();
    this.scheduler.stop();
    if (options.flatten) await raceDeadline(this.clock, this.flatten({}, "shutdown"), deadline);
    this.halted = true;
    await raceDeadline(
      this.clock,
      Promise.allSettled([...this.inflight, this.reconciling ?? Promise.resolve()]),
      deadline,
    );
    await this.journal.sync().catch(() => {});
    this.gateway.detach();
    this.streams.detach();
    await this.views.close();
  }

  // ---- internals ----

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  private armReconcile(): void {
    if (!this.accepting || this.settings.reconcileIntervalMs <= 0) return;
    this.reconcileTimer = this.clock.after(this.settings.reconcileIntervalMs, () => {
      this.reconcileTimer = undefined;
      void this.track(this.reconcileOnce(false))
        .catch((err) => this.logger?.error({ err }, "reconcile pass failed"))
        .finally(() => this.armReconcile());
    });
  }

  /**
   * Called once when the journal fails (a full disk, a damaged store): the engine is HALTED by
   * then and the alert raised; a process should stop cleanly. Returns the unsubscribe.
   */
  onJournalFailed(listener: (err: Error) => void): () => void {
    this.journalFailedListeners.add(listener);
    return () => this.journalFailedListeners.delete(listener);
  }

  /** The journal's failure, once it failed: the engine is HALTED and writes nothing more. */
  get journalFailure(): Error | undefined {
    return this.journal.failure;
  }

  private onJournalFailure(err: Error): void {
    this.risk.state = "HALTED";
    this.accepting = false;
    this.alerts.raise({
      severity: "emergency",
      key: "engine.journal_failed",
      title: "journal write failed: trading halted",
      message: err.message,
      context: {},
      ts: this.clock.now(),
    });
    for (const l of this.journalFailedListeners) {
      try {
        l(err);
      } catch {
        // a listener's mistake must not stop the halt
      }
    }
  }
}
