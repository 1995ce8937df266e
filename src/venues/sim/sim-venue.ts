import type { Clock, TimerHandle } from "../../core/clock.ts";
import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { BookView, MarketEvent, MutableBook } from "../../core/market.ts";
import type { Money } from "../../core/money.ts";
import type {
  AccountReport,
  Fill,
  MarginMode,
  OrderReport,
  OrderRequest,
  PositionReport,
} from "../../core/types.ts";
import {
  type AmendChange,
  type AmendResult,
  type Unsubscribe,
  type Venue,
  type VenueCapabilities,
  type VenueEvent,
  VenueRejectError,
  VenueUnknownOutcomeError,
} from "../../core/venue.ts";
import { L2Book } from "../../data/book.ts";
import { changeIsolatedMargin, changeLeverage } from "./account-admin.ts";
import { amendOrder } from "./amend.ts";
import { EventLog } from "./event-log.ts";
import { SimExchange } from "./exchange.ts";
import { FaultInjector } from "./faults.ts";
import { boundaryAtOrBefore, intervalMs, rateAt, settleFunding } from "./funding.ts";
import { checkLiquidations } from "./liquidation.ts";
import { checkOptions, DEFAULT_CAPABILITIES, type SimVenueOptions } from "./options.ts";
import { accountReport, ledgerSnapshot, orderReport, positionReports } from "./reports.ts";
import { SqliteStore } from "./sqlite-store.ts";
import { type FundingPayment, isEmpty, SimState, type Sinks } from "./state.ts";
import { MemoryStore, type SimStore } from "./store.ts";

/**
 * A simulated perpetual-futures venue: many accounts, its own instruments, matching against the
 * market book it is fed, margin, funding and liquidation after Hyperliquid's published rules,
 * asynchronous answers and events, seeded faults, and durable state. See docs/simulator.md.
 */
export class SimVenue implements Venue {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  readonly eventLog: EventLog;
  private readonly clock: Clock;
  private readonly latencyMs: number;
  private readonly instrumentMap: Map<string, Instrument>;
  private readonly books = new Map<string, MutableBook>();
  private readonly state = new SimState();
  private readonly store: SimStore;
  private readonly exchange: SimExchange;
  private readonly faults: FaultInjector;
  private readonly eventListeners = new Set<(e: VenueEvent) => void>();
  private readonly marketListeners = new Set<(e: MarketEvent) => void>();
  private readonly fundingTimers = new Map<string, TimerHandle>();
  private closed = false;

  constructor(options: SimVenueOptions) {
    this.instrumentMap = checkOptions(options);
    this.id = options.id;
    this.clock = options.clock;
    this.latencyMs = options.latencyMs ?? 0;
    this.capabilities = { ...DEFAULT_CAPABILITIES, ...options.capabilities };
    this.eventLog = new EventLog(options.recordEventLog ?? false);
    this.faults = new FaultInjector(options.faults ?? {}, options.seed ?? options.id, `sim venue ${this.id}`);
    const createBook = options.createBook ?? ((inst: Instrument) => new L2Book(inst));
    for (const inst of this.instrumentMap.values()) this.books.set(inst.symbol, createBook(inst));
    const memory = options.dbPath === undefined || options.dbPath === ":memory:";
    this.store = memory ? new MemoryStore() : new SqliteStore(options.dbPath!, this.id);
    // the in-memory store keeps only fills and funding payments: no dirty lists to build
    this.state.trackChanges = !memory;
    this.store.load(this.state);
    const defaultLeverage = options.defaultLeverage ?? 20;
    const defaultMode = options.defaultMarginMode ?? "cross";
    this.exchange = new SimExchange(
      {
        venueId: this.id,
        instruments: this.instrumentMap,
        books: this.books,
        defaultSetting: (inst) => ({
          leverage: Math.min(defaultLeverage, inst.spec.maxLeverage),
          mode: defaultMode,
        }),
        liquidationFeeBps: options.liquidationFeeBps ?? 50,
        findStoredOrder: (account, cloid) => (memory ? undefined : this.store.findOrder(account, cloid)),
      },
      this.state,
    );
    for (const inst of this.instrumentMap.values()) this.startFundingClock(inst);
    this.commit();
  }

  // ---- market data -------------------------------------------------------------------------

  instruments(): readonly Instrument[] {
    return [...this.instrumentMap.values()];
  }

  instrument(symbol: string): Instrument {
    return this.exchange.instrumentOf(symbol);
  }

  book(symbol: string): BookView {
    this.exchange.instrumentOf(symbol);
    return this.books.get(symbol)!;
  }

  /** The feed's mark price, or the book's mid when the feed sends none; NaN before any data. */
  markPrice(symbol: string): number {
    this.exchange.instrumentOf(symbol);
    return this.exchange.markOf(symbol);
  }

