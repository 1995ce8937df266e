import type { Money } from "../../core/money.ts";
import type { Fill, MarginMode, OrderType, Side, TimeInForce, VenueOrderStatus } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";

/**
 * The simulated venue's ledger and books of record. Everything here is what a restart must get
 * back; the store writes exactly the objects marked dirty in one transaction per request or event.
 */

export interface AccountState {
  readonly account: string;
  /**
   * Total cash: deposits + realised PnL - fees + funding. Isolated margin is an earmark inside
   * it (not a transfer), so conservation only has to look at cash and the sinks.
   */
  cash: Money;
}

export interface PositionState {
  readonly account: string;
  readonly symbol: string;
  /** signed lots: > 0 long, < 0 short */
  sizeLots: number;
  /** exact cost basis of the open size in pico-dollars (|size| x average entry) */
  entryNotional: Money;
  /** collateral earmarked for an isolated position (0 for cross) */
  isolatedMargin: Money;
  /** cumulative funding since the position opened; positive = the account paid */
  fundingPaid: Money;
  /** margin mode and leverage fixed when the position opened (from the account's setting) */
  mode: MarginMode;
  leverage: number;
}

export interface LeverageSetting {
  leverage: number;
  mode: MarginMode;
}

export interface OrderState {
  readonly venueOrderId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  /** price and size change only by an amend (amend.ts) */
  priceTicks: number;
  sizeLots: number;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  /** creation sequence: time priority among resting orders at one price (an amend may renew it) */
  seq: number;
  readonly createdTs: number;
  filledLots: number;
  status: VenueOrderStatus;
  /** why the order is rejected or canceled ("" otherwise) */
  reason: string;
}

/** One funding settlement: the venue contract's report, kept as the simulator stores it. */
export type FundingPayment = FundingPaymentReport;

/** Balances that are not accounts. Each one takes the other side of a kind of transfer. */
export interface Sinks {
  /** trading fees collected (maker rebates paid out of it) */
  fees: Money;
  /** liquidation fees in, bad debt out */
  insurance: Money;
  /** funding paid by one side, received by the other */
  funding: Money;
  /** the synthetic book's side of every fill: takes the opposite realised PnL */
  counterparty: Money;
  /** the only external flow */
  deposits: Money;
}

export type SinkName = "fees" | "insurance" | "funding" | "counterparty";

/** One rate in force from `ts` on. */
export interface FundingRatePoint {
  readonly ts: number;
  readonly ratePerHour: number;
}

/**
 * What changed since the last commit; the store writes exactly this, in one transaction. Lists,
 * not sets: an object may appear more than once (the durable store dedupes; the hot in-memory
 * path does not pay for it).
 */
export interface ChangeSet {
  readonly accounts: AccountState[];
  readonly positions: PositionState[];
  readonly orders: OrderState[];
  /** keys `account\u0000symbol` of leverage settings that changed */
  readonly settings: string[];
  /** appended to in commit order; the arrays are reused after each commit */
  readonly fills: Fill[];
  readonly funding: FundingPayment[];
  /** sinks, sequences, funding clock, marks, funding rates */
  meta: boolean;
}

export function emptyChangeSet(): ChangeSet {
  return {
    accounts: [],
    positions: [],
    orders: [],
    settings: [],
    fills: [],
    funding: [],
    meta: false,
  };
}

export function isEmpty(c: ChangeSet): boolean {
  return (
    c.accounts.length === 0 &&
    c.positions.length === 0 &&
    c.orders.length === 0 &&
    c.settings.length === 0 &&
    c.fills.length === 0 &&
    c.funding.length === 0 &&
    !c.meta
  );
}

export function accountKey(account: string, other: string): string {
  return `${account}\u0000${other}`;
}

/** Everything the venue knows, in memory, with the indexes matching and margin checks need. */
export class SimState {
  readonly accounts = new Map<string, AccountState>();
  /** by accountKey(account, symbol) */
  readonly positions = new Map<string, PositionState>();
  /** the same positions by account, then symbol (the hot lookup: no key string to build) */
  private readonly positionIndex = new Map<string, Map<string, PositionState>>();
  readonly positionsBySymbol = new Map<string, Set<PositionState>>();
  readonly positionsByAccount = new Map<string, Set<PositionState>>();
  /** by accountKey(account, symbol); change them with setSetting */
  readonly settings = new Map<string, LeverageSetting>();
  /** the same settings by account, then symbol */
  private readonly settingIndex = new Map<string, Map<string, LeverageSetting>>();
  /** resting orders by venue order id */
  readonly openOrders = new Map<string, OrderState>();
  readonly openOrdersByAccount = new Map<string, Set<OrderState>>();
  /** orders seen by this process, by account, then client order id; older ones are in the store */
  private readonly ordersByClient = new Map<string, Map<string, OrderState>>();
  sinks: Sinks = { fees: 0n, insurance: 0n, funding: 0n, counterparty: 0n, deposits: 0n };
  orderSeq = 0;
  fillSeq = 0;
  /** per symbol: the last funding boundary settled (ms) */
  readonly fundingClock = new Map<string, number>();
  readonly fundingRates = new Map<string, FundingRatePoint[]>();
  readonly marks = new Map<string, number>();
  readonly changes: ChangeSet = emptyChangeSet();
  /**
   * Whether accounts, positions, orders and settings are listed in `changes` (a durable store
   * writes them). An in-memory store keeps nothing of them, so the venue turns this off; fills,
   * funding payments and `meta` are always recorded.
   */
  trackChanges = true;
  /**
   * Bumped by every change to what the liquidation check reads: cash (transfer, deposit),
   * positions (touchPosition, which flatten uses, and indexPosition) and marks (market input
   * bumps it when it sets one). Equal numbers mean the same inputs, so the same verdict.
   */
  ledgerVersion = 0;
  /**
   * Bumped by every change to the orders and settings the account figures read beyond the
   * ledger: resting orders added or removed, any order changed (touchOrder: fills, amends), a
   * leverage setting set. With ledgerVersion, equal numbers mean the same account reports.
   */
  ordersVersion = 0;

