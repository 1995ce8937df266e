import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { InvalidValueError } from "../core/errors.ts";
import type { Money } from "../core/money.ts";
import type { Venue } from "../core/venue.ts";
import type { Store } from "../store/store.ts";
import type { AlertBus } from "./alerts.ts";
import { type EngineSettings, engineSettings } from "./config.ts";
import { FlattenSweep } from "./flatten.ts";
import { GroupOps } from "./group-ops.ts";
import { listGroupRecords } from "./group-records.ts";
import type {
  CloseOutcome,
  CloseReason,
  FlattenResult,
  GroupFilter,
  GroupRecord,
  GroupState,
  LegSpec,
  OpenGroupOptions,
  OpenOutcome,
} from "./group-types.ts";
import { isActive, legHeldLots, legSummary } from "./group-types.ts";
import { Journal } from "./journal.ts";
import { OrderGateway } from "./order-gateway.ts";
import { makerPriceTicks, protectionPriceTicks } from "./pricing.ts";
import { type OrphanInfo, type ReconcileReport, Reconciler } from "./reconciler.ts";
import { recoverJournal } from "./recovery.ts";
import { KillSwitch, type TradingState } from "./risk.ts";
import { RiskGate } from "./risk-gate.ts";
import { Scheduler } from "./scheduler.ts";
import { StoreTimerStore } from "./store-timers.ts";

export type * from "./group-types.ts";
export type { OrphanInfo, ReconcileReport } from "./reconciler.ts";

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
}