  fundingRatePerHour(symbol: string): number {
    this.exchange.instrumentOf(symbol);
    return rateAt(this.state.fundingRates.get(symbol), this.clock.now());
  }

  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    this.marketListeners.add(listener);
    return () => this.marketListeners.delete(listener);
  }

  /**
   * Push one market-data event in. Returns false when fault injection dropped it (the venue never
   * saw it). Resting orders it crosses fill; positions it pushes below maintenance are liquidated.
   */
  feed(e: MarketEvent): boolean {
    this.assertOpen();
    if (e.venue !== this.id) {
      throw new InvalidValueError(`sim venue ${this.id}: fed a ${e.type} event for venue "${e.venue}"`);
    }
    if (!this.instrumentMap.has(e.symbol)) {
      throw new InvalidValueError(
        `sim venue ${this.id}: fed a ${e.type} event for unknown symbol "${e.symbol}"`,
      );
    }
    if (this.faults.dropMarketData()) return false;
    const events = this.exchange.onMarket(e, this.clock.now());
    this.commit();
    this.deliverLater(events);
    for (const l of this.marketListeners) l(e);
    return true;
  }

  /** market-data messages dropped by fault injection so far */
  get droppedMarketData(): number {
    return this.faults.dropped;
  }

  // ---- execution -----------------------------------------------------------------------------

  submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    return this.request((now) => {
      if (this.faults.reject()) {
        this.deliverNow([
          {
            type: "reject",
            ts: now,
            account: order.account,
            clientOrderId: order.clientOrderId,
            reason: "injected_reject",
          },
        ]);
        throw new VenueRejectError(
          "injected_reject",
          `${this.id}: order ${order.clientOrderId} rejected (injected)`,
        );
      }
      const timeout = this.faults.timeout();
      const outcome = this.exchange.submit(order, now, this.faults.partialFraction());
      this.commit();
      this.deliverNow(outcome.events);
      if (timeout) {
        throw new VenueUnknownOutcomeError(
          "timeout",
          `${this.id}: no answer to order ${order.clientOrderId}`,
        );
      }
      if (outcome.rejectReason !== undefined) {
        throw new VenueRejectError(
          outcome.rejectReason,
          `${this.id}: order ${order.clientOrderId} of ${order.account} rejected: ${outcome.rejectMessage}`,
        );
      }
      return { venueOrderId: outcome.venueOrderId! };
    });
  }

  cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    return this.request((now) => {
      const events = this.exchange.cancel(account, symbol, clientOrderId, now);
      this.commit();
      this.deliverNow(events);
      const refused = events.find((e) => e.type === "cancel_reject");
      if (refused !== undefined) {
        throw new VenueRejectError(
          refused.reason,
          `${this.id}: cancel ${clientOrderId} of ${account}: ${refused.reason}`,
        );
      }
    });
  }

  amend(account: string, symbol: string, clientOrderId: string, change: AmendChange): Promise<AmendResult> {
    return this.request((now) => {
      const outcome = amendOrder(this.exchange, account, symbol, clientOrderId, change, now);
      this.commit();
      this.deliverNow(outcome.events);
      if (outcome.rejectReason !== undefined)
        throw new VenueRejectError(
          outcome.rejectReason,
          `${this.id}: amend ${clientOrderId} of ${account}: ${outcome.rejectMessage}`,
        );
      return outcome.result!;
    });
  }

  orderStatus(account: string, clientOrderId: string): Promise<OrderReport | undefined> {
    return this.request(() => {
      const o =
        this.state.orderByClient(account, clientOrderId) ?? this.store.findOrder(account, clientOrderId);
      return o === undefined ? undefined : orderReport(o);
    });
  }

  openOrders(account: string): Promise<readonly OrderReport[]> {
    return this.request(() =>
      [...(this.state.openOrdersByAccount.get(account) ?? [])].sort((a, b) => a.seq - b.seq).map(orderReport),
    );
  }

  positions(account: string): Promise<readonly PositionReport[]> {
    return this.request(() => positionReports(this.exchange, account));
  }

  accountState(account: string): Promise<AccountReport> {
    return this.request(() => accountReport(this.exchange, account));
  }

  fills(account: string, sinceTs = 0): Promise<readonly Fill[]> {
    return this.request(() => {
      const all = this.store.fills(account);
      return sinceTs <= 0 ? all : all.filter((f) => f.ts >= sinceTs);
    });
  }

  fundingPayments(account: string): Promise<readonly FundingPayment[]> {
    return this.request(() => this.store.fundingPayments(account));
  }

  /**
   * Leverage in [1, maxLeverage] for new exposure. The margin mode cannot change while a position
   * is open (as on Hyperliquid); an isolated position keeps its leverage (its margin is fixed).
   */
  setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    return this.request(() => {
      changeLeverage(this.exchange, account, symbol, leverage, mode);
      this.commit();
    });
  }

  /**
   * Add (amount > 0) or remove (< 0) collateral of an isolated position, like Hyperliquid's
   * updateIsolatedMargin; see account-admin.ts for the limits.
   */
  updateIsolatedMargin(account: string, symbol: string, amount: Money): Promise<void> {
    return this.request((now) => {
      const events = changeIsolatedMargin(this.exchange, account, symbol, amount, now);
      this.commit();
      this.deliverNow(events);
    });
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  // ---- driving and inspection (not part of Venue) ---------------------------------------------

  /** Credit an account from outside: the only external money flow. */
  deposit(account: string, amount: Money): void {
    this.assertOpen();
    if (typeof amount !== "bigint" || amount <= 0n) {
      throw new InvalidValueError(
        `sim venue ${this.id}: deposit to ${account} of ${String(amount)} must be a positive bigint`,
      );
    }
    if (typeof account !== "string" || account === "") {
      throw new InvalidValueError(`sim venue ${this.id}: deposit needs a non-empty account name`);
    }
    this.state.deposit(account, amount);
    this.commit();
  }

  /** Take the venue down until `untilMs`: requests fail with kind "unavailable", nothing runs. */
  goDown(untilMs: number): void {
    this.faults.goDown(untilMs);
  }

  sinks(): Readonly<Sinks> {
    return { ...this.state.sinks };
  }

  cashOf(account: string): Money {
    return this.state.accounts.get(account)?.cash ?? 0n;
  }

  accountNames(): string[] {
    return [...this.state.accounts.keys()].sort();
  }

  /** Σ cash + Σ sinks − deposits: 0 always, exactly. */
  conservationResidual(): Money {
    return this.state.conservationResidual();
  }

  /** Deterministic JSON of the whole ledger: accounts, positions, open orders, sinks, clocks. */
  snapshot(): string {
    return ledgerSnapshot(this.state);
  }

  /** Stop timers and close the store. Requests afterwards fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.fundingTimers.values()) this.clock.cancel(t);
    this.fundingTimers.clear();
    this.store.close();
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Run `fn` when the request reaches the venue (after the latency), unless the venue is down. */
  private request<T>(fn: (now: number) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        const now = this.clock.now();
        if (this.closed) reject(new VenueUnknownOutcomeError("unavailable", `${this.id}: venue closed`));
        else if (this.faults.isDown(now)) {
          reject(new VenueUnknownOutcomeError("unavailable", `${this.id}: venue unavailable`));
        } else {
          try {
            resolve(fn(now));
          } catch (e) {
            reject(e);
          }
        }
      };
      if (this.latencyMs === 0) queueMicrotask(run);
      else this.clock.after(this.latencyMs, run);
    });
  }

  private commit(): void {
    if (isEmpty(this.state.changes)) return;
    try {
      this.store.commit(this.state.changes, this.state);
    } finally {
      this.state.clearChanges();
    }
  }

  /** Events answering a request: right after it was processed, still asynchronously. */
  private deliverNow(events: VenueEvent[]): void {
    if (events.length > 0) queueMicrotask(() => this.deliver(events));
  }

  /** Events from market data or timers: after the latency. */
  private deliverLater(events: VenueEvent[]): void {
    if (events.length === 0) return;
    if (this.latencyMs === 0) queueMicrotask(() => this.deliver(events));
    else this.clock.after(this.latencyMs, () => this.deliver(events));
  }

  private deliver(events: VenueEvent[]): void {
    if (this.eventLog.enabled) this.eventLog.append(events);
    let failure: unknown;
    for (const e of events) {
      for (const l of this.eventListeners) {
        try {
          l(e);
        } catch (err) {
          failure ??= err;
        }
      }
    }
    // a listener's bug must not stop the others from hearing the event; surface it afterwards
    if (failure !== undefined) throw failure;
  }

  private startFundingClock(inst: Instrument): void {
    const interval = intervalMs(inst);
    const now = this.clock.now();
    const last = this.state.fundingClock.get(inst.symbol);
    if (last === undefined) {
      this.state.fundingClock.set(inst.symbol, boundaryAtOrBefore(now, interval));
      this.state.changes.meta = true;
    } else {
      // boundaries passed while the process was down are settled now, at the last known mark
      for (let b = last + interval; b <= now; b += interval) this.settle(inst, b);
    }
    this.scheduleFunding(inst);
  }

  private scheduleFunding(inst: Instrument): void {
    const next = this.state.fundingClock.get(inst.symbol)! + intervalMs(inst);
    this.fundingTimers.set(
      inst.symbol,
      this.clock.at(next, () => {
        if (this.closed) return;
        this.settle(inst, next);
        this.scheduleFunding(inst);
      }),
    );
  }

  private settle(inst: Instrument, boundary: number): void {
    const mark = this.exchange.markOf(inst.symbol);
    const events = settleFunding(this.state, inst, boundary, Number.isNaN(mark) ? undefined : mark);
    events.push(...checkLiquidations(this.exchange, inst.symbol, this.clock.now()));
    this.commit();
    this.deliverLater(events);
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidValueError(`sim venue ${this.id} is closed`);
  }
}
