import type { Clock } from "../../core/clock.ts";
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
  type FundingPaymentReport,
  type Unsubscribe,
  type Venue,
  type VenueEvent,
  VenueRejectError,
  VenueUnknownOutcomeError,
} from "../../core/venue.ts";
import type { AccountBinding } from "../../core/venue-account.ts";
import type { VenueCapabilities } from "../../core/venue-capabilities.ts";
import type { MarketSubscription, StreamStatus, StreamStatusChange } from "../../core/venue-streams.ts";
import { L2Book } from "../../data/book.ts";
import { changeIsolatedMargin, changeLeverage } from "./account-admin.ts";
import { refreshedBook } from "./book-refresh.ts";
import { EventDelivery } from "./delivery.ts";
import { EventLog } from "./event-log.ts";
import { SimExchange } from "./exchange.ts";
import { amendResting, cancelOrder, type ExecutionContext, submitOrder } from "./execution.ts";
import { FaultInjector } from "./faults.ts";
import { rateAt } from "./funding.ts";
import { FundingClock } from "./funding-clock.ts";
import { checkOptions, DEFAULT_CAPABILITIES, type SimVenueOptions } from "./options.ts";
import type { QueueStats } from "./queue.ts";
import { ledgerSnapshot, orderReport, ReportCache } from "./reports.ts";
import { SimRequestGate } from "./request-gate.ts";
import { SqliteStore } from "./sqlite-store.ts";
import { isEmpty, SimState, type Sinks } from "./state.ts";
import { MemoryStore, type SimStore } from "./store.ts";
import { bookSnapshot, SimStreams } from "./streams.ts";

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
  /** latency of submits and amends, and of cancels (the queue model's own, else latencyMs) */
  private readonly placeLatencyMs: number;
  private readonly cancelLatencyMs: number;
  private readonly instrumentMap: Map<string, Instrument>;
  private readonly books = new Map<string, MutableBook>();
  /** what book() hands out: the books themselves, or their refreshed views (bookRefreshMs) */
  private readonly bookViews = new Map<string, BookView>();
  private readonly state = new SimState();
  private readonly store: SimStore;
  private readonly exchange: SimExchange;
  /** the account answers, kept while nothing they read changed */
  private readonly reports: ReportCache;
  private readonly faults: FaultInjector;
  private readonly delivery: EventDelivery;
  private readonly streamSet: SimStreams;
  private readonly funding: FundingClock;
  /** symbol -> forecast rate per hour (predictFunding) */
  private readonly predictions = new Map<string, number>();
  private readonly bindings = new Map<string, AccountBinding>();
  private readonly gate: SimRequestGate;
  /** the state change that could not be saved (full disk, damaged file): the venue is down for good */
  private storeFailure: Error | undefined;
  private readonly onStoreFailure: ((error: Error) => void) | undefined;
  private marketOutput = 0;
  /** what submit, cancel and amend run on (execution.ts) */
  private readonly execution: ExecutionContext;

  constructor(options: SimVenueOptions) {
    this.instrumentMap = checkOptions(options);
    this.id = options.id;
    this.clock = options.clock;
    this.latencyMs = options.latencyMs ?? 0;
    const fm = options.fillModel;
    this.placeLatencyMs = fm?.kind === "queue" ? fm.placeLatencyMs : this.latencyMs;
    this.cancelLatencyMs = fm?.kind === "queue" ? fm.cancelLatencyMs : this.latencyMs;
    this.capabilities = { ...DEFAULT_CAPABILITIES, ...options.capabilities };
    this.eventLog = new EventLog(options.recordEventLog ?? false);
    this.faults = new FaultInjector(options.faults ?? {}, options.seed ?? options.id, `sim venue ${this.id}`);
    this.gate = new SimRequestGate(this.id, this.clock, this.latencyMs, this.faults, () =>
      this.storeFailure === undefined ? undefined : this.downForGood(),
    );
    const createBook = options.createBook ?? ((inst: Instrument) => new L2Book(inst));
    for (const inst of this.instrumentMap.values()) {
      const book = createBook(inst);
      this.books.set(inst.symbol, book);
      const every = options.bookRefreshMs;
      this.bookViews.set(inst.symbol, every === undefined ? book : refreshedBook(book, this.clock, every));
    }
    const memory = options.dbPath === undefined || options.dbPath === ":memory:";
    this.store = memory ? new MemoryStore() : new SqliteStore(options.dbPath!, this.id);
    this.onStoreFailure = options.onStoreFailure;
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
        fillModel: options.fillModel,
      },
      this.state,
    );
    this.reports = new ReportCache(this.exchange);
    this.streamSet = new SimStreams({
      venueId: this.id,
      clock: this.clock,
      symbols: this.instrumentMap.keys(),
      staleAfterMs: options.staleAfterMs,
      onRestore: (sub) => this.resendSnapshot(sub),
    });
    this.delivery = new EventDelivery(this.clock, this.latencyMs, this.eventLog, () =>
      this.streamSet.accountUp(),
    );
    const cf = options.continuousFunding;
    const continuous = cf === undefined ? undefined : new Set(cf.symbols ?? this.instrumentMap.keys());
    this.funding = new FundingClock(
      this.clock,
      this.exchange,
      (events) => {
        // a timer has nobody to throw to: a failed save is reported through onStoreFailure
        if (this.saved()) this.delivery.later(events);
      },
      (inst) => (continuous?.has(inst.symbol) ? cf!.stepMs : undefined),
    );
    for (const inst of this.instrumentMap.values()) this.funding.start(inst);
    this.execution = {
      id: this.id,
      exchange: this.exchange,
      faults: this.faults,
      delivery: this.delivery,
      commit: () => this.commit(),
    };
    // the first save's own error (a damaged or read-only file) goes to the caller as it is
    try {
      if (!isEmpty(this.state.changes)) this.store.commit(this.state.changes, this.state);
      this.state.clearChanges();
    } catch (e) {
      this.funding.stop();
      this.store.close();
      throw e;
    }
  }

  // ---- lifecycle, streams and accounts -------------------------------------------------------

  /** The simulator is up from construction: connect() only checks it was not closed. */
  connect(): Promise<void> {
    return this.gate.closed
      ? Promise.reject(new VenueUnknownOutcomeError("unavailable", `${this.id}: venue closed`))
      : Promise.resolve();
  }

  streams(): readonly StreamStatus[] {
    return this.streamSet.statuses();
  }

  onStreamStatus(listener: (change: StreamStatusChange) => void): Unsubscribe {
    return this.streamSet.onStatus(listener);
  }

  subscribe(subscription: MarketSubscription): Unsubscribe {
    return this.streamSet.subscribe(subscription);
  }

  /** Any account may trade on the simulator; a binding (with or without a signer) is kept for reports. */
  bindAccount(binding: AccountBinding): Promise<void> {
    return this.gate.run(() => {
      if (typeof binding?.account !== "string" || binding.account === "")
        throw new VenueRejectError(
          "invalid_binding",
          `${this.id}: an account binding needs a non-empty account id`,
        );
      this.bindings.set(binding.account, binding);
    });
  }

  /** The binding an account was attached with, if any. */
  binding(account: string): AccountBinding | undefined {
    return this.bindings.get(account);
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
    return this.bookViews.get(symbol)!;
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

  /**
   * The forecast of the next settlement's rate, per hour, as the market feeding the simulator
   * published it with predictFunding (undefined: none published, as on venues without one). It
   * is what was set, nothing is modelled: deterministic. Settlements use the rates fed.
   */
  predictedFundingRatePerHour(symbol: string): number | undefined {
    this.exchange.instrumentOf(symbol);
    return this.predictions.get(symbol);
  }

  /** Publish (a number) or withdraw (undefined) the forecast predictedFundingRatePerHour reads. */
  predictFunding(symbol: string, ratePerHour: number | undefined): void {
    this.exchange.instrumentOf(symbol);
    if (ratePerHour === undefined) this.predictions.delete(symbol);
    else this.predictions.set(symbol, ratePerHour);
  }

  /** Market events of the subscribed (symbol, channel) pairs only; see subscribe(). */
  onMarket(listener: (e: MarketEvent) => void): Unsubscribe {
    return this.streamSet.onMarket(listener);
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
    if (this.storeFailure !== undefined || this.faults.dropMarketData()) return false;
    const events = this.exchange.onMarket(e, this.clock.now());
    // the feed runs on the market's timer: a failed save is reported through onStoreFailure
    if (!this.saved()) return false;
    this.marketOutput += events.length;
    this.delivery.later(events);
    this.streamSet.publish(e);
    return true;
  }

  /** account events market data has caused so far (fills, liquidations): a backtest loop settles after them */
  get marketEventsOut(): number {
    return this.marketOutput;
  }

  /** market-data messages dropped by fault injection so far */
  get droppedMarketData(): number {
    return this.faults.dropped;
  }

  // ---- execution -----------------------------------------------------------------------------

  submit(order: OrderRequest): Promise<{ venueOrderId: string }> {
    return this.gate.run((now) => {
      // a venue refuses what it does not offer (a simulator declared without IOC, as Aster's
      // IOC was refused in seed 002): the engine must not send it
      const missing = unoffered(this.capabilities, order);
      if (missing !== undefined)
        throw new VenueRejectError("unsupported", `${this.id}: order ${order.clientOrderId}: ${missing}`);
      return submitOrder(this.execution, order, now);
    }, this.placeLatencyMs);
  }

  cancel(account: string, symbol: string, clientOrderId: string): Promise<void> {
    return this.gate.run(
      (now) => cancelOrder(this.execution, account, symbol, clientOrderId, now),
      this.cancelLatencyMs,
    );
  }

  amend(account: string, symbol: string, clientOrderId: string, change: AmendChange): Promise<AmendResult> {
    return this.gate.run(
      (now) => amendResting(this.execution, account, symbol, clientOrderId, change, now),
      this.placeLatencyMs,
    );
  }

  orderStatus(account: string, clientOrderId: string): Promise<OrderReport | undefined> {
    return this.gate.run(() => {
      const o =
        this.state.orderByClient(account, clientOrderId) ?? this.store.findOrder(account, clientOrderId);
      return o === undefined ? undefined : orderReport(o);
    });
  }

  openOrders(account: string): Promise<readonly OrderReport[]> {
    return this.gate.run(() =>
      [...(this.state.openOrdersByAccount.get(account) ?? [])].sort((a, b) => a.seq - b.seq).map(orderReport),
    );
  }

  positions(account: string): Promise<readonly PositionReport[]> {
    return this.gate.run(() => this.reports.positionReports(account));
  }

  accountState(account: string): Promise<AccountReport> {
    return this.gate.run(() => this.reports.accountReport(account));
  }

  fills(account: string, sinceTs = 0): Promise<readonly Fill[]> {
    return this.gate.run(() => {
      const all = this.store.fills(account);
      return sinceTs <= 0 ? all : all.filter((f) => f.ts >= sinceTs);
    });
  }

  fundingPayments(account: string, sinceTs = 0): Promise<readonly FundingPaymentReport[]> {
    return this.gate.run(() => {
      const all = this.store.fundingPayments(account);
      return sinceTs <= 0 ? all : all.filter((p) => p.ts >= sinceTs);
    });
  }

  /**
   * Leverage in [1, maxLeverage] for new exposure. The margin mode cannot change while a position
   * is open (as on Hyperliquid); an isolated position keeps its leverage (its margin is fixed).
   */
  setLeverage(account: string, symbol: string, leverage: number, mode: MarginMode): Promise<void> {
    return this.gate.run(() => {
      changeLeverage(this.exchange, account, symbol, leverage, mode);
      this.commit();
    });
  }

  /**
   * Add (amount > 0) or remove (< 0) collateral of an isolated position, like Hyperliquid's
   * updateIsolatedMargin; see account-admin.ts for the limits.
   */
  updateIsolatedMargin(account: string, symbol: string, amount: Money): Promise<void> {
    return this.gate.run((now) => {
      const events = changeIsolatedMargin(this.exchange, account, symbol, amount, now);
      this.commit();
      this.delivery.now(events);
    });
  }

  onEvent(listener: (e: VenueEvent) => void): Unsubscribe {
    return this.delivery.listen(listener);
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
    if (this.storeFailure !== undefined) throw this.storeFailure;
    this.state.deposit(account, amount);
    // the deposit's caller is a set-up step: it hears the file's own problem (exit 6), not "unavailable"
    if (!this.saved()) throw this.storeFailure;
  }

  /** Cut one stream ("book:BTC", "account", ...) as a disconnect would, until restoreStream(). */
  dropStream(stream: string): void {
    this.streamSet.drop(stream);
  }

  /** Reconnect a dropped stream; a book stream gets a fresh snapshot, as on resubscribing. */
  restoreStream(stream: string): void {
    this.streamSet.restore(stream);
  }

  /** The next `n` submits execute but their answers are lost (outcome unknown to the caller). */
  loseNextAnswers(n: number): void {
    this.faults.loseAnswers(n);
  }

  /** Take the venue down until `untilMs`: requests fail with kind "unavailable", nothing runs. */
  goDown(untilMs: number): void {
    this.faults.goDown(untilMs);
  }

  /** What the queue model saw (fill model "queue"), else undefined. */
  queueStats(): QueueStats | undefined {
    return this.exchange.queue?.stats;
  }

  /** Market size ahead of a resting order at its price (fill model "queue"), else undefined. */
  queueAhead(account: string, clientOrderId: string): number | undefined {
    const o = this.state.orderByClient(account, clientOrderId);
    const q = this.exchange.queue;
    if (o === undefined || q === undefined || !this.state.openOrders.has(o.venueOrderId)) return undefined;
    return q.ahead(o, this.clock.now());
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

  /** Stop timers and close the store, at once (the promise is already settled). Requests afterwards fail. */
  close(): Promise<void> {
    if (this.gate.closed) return Promise.resolve();
    this.gate.closed = true;
    this.funding.stop();
    this.streamSet.close();
    this.store.close();
    return Promise.resolve();
  }

  // ---- internals -------------------------------------------------------------------------------

  private commit(): void {
    if (!this.saved()) throw this.downForGood();
  }

  /** commit() for timers and the market feed: false (and the venue down) when the save failed. */
  private saved(): boolean {
    if (this.storeFailure !== undefined) return false;
    if (isEmpty(this.state.changes)) return true;
    try {
      this.store.commit(this.state.changes, this.state);
      return true;
    } catch (err) {
      this.storeFailure = err instanceof Error ? err : new Error(String(err));
      this.funding.stop();
      this.onStoreFailure?.(this.storeFailure);
      return false;
    } finally {
      this.state.clearChanges();
    }
  }

  private downForGood(): VenueUnknownOutcomeError {
    return new VenueUnknownOutcomeError(
      "unavailable",
      `${this.id}: venue down, its state could not be saved: ${this.storeFailure?.message}`,
    );
  }

  /** What a resubscribe sends first: the whole book as it stands. */
  private resendSnapshot(sub: MarketSubscription): void {
    if (sub.channel !== "book") return;
    const inst = this.instrumentMap.get(sub.symbol)!;
    this.streamSet.publish(bookSnapshot(this.id, inst, this.books.get(sub.symbol)!, this.clock.now()));
  }

  private assertOpen(): void {
    if (this.gate.closed) throw new InvalidValueError(`sim venue ${this.id} is closed`);
  }
}

/** What of the order the declared capabilities do not offer, or undefined. */
function unoffered(c: VenueCapabilities, o: OrderRequest): string | undefined {
  if (o.type === "market") return c.marketOrders ? undefined : "market orders are not offered";
  if (o.tif === "ioc" && !c.ioc) return "IOC orders are not offered";
  if (o.tif === "post_only" && !c.postOnly) return "post-only orders are not offered";
  if (!c.timeInForce.includes(o.tif)) return `time in force ${o.tif} is not offered`;
  if (o.reduceOnly && !c.reduceOnly) return "reduce-only orders are not offered";
  return undefined;
}