const TRADING_STATE_KEY = "engine.trading_state";
export const CLOSE_TIMER_KIND = "engine.close_group";

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
  private readonly ops: GroupOps;
  private readonly reconciler: Reconciler;
  private readonly sweep: FlattenSweep;
  private readonly groupMap = new Map<string, GroupState>();
  private readonly accounts = new Set<string>();
  private readonly killSwitch: KillSwitch | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private reconcileTimer: TimerHandle | undefined;
  private reconciling: Promise<ReconcileReport> | undefined;
  private started = false;
  private accepting = false;
  private halted = false;
  private killSwitchRearm = false;

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.venues = opts.venues;
    this.clock = opts.clock;
    this.alerts = opts.alerts;
    this.logger = opts.logger;
    this.settings = engineSettings(opts.settings);
    for (const a of opts.accounts ?? []) this.accounts.add(`${a.venue}\u0000${a.account}`);
    this.journal = new Journal(opts.store.db, (err) => this.onJournalFailure(err));
    this.risk = new RiskGate(this.settings.limits, (s) => this.strategyExposure(s));
    this.gateway = new OrderGateway({
      clock: this.clock,
      venues: this.venues,
      journal: this.journal,
      alerts: this.alerts,
      settings: this.settings,
      risk: this.risk,
    });
    const core = {
      clock: this.clock,
      venues: this.venues,
      gateway: this.gateway,
      journal: this.journal,
      alerts: this.alerts,
      settings: this.settings,
      risk: this.risk,
      groups: this.groupMap,
      halting: () => this.halted,
    };
    this.ops = new GroupOps(core);
    this.reconciler = new Reconciler({
      ...core,
      ops: this.ops,
      managedAccounts: () => this.managedAccounts(),
      withGroup: (g, fn) => this.withGroup(g, fn),
      closeInBackground: (g, reason) => void this.track(this.closeGroup(g.id, reason)),
      observeEquity: (eq) => this.observeEquity(eq),
      killSwitchEnabled: this.settings.killSwitch !== undefined,
    });
    this.sweep = new FlattenSweep({ ...core, managedAccounts: () => this.managedAccounts() });
    const ks = this.settings.killSwitch;
    this.killSwitch = ks
      ? new KillSwitch({ maxDrawdownPct: ks.maxDrawdownPct, consecutiveDrops: ks.consecutiveDrops })
      : undefined;
    this.scheduler = new Scheduler(this.clock, new StoreTimerStore(opts.store.db), {
      retryDelayMs: this.settings.closeRetryMaxMs,
      onError: (timer, error) =>
        this.alerts.raise({
          severity: "warning",
          key: `engine.timer_failed:${timer.id}`,
          title: "timer handler failed",
          message: `${timer.id} (${timer.kind}): ${(error as Error)?.message ?? String(error)}`,
          context: {},
          ts: this.clock.now(),
        }),
    });
    this.scheduler.on(CLOSE_TIMER_KIND, async (t) => {
      const p = t.payload as { groupId: string; reason: CloseReason };
      const out = await this.closeGroup(p.groupId, p.reason);
      // a close that is not flat yet stays with the reconciler; the timer's job (starting it) is done
      if (!out.ok) this.logger?.warn({ group: p.groupId }, out.detail);
    });
  }

  get tradingState(): TradingState {
    return this.risk.state;
  }

  /** Load the journal, resolve unknown outcomes, reconcile, then arm timers and the reconcile loop. */
  async start(): Promise<void> {
    if (this.started) throw new InvalidValueError("engine already started");
    this.started = true;
    const saved = await this.store.getKv(TRADING_STATE_KEY);
    if (saved === "REDUCING" || saved === "HALTED") this.risk.state = saved;
    const groups = await recoverJournal(this.store.db, this.venues, this.gateway, this.alerts, this.clock);
    for (const g of groups) {
      this.groupMap.set(g.id, g);
      for (const l of g.legs) this.accounts.add(`${l.spec.venue}\u0000${l.spec.account}`);
    }
    this.gateway.attach();
    this.accepting = true;
    await this.reconcileOnce(true);
    await this.scheduler.start();
    this.armReconcile();
  }

  /** One reconcile pass now (also what the periodic loop runs); passes never overlap. */
  async reconcileOnce(atStart = false): Promise<ReconcileReport> {
    while (this.reconciling) await this.reconciling.catch(() => {});
    this.reconciling = this.reconciler.run(atStart);
    try {
      const report = await this.reconciling;
      await this.journal.sync();
      this.forgetFinished();
      return report;
    } finally {
      this.reconciling = undefined;
    }
  }

  orphans(): OrphanInfo[] {
    return this.reconciler.orphans();
  }

  openGroup(legs: LegSpec[], options: OpenGroupOptions): Promise<OpenOutcome> {
    return this.track(this.doOpen(legs, options));
  }

  private async doOpen(legs: LegSpec[], options: OpenGroupOptions): Promise<OpenOutcome> {
    const { groupId } = options;
    const refuse = (detail: string): OpenOutcome => ({
      ok: false,
      groupId,
      reason: "risk_refused",
      detail,
      status: "failed",
    });
    if (!this.accepting)
      return refuse(this.started ? "engine is stopping: no new intents" : "engine not started");
    const existing =
      this.groupMap.get(groupId) ??
      (await this.store.db
        .selectFrom("engine_groups")
        .select("group_id")
        .where("group_id", "=", groupId)
        .executeTakeFirst());
    if (existing !== undefined)
      return {
        ok: false,
        groupId,
        reason: "rejected",
        detail: `group id ${groupId} already used`,
        status: "failed",
      };
    const problem = this.validateLegs(legs, options) ?? this.keyConflict(legs);
    if (problem !== undefined)
      return { ok: false, groupId, reason: "rejected", detail: problem, status: "failed" };
    const now = this.clock.now();
    const g: GroupState = {
      id: groupId,
      strategy: options.strategy,
      status: "opening",
      entry: options.entry,
      fillTimeoutMs: options.fillTimeoutMs,
      hedged: options.hedged ?? true,
      meta: options.meta ?? null,
      closeReason: null,
      failureReason: null,
      detail: null,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      legs: legs.map((spec, index) => ({
        index,
        spec,
        inst: this.venues.get(spec.venue)!.instrument(spec.symbol),
        orders: [],
        externalLots: 0,
        externalReason: null,
      })),
      busy: false,
      chain: Promise.resolve(),
    };
    // all or nothing at the gate too: every leg is checked before any is sent
    const refusal = this.precheck(g);
    this.groupMap.set(groupId, g);
    for (const l of legs) this.accounts.add(`${l.venue}\u0000${l.account}`);
    this.journal.insertGroup(
      {
        groupId,
        strategy: g.strategy,
        status: refusal === undefined ? "opening" : "failed",
        entry: JSON.stringify(g.entry),
        fillTimeoutMs: g.fillTimeoutMs,
        hedged: g.hedged,
        meta: g.meta === null ? null : JSON.stringify(g.meta),
        closeReason: null,
        failureReason: refusal === undefined ? null : "risk_refused",
        detail: refusal ?? null,
        createdAt: now,
        updatedAt: now,
        closedAt: refusal === undefined ? null : now,
      },
      g.legs.map((l) => ({
        groupId,
        legIndex: l.index,
        venue: l.spec.venue,
        account: l.spec.account,
        symbol: l.spec.symbol,
        side: l.spec.side,
        targetLots: l.spec.sizeLots,
        externalLots: 0,
        externalReason: null,
      })),
    );
    if (refusal !== undefined) {
      g.status = "failed";
      g.failureReason = "risk_refused";
      g.detail = refusal;
      g.closedAt = now;
      await this.journal.sync();
      return { ok: false, groupId, reason: "risk_refused", detail: refusal, status: "failed" };
    }
    return this.withGroup(g, async () => {
      await this.ops.enter(g);
      return this.ops.finishOpen(g, this.settings.closeMaxAttempts);
    });
  }

  closeGroup(groupId: string, reason: CloseReason): Promise<CloseOutcome> {
    return this.track(this.doClose(groupId, reason));
  }

  private async doClose(groupId: string, reason: CloseReason): Promise<CloseOutcome> {
    const g = this.groupMap.get(groupId);
    if (g === undefined) {
      const rec = (await this.groups({ groupIds: [groupId] }))[0];
      if (rec !== undefined && !isActive(rec.status))
        return { ok: true, groupId, legs: rec.legs.map((l) => ({ ...l })) };
      return { ok: false, groupId, reason: "legs_not_flat", detail: `unknown group ${groupId}` };
    }
    return this.withGroup(g, async () => {
      if (!isActive(g.status)) return { ok: true as const, groupId, legs: g.legs.map(legSummary) };
      const unwinding = g.status === "unwinding";
      g.closeReason ??= reason;
      if (!unwinding) this.ops.setStatus(g, "closing");
      await this.journal.sync();
      const flat = await this.ops.flatten(g, unwinding ? "unwind" : "close", this.settings.closeMaxAttempts);
      if (flat) this.ops.setStatus(g, unwinding ? "failed" : "closed");
      await this.journal.sync();
      if (flat) return { ok: true as const, groupId, legs: g.legs.map(legSummary) };
      const held = g.legs
        .filter((l) => legHeldLots(l) > 0)
        .map((l) => `leg ${l.index}: ${legHeldLots(l)} lots`);
      return {
        ok: false as const,
        groupId,
        reason: "legs_not_flat" as const,
        detail: `${g.status}: ${held.join(", ") || "orders unresolved"}`,
      };
    });
  }

  /** Schedule a persistent close of the group at `atMs` (survives restarts; fires once if overdue). */
  async scheduleClose(groupId: string, atMs: number, reason: CloseReason = "time_limit"): Promise<void> {
    await this.scheduler.schedule({
      id: `close:${groupId}`,
      kind: CLOSE_TIMER_KIND,
      dueAt: atMs,
      payload: { groupId, reason },
    });
  }

  groups(filter: GroupFilter = {}): Promise<GroupRecord[]> {
    return listGroupRecords(this.store.db, filter);
  }

  /** Reduce-only close of every group and every position matching the filter. */
  flatten(
    filter: { venue?: string; account?: string } = {},
    reason: CloseReason = "manual",
  ): Promise<FlattenResult> {
    return this.track(this.doFlatten(filter, reason));
  }

  private async doFlatten(
    filter: { venue?: string; account?: string },
    reason: CloseReason,
  ): Promise<FlattenResult> {
    const match = (venue: string, account: string) =>
      (filter.venue === undefined || filter.venue === venue) &&
      (filter.account === undefined || filter.account === account);
    const targets = [...this.groupMap.values()].filter(
      (g) => isActive(g.status) && g.legs.some((l) => match(l.spec.venue, l.spec.account)),
    );
    const outcomes = await Promise.all(targets.map((g) => this.closeGroup(g.id, reason)));
    const swept = await this.sweep.run(match);
    return {
      groupsClosed: outcomes.filter((o) => o.ok).map((o) => o.groupId),
      groupsNotFlat: outcomes.filter((o) => !o.ok).map((o) => o.groupId),
      positionsFlattened: swept.flattened,
      positionsNotFlat: swept.notFlat,
    };
  }

  /** Trip the kill switch by hand (or from the equity watch): REDUCING, flatten everything, alert. */
  async tripKillSwitch(detail: string): Promise<FlattenResult> {
    this.risk.state = "REDUCING";
    await this.store.putKv(TRADING_STATE_KEY, "REDUCING", this.clock.now());
    this.alerts.raise({
      severity: "emergency",
      key: "engine.kill_switch",
      title: "kill switch tripped",
      message: `${detail}: trading state REDUCING, flattening every position on every venue`,
      context: {},
      ts: this.clock.now(),
    });
    return this.flatten({}, "kill_switch");
  }

  /** Set the trading state (an operator re-arming after a trip, or halting). Persisted. */
  async setTradingState(state: TradingState): Promise<void> {
    this.risk.state = state;
    await this.store.putKv(TRADING_STATE_KEY, state, this.clock.now());
    // the kill switch starts a new session from the next equity observation
    if (state === "ACTIVE") this.killSwitchRearm = true;
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
    this.scheduler.stop();
    if (options.flatten) await this.raceDeadline(this.flatten({}, "shutdown"), deadline);
    this.halted = true;
    await this.raceDeadline(
      Promise.allSettled([...this.inflight, this.reconciling ?? Promise.resolve()]),
      deadline,
    );
    await this.journal.sync().catch(() => {});
    this.gateway.detach();
  }

  // ---- internals ----

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  private async raceDeadline(p: Promise<unknown>, deadline: number): Promise<void> {
    const wait = Math.max(0, deadline - this.clock.now());
    let handle: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      handle = this.clock.after(wait, resolve);
    });
    await Promise.race([p.catch(() => {}), timeout]);
    if (handle) this.clock.cancel(handle);
  }

  /** Run `fn` holding the group: operations on one group never interleave. */
  private withGroup<T>(g: GroupState, fn: () => Promise<T>): Promise<T> {
    const run = g.chain.then(async () => {
      g.busy = true;
      try {
        return await fn();
      } finally {
        g.busy = false;
      }
    });
    g.chain = run.catch(() => {});
    return run;
  }

  private validateLegs(legs: readonly LegSpec[], o: OpenGroupOptions): string | undefined {
    if (legs.length === 0) return "a group needs at least one leg";
    if (!(o.fillTimeoutMs > 0)) return `fillTimeoutMs ${o.fillTimeoutMs} must be > 0`;
    for (const [i, l] of legs.entries()) {
      const venue = this.venues.get(l.venue);
      if (venue === undefined) return `leg ${i}: unknown venue ${l.venue}`;
      try {
        venue.instrument(l.symbol);
      } catch (e) {
        return `leg ${i}: ${(e as Error).message}`;
      }
      if (!Number.isSafeInteger(l.sizeLots) || l.sizeLots <= 0)
        return `leg ${i}: size ${l.sizeLots} lots must be a positive integer`;
      if (l.side !== "buy" && l.side !== "sell") return `leg ${i}: side ${String(l.side)}`;
    }
    return undefined;
  }

  /**
   * One active group per (venue, account, instrument): a venue nets an account's positions in an
   * instrument, so two groups on one key could neither be told apart on the venue nor closed
   * with reduce-only orders (a long and a short of two groups net to zero there).
   */
  private keyConflict(legs: readonly LegSpec[]): string | undefined {
    const mine = new Set<string>();
    for (const [i, l] of legs.entries()) {
      const key = `${l.venue}\u0000${l.account}\u0000${l.symbol}`;
      if (mine.has(key)) return `leg ${i}: ${l.venue} ${l.account} ${l.symbol} appears twice in the group`;
      mine.add(key);
    }
    for (const g of this.groupMap.values()) {
      if (!isActive(g.status)) continue;
      for (const l of g.legs)
        if (mine.has(`${l.spec.venue}\u0000${l.spec.account}\u0000${l.spec.symbol}`))
          return `${l.spec.venue} ${l.spec.account} ${l.spec.symbol} is held by active group ${g.id}`;
    }
    return undefined;
  }

  /** The gate's verdict on every entry before any is sent; the reason of the first refusal. */
  private precheck(g: GroupState): string | undefined {
    for (const leg of g.legs) {
      const venue = this.venues.get(leg.spec.venue)!;
      const book = venue.book(leg.spec.symbol);
      const price =
        g.entry.kind === "maker_first"
          ? (makerPriceTicks(book, leg.spec.side) ??
            protectionPriceTicks(leg.inst, book, leg.spec.side, g.entry.maxSlippageBps))
          : protectionPriceTicks(leg.inst, book, leg.spec.side, g.entry.maxSlippageBps);
      const verdict = this.risk.check(
        {
          inst: leg.inst,
          book,
          side: leg.spec.side,
          sizeLots: leg.spec.sizeLots,
          priceTicks: price ?? 1,
          reduceOnly: false,
          strategy: g.strategy,
        },
        this.gateway.exposure(`${leg.spec.venue}\u0000${leg.spec.account}\u0000${leg.spec.symbol}`),
        this.clock.now(),
      );
      if (!verdict.ok) return `leg ${leg.index}: ${verdict.reason}: ${verdict.detail}`;
      if (price === undefined) return `leg ${leg.index}: ${leg.inst.key} has no book to price against`;
    }
    return undefined;
  }

  private strategyExposure(strategy: string): Money {
    let total = 0n;
    for (const g of this.groupMap.values()) {
      if (g.strategy !== strategy || !isActive(g.status)) continue;
      for (const l of g.legs) {
        const mark = this.venues.get(l.spec.venue)!.markPrice(l.spec.symbol);
        if (!(mark > 0)) continue;
        total += l.inst.notional(
          Math.max(legHeldLots(l), l.spec.sizeLots),
          l.inst.roundPrice(mark, "buy", "nearest"),
        );
      }
    }
    return total;
  }

  private *managedAccounts(): Iterable<readonly [string, string]> {
    for (const key of this.accounts) {
      const [venue, account] = key.split("\u0000");
      yield [venue, account] as const;
    }
  }

  private async observeEquity(equityUsd: number): Promise<void> {
    if (this.killSwitch === undefined || this.risk.state !== "ACTIVE") return;
    if (this.killSwitchRearm) {
      this.killSwitchRearm = false;
      this.killSwitch.reset(equityUsd, this.clock.now());
      return;
    }
    const verdict = this.killSwitch.observeEquity(equityUsd, this.clock.now());
    if (verdict.trip) await this.tripKillSwitch(`${verdict.reason}: ${verdict.detail}`);
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

  /** Drop finished groups and their orders from memory; the store keeps them. */
  private forgetFinished(): void {
    for (const [id, g] of this.groupMap) if (!isActive(g.status) && !g.busy) this.groupMap.delete(id);
    this.gateway.forget((o) => o.groupId === null || !this.groupMap.has(o.groupId));
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
  }
}