  account(account: string): AccountState {
    let a = this.accounts.get(account);
    if (a === undefined) {
      a = { account, cash: 0n };
      this.accounts.set(account, a);
      this.touchAccount(a);
    }
    return a;
  }

  /**
   * Move `amount` from a sink to an account (negative: from the account to the sink). Both sides
   * change by the same integer, which is the whole conservation argument.
   */
  transfer(account: AccountState, sink: SinkName, amount: Money): void {
    if (amount === 0n) return;
    this.ledgerVersion++;
    account.cash += amount;
    this.sinks[sink] -= amount;
    this.touchAccount(account);
    this.changes.meta = true;
  }

  deposit(account: string, amount: Money): void {
    const a = this.account(account);
    this.ledgerVersion++;
    a.cash += amount;
    this.sinks.deposits += amount;
    this.touchAccount(a);
    this.changes.meta = true;
  }

  /** Σ cash + Σ sinks − deposits: zero from the first deposit on, whatever happens. */
  conservationResidual(): Money {
    let total = 0n;
    for (const a of this.accounts.values()) total += a.cash;
    const s = this.sinks;
    return total + s.fees + s.insurance + s.funding + s.counterparty - s.deposits;
  }

  /** Mark an account for the store (nothing when changes are not tracked). */
  touchAccount(a: AccountState): void {
    if (this.trackChanges) this.changes.accounts.push(a);
  }

  touchPosition(p: PositionState): void {
    this.ledgerVersion++;
    if (this.trackChanges) this.changes.positions.push(p);
  }

  touchOrder(o: OrderState): void {
    this.ordersVersion++;
    if (this.trackChanges) this.changes.orders.push(o);
  }

  position(account: string, symbol: string): PositionState | undefined {
    return this.positionIndex.get(account)?.get(symbol);
  }

  setting(account: string, symbol: string, fallback: LeverageSetting): LeverageSetting {
    return this.settingIndex.get(account)?.get(symbol) ?? fallback;
  }

  /** Set an account's leverage setting on one symbol (touchSetting lists it for the store). */
  setSetting(account: string, symbol: string, setting: LeverageSetting): void {
    this.ordersVersion++;
    this.settings.set(accountKey(account, symbol), setting);
    nested(this.settingIndex, account).set(symbol, setting);
  }

  touchSetting(account: string, symbol: string): void {
    if (this.trackChanges) this.changes.settings.push(accountKey(account, symbol));
  }

  /** An order this process saw, by account and client order id. */
  orderByClient(account: string, clientOrderId: string): OrderState | undefined {
    return this.ordersByClient.get(account)?.get(clientOrderId);
  }

  rememberOrder(o: OrderState): void {
    nested(this.ordersByClient, o.account).set(o.clientOrderId, o);
  }

  /** Open a position record (size 0) with the account's current leverage setting. */
  openPosition(account: string, symbol: string, setting: LeverageSetting): PositionState {
    const p: PositionState = {
      account,
      symbol,
      sizeLots: 0,
      entryNotional: 0n,
      isolatedMargin: 0n,
      fundingPaid: 0n,
      mode: setting.mode,
      leverage: setting.leverage,
    };
    this.indexPosition(p);
    return p;
  }

  indexPosition(p: PositionState): void {
    this.ledgerVersion++;
    this.positions.set(accountKey(p.account, p.symbol), p);
    nested(this.positionIndex, p.account).set(p.symbol, p);
    addTo(this.positionsBySymbol, p.symbol, p);
    addTo(this.positionsByAccount, p.account, p);
  }

  /**
   * A position that went flat stays indexed (size 0; every reader skips flat positions) so a
   * wallet trading in and out does not churn the indexes; the store deletes its row.
   */
  flatten(p: PositionState): void {
    this.touchPosition(p);
  }

  addOpenOrder(o: OrderState): void {
    this.ordersVersion++;
    this.openOrders.set(o.venueOrderId, o);
    addTo(this.openOrdersByAccount, o.account, o);
  }

  removeOpenOrder(o: OrderState): void {
    this.ordersVersion++;
    this.openOrders.delete(o.venueOrderId);
    this.openOrdersByAccount.get(o.account)?.delete(o);
  }

  /** Forget the committed changes (the sets are reused: one request commits at a time). */
  clearChanges(): void {
    const c = this.changes;
    // only the lists in use: truncating an array drops its backing store
    if (c.accounts.length > 0) c.accounts.length = 0;
    if (c.positions.length > 0) c.positions.length = 0;
    if (c.orders.length > 0) c.orders.length = 0;
    if (c.settings.length > 0) c.settings.length = 0;
    if (c.fills.length > 0) c.fills.length = 0;
    if (c.funding.length > 0) c.funding.length = 0;
    c.meta = false;
  }
}

function nested<T>(index: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let m = index.get(key);
  if (m === undefined) {
    m = new Map();
    index.set(key, m);
  }
  return m;
}

function addTo<T>(index: Map<string, Set<T>>, key: string, value: T): void {
  let s = index.get(key);
  if (s === undefined) {
    s = new Set();
    index.set(key, s);
  }
  s.add(value);
}
