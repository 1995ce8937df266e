import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { Fill } from "../../core/types.ts";
import { type Venue, type VenueEvent, VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { EngineOrderRow } from "../../store/journal/rows.ts";
import type { FillRecord } from "../../store/records.ts";
import type { AlertBus } from "../alerts.ts";
import type { EngineSettings } from "../config.ts";
import { type Journal, JournalError } from "../journal/journal.ts";
import { type EgressOf, RateLimiter } from "../risk/rate-limiter.ts";
import type { RiskGate } from "../risk/risk-gate.ts";
import { validateClientOrderIdFormat } from "./client-order-id.ts";
import { backfillFills } from "./fill-backfill.ts";
import { amendOrder } from "./order-amend.ts";
import { placeOrder } from "./order-place.ts";
import {
  type EngineOrder,
  effectiveFilled,
  fillRecord,
  type OrderPurpose,
  type PlaceResult,
  type PlaceSpec,
  posKey,
  restoredOrder,
  venueFillRecord,
} from "./order-records.ts";
import { resolveOrder } from "./order-resolve.ts";
import type { OrderEvent } from "./order-state.ts";
import { orderEventOf, type TrackedOrder, unknownOutcomeEvent } from "./order-tracker.ts";

export type { EngineOrder, OrderPurpose, PlaceResult, PlaceSpec } from "./order-records.ts";
export { effectiveFilled, posKey } from "./order-records.ts";

const NEEDS_ANSWER = new Set(["unknown", "in_flight", "pending_cancel"]);

/** Called after every event applied to an engine order (and journaled): order updates. */
export type OrderUpdateHook = (order: EngineOrder, event: OrderEvent) => void;

/**
 * Every order the engine sends goes through here: risk gate, write-ahead journal, submit,
 * venue events, unknown-outcome resolution, cancels. It owns the TrackedOrders (one state
 * machine each) and a running book of account positions from fills, which the risk gate reads.
 */
/** What the engine knows of a fill it passes on (the trade log's group and reason columns). */
export interface FillMeta {
  readonly groupId: string | null;
  /** the engine order's purpose; null for a fill that is not an engine order's */
  readonly purpose: OrderPurpose | null;
  /** why the fill happened when it was not an engine order: "liquidation" or "outside_engine" */
  readonly reason: string | null;
}

export class OrderGateway {
  readonly clock: Clock;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly journal: Journal;
  readonly alerts: AlertBus;
  readonly settings: EngineSettings;
  readonly risk: RiskGate;
  private readonly orders = new Map<string, EngineOrder>();
  /** orders not yet terminal: what the risk gate counts as working */
  private readonly working = new Set<EngineOrder>();
  private readonly attempts = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** signed lots per (venue, account, symbol), from reconciliation snapshots and fills since */
  readonly positions = new Map<string, number>();
  /** (venue, account, symbol) keys a liquidation was reported on, with its time */
  readonly liquidations = new Map<string, number>();
  private readonly unsubscribe: (() => void)[] = [];
  /** the cancel timers of emulated IOCs still working (cleared on detach) */
  private readonly cancelTimers = new Map<EngineOrder, TimerHandle>();
  private touched = new Set<string>();
  /** orders a status report says filled more than the fill events we have: backfillFills() */
  private readonly missingFills = new Set<EngineOrder>();
  private readonly onFill: ((fill: FillRecord, meta: FillMeta) => void) | undefined;
  private readonly onUpdate: OrderUpdateHook | undefined;
  private readonly onHistoryFill: ((venue: string, fill: Fill) => void) | undefined;
  /** the venues' metered scopes; every venue call below waits on it first */
  readonly limits: RateLimiter;

  constructor(opts: {
    clock: Clock;
    venues: ReadonlyMap<string, Venue>;
    journal: Journal;
    alerts: AlertBus;
    settings: EngineSettings;
    risk: RiskGate;
    onFill?: (fill: FillRecord, meta: FillMeta) => void;
    onUpdate?: OrderUpdateHook;
    /** a fill read from the venue's fill history (its event was lost), before the order hears of it */
    onHistoryFill?: (venue: string, fill: Fill) => void;
    /** default: one built from the venues' capabilities, keyed by `egressOf` */
    limits?: RateLimiter;
    /** the egress of each account, the key of per-IP scopes (default: every account "direct") */
    egressOf?: EgressOf;
  }) {
    this.clock = opts.clock;
    this.venues = opts.venues;
    this.journal = opts.journal;
    this.alerts = opts.alerts;
    this.settings = opts.settings;
    this.risk = opts.risk;
    this.onFill = opts.onFill;
    this.onUpdate = opts.onUpdate;
    this.onHistoryFill = opts.onHistoryFill;
    // a venue's bad capability entry fails here, at start, not at its first order
    for (const v of this.venues.values()) validateClientOrderIdFormat(v.capabilities.clientOrderId);
    this.limits =
      opts.limits ??
      new RateLimiter({
        clock: this.clock,
        venues: [...this.venues].map(([id, v]) => [id, v.capabilities.rateLimits] as const),
        egressOf: opts.egressOf,
      });
  }

  attach(): void {
    for (const [id, venue] of this.venues)
      this.unsubscribe.push(
        venue.onEvent((e) => {
          try {
            this.onVenueEvent(id, e);
          } catch (err) {
            // a failed journal has halted the engine and been reported: an event arriving after
            // it cannot be recorded, and the next start reconciles it from the venue. Thrown on,
            // it would reach the venue's event loop as an uncaught exception and kill the process.
            if (!(err instanceof JournalError)) throw err;
          }
        }),
      );
  }

  detach(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    // an emulated IOC still resting is a leftover for the next start's reconciler to cancel
    for (const h of this.cancelTimers.values()) this.clock.cancel(h);
    this.cancelTimers.clear();
  }

  /** Cancel the order at `at` if it still works then: the end of an emulated IOC (order-place.ts). */
  cancelAt(o: EngineOrder, at: number): void {
    const fire = () => {
      this.cancelTimers.delete(o);
      if (o.tracked.terminal) return;
      this.cancel(o).catch((err) =>
        this.alerts.raise({
          severity: "warning",
          key: `engine.emulated_ioc_cancel_failed:${o.tracked.clientOrderId}`,
          title: "emulated IOC not cancelled",
          message: `${o.venue} ${o.tracked.clientOrderId}: ${(err as Error).message}`,
          context: { venue: o.venue, group: o.groupId ?? undefined },
          ts: this.clock.now(),
        }),
      );
    };
    this.cancelTimers.set(o, this.clock.at(Math.max(at, this.clock.now()), fire));
  }

  get(clientOrderId: string): EngineOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  all(): IterableIterator<EngineOrder> {
    return this.orders.values();
  }

  /** Orders not yet terminal (open, in flight, unknown, being canceled). */
  workingOrders(): EngineOrder[] {
    return [...this.working];
  }

  /** Rebuild an order from its journal row and events (restart recovery). */
  restore(row: EngineOrderRow, events: readonly OrderEvent[], inst: Instrument): EngineOrder {
    const o = restoredOrder(row, events, inst);
    this.register(o);
    // an amend the crash left unanswered: only the venue's status says which version rests
    if (o.tracked.status === "pending_replace")
      this.apply(o, { kind: "timeout", ts: this.clock.now(), detail: "amend unanswered before a restart" });
    return o;
  }

  /** See order-place.ts: risk gate, rate budget, write-ahead journal, submit, its answer applied. */
  place(spec: PlaceSpec): Promise<PlaceResult> {
    return placeOrder(this, spec);
  }

  /** Request a cancel; its answer (or the status query after an unknown one) settles the order. */
  async cancel(o: EngineOrder): Promise<void> {
    if (o.tracked.terminal || o.tracked.status === "pending_submit") return;
    const venue = this.venues.get(o.venue)!;
    const wait = this.limits.acquire(o.venue, o.tracked.request.account, "cancel");
    if (wait !== undefined) await wait;
    if (o.tracked.terminal) return;
    this.apply(o, { kind: "cancel_requested", ts: this.clock.now() });
    try {
      await venue.cancel(o.tracked.request.account, o.tracked.request.symbol, o.tracked.clientOrderId);
    } catch (err) {
      // a definite refusal also arrives as a cancel_reject event; an unknown one we must record
      if (err instanceof VenueUnknownOutcomeError) this.apply(o, unknownOutcomeEvent(err, this.clock.now()));
      else if (!(err instanceof VenueRejectError))
        this.apply(o, { kind: "server_error", ts: this.clock.now(), detail: String(err) });
    }
  }

  /** See order-amend.ts: write-ahead, then the venue's amend, then its answer applied. */
  amend(o: EngineOrder, change: { priceTicks: number; sizeLots: number }): Promise<void> {
    return amendOrder(this, o, change);
  }

  /** Whether only a status query can tell where the order is. */
  needsAnswer(o: EngineOrder): boolean {
    return !o.awaitingAnswer && NEEDS_ANSWER.has(o.tracked.status);
  }

  /** See order-resolve.ts: ask the venue until the outcome is known or `deadline` passes. */
  resolve(o: EngineOrder, deadline: number): Promise<boolean> {
    return resolveOrder(this, o, deadline);
  }

  /**
   * Wait for an IOC the engine sent on its own account (a flatten, an orphan's close) to end, and
   * ask the venue if it has not, within max(1 s, 4 × unknownRetryMs); the order is watched
   * meanwhile, so the reconciler leaves it alone.
   */
  async settleIoc(o: EngineOrder): Promise<void> {
    const deadline = this.clock.now() + Math.max(1_000, this.settings.unknownRetryMs * 4);
    o.watchers++;
    try {
      await this.waitTerminal(o, deadline);
      if (!o.tracked.terminal) await this.resolve(o, deadline);
    } finally {
      o.watchers--;
    }
  }

  /** Resolves when the order is terminal or at `deadline` (whichever first). */
  waitTerminal(o: EngineOrder, deadline: number): Promise<void> {
    if (o.tracked.terminal || this.clock.now() >= deadline) return Promise.resolve();
    return new Promise((resolve) => {
      const id = o.tracked.clientOrderId;
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      const done = () => {
        this.clock.cancel(timer);
        set.delete(check);
        resolve();
      };
      const check = () => {
        if (o.tracked.terminal) done();
      };
      const timer = this.clock.at(deadline, done);
      set.add(check);
    });
  }

  /** Position and working lots of one (venue, account, symbol), for the risk gate. */
  exposure(key: string): { positionLots: number; workingBuyLots: number; workingSellLots: number } {
    let workingBuyLots = 0;
    let workingSellLots = 0;
    for (const o of this.working) {
      const r = o.tracked.request;
      if (posKey(o.venue, r.account, r.symbol) !== key) continue;
      if (r.side === "buy") workingBuyLots += o.tracked.workingLots;
      else workingSellLots += o.tracked.workingLots;
    }
    return { positionLots: this.positions.get(key) ?? 0, workingBuyLots, workingSellLots };
  }

  /** Forget finished orders that no group needs any more (keeps memory flat in long runs). */
  forget(predicate: (o: EngineOrder) => boolean): void {
    for (const o of this.orders.values()) if (o.tracked.terminal && predicate(o)) this.drop(o);
  }

  /** Forget these orders if finished: those of a group that just closed or failed. */
  forgetOrders(orders: Iterable<EngineOrder>): void {
    for (const o of orders) if (o.tracked.terminal) this.drop(o);
  }

  private drop(o: EngineOrder): void {
    if (this.orders.get(o.tracked.clientOrderId) === o) this.orders.delete(o.tracked.clientOrderId);
    // a finished group sends nothing more, so its attempt counters can go; an orphan's intent can
    // be flattened again under the same id, so its counter must stay
    if (o.groupId !== null) this.attempts.delete(`${o.intentId}\u0000${o.legIndex}`);
  }

  /** The attempt number after the highest one of this (intent, leg). */
  nextAttempt(intentId: string, legIndex: number): number {
    return (this.attempts.get(`${intentId}\u0000${legIndex}`) ?? -1) + 1;
  }

  /** Track an order (placed or restored): working set, missing fills, attempt counter. */
  register(o: EngineOrder): void {
    this.orders.set(o.tracked.clientOrderId, o);
    this.trackMissingFills(o);
    if (!o.tracked.terminal) this.working.add(o);
    const familyKey = `${o.intentId}\u0000${o.legIndex}`;
    this.attempts.set(familyKey, Math.max(this.attempts.get(familyKey) ?? -1, o.attempt));
  }

  /** Apply one event to an order and journal it; a venue fact the table refuses is alerted, not thrown. */
  apply(o: EngineOrder, event: OrderEvent): void {
    let entry: ReturnType<TrackedOrder["apply"]>;
    const filledBefore = effectiveFilled(o);
    const venueIdBefore = o.tracked.venueOrderId;
    try {
      entry = o.tracked.apply(event);
    } catch (err) {
      this.alerts.raise({
        severity: "critical",
        key: `engine.order_event_refused:${o.tracked.clientOrderId}`,
        title: "order event refused by the state machine",
        message: `${o.venue} ${o.tracked.clientOrderId} (${o.tracked.status}) ${event.kind}: ${(err as Error).message}`,
        context: { venue: o.venue, group: o.groupId ?? undefined },
        ts: this.clock.now(),
      });
      return;
    }
    if (entry === undefined) return;
    // a status report that changed nothing is not worth a journal line (unknowns are polled)
    if (event.kind === "status_report" && entry.from === entry.to && filledBefore === effectiveFilled(o))
      return;
    // nor is a second ack of the same order (the venue's event and the submit's answer both say it)
    if (event.kind === "ack" && entry.from === entry.to && venueIdBefore === event.venueOrderId) return;
    o.updatedAt = this.clock.now();
    if (event.kind === "submit_sent") o.sentAt = event.ts;
    if (event.kind === "reject" || event.kind === "canceled" || event.kind === "replace_rejected")
      o.lastReason = event.reason;
    if (event.kind === "fill") {
      const f = event.fill;
      o.realisedPnl += f.realisedPnl;
      this.journal.orderEvent(o, event);
      const rec = fillRecord(o, f);
      this.journal.fill(rec);
      this.reportFill(rec, { groupId: o.groupId, purpose: o.purpose, reason: null });
    } else {
      this.journal.orderEvent(o, event);
    }
    this.trackMissingFills(o);
    this.notify(o);
    if (this.onUpdate !== undefined) this.onUpdate(o, event);
  }

  private trackMissingFills(o: EngineOrder): void {
    if (o.tracked.missingFillLots > 0) this.missingFills.add(o);
    else this.missingFills.delete(o);
  }

  /** A fill to the onFill hook; the hook's failure is alerted, never thrown at the engine. */
  private reportFill(fill: FillRecord, meta: FillMeta): void {
    if (this.onFill === undefined) return;
    try {
      this.onFill(fill, meta);
    } catch (err) {
      this.alerts.raise({
        severity: "warning",
        key: `engine.fill_hook_failed:${fill.venue}`,
        title: "a fill could not be passed on",
        message: `${fill.venue} ${fill.account} ${fill.fillId}: ${(err as Error).message}`,
        context: { venue: fill.venue },
        ts: this.clock.now(),
      });
    }
  }

  /** See fill-backfill.ts: fills a status report promised (or `only` these orders') the events never brought. */
  backfillFills(only?: ReadonlySet<EngineOrder>): Promise<number> {
    return backfillFills(only ?? this.missingFills, {
      venues: this.venues,
      limits: this.limits,
      alerts: this.alerts,
      clock: this.clock,
      apply: (o, e) => {
        // the portfolio first: the strategies told of the fill read a position that holds it
        if (e.kind === "fill") this.onHistoryFill?.(o.venue, e.fill);
        this.apply(o, e);
      },
    });
  }

  /** Wake whoever waits on the order (waitTerminal) and keep the working set right. */
  notify(o: EngineOrder): void {
    if (o.tracked.terminal) this.working.delete(o);
    else this.working.add(o);
    const set = this.waiters.get(o.tracked.clientOrderId);
    if (set === undefined) return;
    for (const check of [...set]) check();
    if (set.size === 0) this.waiters.delete(o.tracked.clientOrderId);
  }

  /** (venue, account) keys that had an order, fill or liquidation event since the last call */
  takeTouched(): Set<string> {
    const out = this.touched;
    this.touched = new Set();
    return out;
  }

  private onVenueEvent(venueId: string, e: VenueEvent): void {
    // funding moves no position; everything else may, and tells the reconciler where to look
    if (e.type !== "funding")
      this.touched.add(`${venueId}\u0000${e.type === "fill" ? e.fill.account : e.account}`);
    if (e.type === "fill") {
      const f = e.fill;
      const key = posKey(venueId, f.account, f.symbol);
      this.positions.set(key, (this.positions.get(key) ?? 0) + (f.side === "buy" ? f.sizeLots : -f.sizeLots));
    } else if (e.type === "liquidation") {
      const key = posKey(venueId, e.account, e.symbol);
      this.liquidations.set(key, e.ts);
    }
    const routed = orderEventOf(e);
    if (routed === undefined) return;
    const o = this.orders.get(routed.clientOrderId);
    if (o === undefined || o.venue !== venueId) {
      // a fill that is not an engine order's (a liquidation, a trade made outside perpbot)
      if (e.type === "fill") {
        const venue = this.venues.get(venueId);
        if (venue !== undefined)
          this.reportFill(venueFillRecord(venueId, venue.instrument(e.fill.symbol), e.fill), {
            groupId: null,
            purpose: null,
            reason: e.fill.liquidity === "liquidation" ? "liquidation" : "outside_engine",
          });
      }
      return;
    }
    this.apply(o, routed.event);
  }
}
