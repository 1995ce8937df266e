/**
 * The Hibachi emulator's exchange: Hibachi's order records (order id, nonce, status) on top of the
 * simulated exchange core (`../../sim/exchange.ts`: matching against the market book, margin,
 * funding, liquidation). The core knows an account by its decimal account id and an order by
 * the venue's order id. Contracts and fees: hibachi_sdk python/tests/unit/data/
 * response.exchange_info.0.json (ETH/USDT-P: id 1, 9 underlying / 6 settlement decimals, maker 0,
 * taker 0.045 %). The venue's own grid there (tick 0.000001, step 0.000000001) is finer than the
 * core's instruments hold (tick and lot decimals ≤ 12), so the emulator lists coarser ticks and
 * steps; the signed decimals stay the venue's. BTC/USDT-P is this emulator's own (id 2, 10
 * underlying decimals).
 */
import type { Clock } from "../../../core/clock.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { moneyText } from "../../../core/money.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";
import { amendOrder } from "../../sim/amend.ts";

export const VENUE_ID = "hibachi-emulator";

export interface ContractSpec {
  readonly id: number;
  readonly symbol: string;
  readonly underlyingSymbol: string;
  readonly underlyingDecimals: number;
  readonly settlementDecimals: number;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minNotional: string;
  readonly initialMarginRate: string;
  readonly maintenanceMarginRate: string;
  readonly markPx: number;
}

export const DEFAULT_CONTRACTS: readonly ContractSpec[] = [
  {
    id: 1,
    symbol: "ETH/USDT-P",
    underlyingSymbol: "ETH",
    underlyingDecimals: 9,
    settlementDecimals: 6,
    tickSize: "0.01",
    stepSize: "0.0001",
    minNotional: "1",
    initialMarginRate: "0.066667",
    maintenanceMarginRate: "0.046667",
    markPx: 3000,
  },
  {
    id: 2,
    symbol: "BTC/USDT-P",
    underlyingSymbol: "BTC",
    underlyingDecimals: 10,
    settlementDecimals: 6,
    tickSize: "0.1",
    stepSize: "0.00001",
    minNotional: "1",
    initialMarginRate: "0.066667",
    maintenanceMarginRate: "0.046667",
    markPx: 60000,
  },
];

export const MAKER_FEE_RATE = "0.00000000";
export const TAKER_FEE_RATE = "0.00045000";
/** Hibachi settles funding every 8 h (its `nextFundingTimestamp` steps; this emulator's choice). */
export const FUNDING_INTERVAL_HOURS = 8;

export type HbStatus = "PLACED" | "PARTIALLY_FILLED" | "FILLED" | "CANCELLED";

export interface HbOrder {
  readonly orderId: string;
  readonly nonce: string;
  readonly accountId: number;
  readonly contract: ContractSpec;
  readonly side: "BID" | "ASK";
  readonly orderType: "LIMIT" | "MARKET";
  /** the limit price as sent (as last updated); undefined for a market order */
  price: string | undefined;
  /** total size in lots (as last updated) */
  lots: number;
  filledLots: number;
  status: HbStatus;
  readonly creationTime: number;
}

/** One fill as /trade/account/trades lists it (the counterparty is the market: account 0). */
export interface HbTrade {
  readonly id: number;
  readonly accountId: number;
  readonly order: HbOrder;
  readonly price: string;
  readonly quantity: string;
  readonly fee: string;
  readonly realizedPnl: string;
  /** ms */
  readonly ts: number;
}

/** One funding settlement as /trade/account/settlements_history lists it. */
export interface HbSettlement {
  readonly accountId: number;
  readonly symbol: string;
  readonly direction: "Long" | "Short";
  readonly quantity: string;
  readonly indexPrice: string;
  /** signed: negative means the account paid */
  readonly settledAmount: string;
  /** ms */
  readonly ts: number;
}

/** Hibachi's records over the kit's exchange core (../../kit/sim-core.ts). */
export class HbEngine extends SimCoreEngine<ContractSpec> {
  readonly orders = new Map<string, HbOrder>();
  /** per account: every nonce an order or cancel was signed with (the venue refuses reuse) */
  readonly nonces = new Map<number, Set<string>>();
  readonly trades: HbTrade[] = [];
  readonly settlements: HbSettlement[] = [];
  nextTrade = 1;
  /** the funding rate per hour last set per symbol */
  readonly fundingRate = new Map<string, number>();
  readonly takerFeeRate = TAKER_FEE_RATE;
  readonly makerFeeRate = MAKER_FEE_RATE;
  nextId = 589_562_638_199_161_856n;
  /** told of every account event the core produced (the sockets push account updates from it) */
  readonly listeners = new Set<(e: VenueEvent) => void>();
  /** told of every market event applied (the sockets publish market data from it) */
  readonly marketListeners = new Set<(e: MarketEvent) => void>();

  constructor(contracts: readonly ContractSpec[], clock: Clock) {
    super(
      VENUE_ID,
      clock,
      contracts,
      (c) => ({
        base: c.underlyingSymbol,
        quote: "USDT",
        tickSize: c.tickSize,
        lotSize: c.stepSize,
        minNotionalUsd: Number(c.minNotional),
        maxLeverage: Math.floor(1 / Number(c.initialMarginRate)),
        fundingIntervalHours: FUNDING_INTERVAL_HOURS,
        makerFeeBps: Number(MAKER_FEE_RATE) * 10_000,
        takerFeeBps: Number(TAKER_FEE_RATE) * 10_000,
      }),
      (inst) => inst.spec.maxLeverage,
    );
    this.seed(() => 0);
  }

  get contracts(): readonly ContractSpec[] {
    return this.markets;
  }

  contractById(id: number): ContractSpec | undefined {
    return this.contracts.find((c) => c.id === id);
  }

  contractBySymbol(symbol: string): ContractSpec | undefined {
    return this.contracts.find((c) => c.symbol === symbol);
  }

  market(e: MarketEvent): void {
    if (e.type === "funding") this.fundingRate.set(e.symbol, e.ratePerHour);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    for (const l of this.marketListeners) l(e);
  }

  /** Take a nonce for `accountId`; false when the account already used it. */
  takeNonce(accountId: number, nonce: string): boolean {
    const used = this.nonces.get(accountId) ?? new Set<string>();
    this.nonces.set(accountId, used);
    if (used.has(nonce)) return false;
    used.add(nonce);
    return true;
  }

  /** Place an order; a refusal is the core's reason and message. */
  place(o: {
    accountId: number;
    nonce: string;
    contract: ContractSpec;
    side: "BID" | "ASK";
    price: string | undefined;
    lots: number;
    flag?: "POST_ONLY" | "IOC" | "REDUCE_ONLY";
  }): { order: HbOrder } | { reason: string; message: string } {
    const inst = this.instruments.get(o.contract.symbol)!;
    const orderId = String(this.nextId++);
    const rec: HbOrder = {
      orderId,
      nonce: o.nonce,
      accountId: o.accountId,
      contract: o.contract,
      side: o.side,
      orderType: o.price === undefined ? "MARKET" : "LIMIT",
      price: o.price,
      lots: o.lots,
      filledLots: 0,
      status: "PLACED",
      creationTime: this.clock.now(),
    };
    // a market order is an IOC far through the book (5 % past the mark)
    const mark = this.exchange.markOf(inst.symbol);
    const priceTicks =
      o.price === undefined
        ? inst.price(o.side === "BID" ? mark * 1.05 : mark * 0.95)
        : inst.price(Number(o.price));
    this.orders.set(orderId, rec);
    const out = this.exchange.submit(
      {
        clientOrderId: orderId,
        account: String(o.accountId),
        symbol: inst.symbol,
        side: o.side === "BID" ? "buy" : "sell",
        type: "limit",
        priceTicks,
        sizeLots: o.lots,
        tif: o.price === undefined || o.flag === "IOC" ? "ioc" : o.flag === "POST_ONLY" ? "post_only" : "gtc",
        reduceOnly: o.flag === "REDUCE_ONLY",
      },
      this.clock.now(),
      undefined,
    );
    if (out.rejectReason !== undefined) {
      this.orders.delete(orderId);
      return { reason: out.rejectReason, message: out.rejectMessage ?? out.rejectReason };
    }
    this.absorb(out.events);
    return { order: rec };
  }

  /** Update a resting order's price and total size in place; a refusal is the core's reason. */
  update(rec: HbOrder, price: string, lots: number): { reason: string; message: string } | undefined {
    const inst = this.instruments.get(rec.contract.symbol)!;
    const out = amendOrder(
      this.exchange,
      String(rec.accountId),
      rec.contract.symbol,
      rec.orderId,
      { priceTicks: inst.price(price), sizeLots: lots },
      this.clock.now(),
    );
    if (out.rejectReason !== undefined)
      return { reason: out.rejectReason, message: out.rejectMessage ?? out.rejectReason };
    rec.price = price;
    rec.lots = lots;
    this.absorb(out.events);
    return undefined;
  }

  cancel(rec: HbOrder): boolean {
    if (rec.status !== "PLACED" && rec.status !== "PARTIALLY_FILLED") return false;
    this.absorb(
      this.exchange.cancel(String(rec.accountId), rec.contract.symbol, rec.orderId, this.clock.now()),
    );
    return true;
  }

  find(accountId: number, by: { orderId?: string; nonce?: string }): HbOrder | undefined {
    if (by.orderId !== undefined) {
      const o = this.orders.get(by.orderId);
      return o?.accountId === accountId ? o : undefined;
    }
    for (const o of this.orders.values()) if (o.accountId === accountId && o.nonce === by.nonce) return o;
    return undefined;
  }

  pending(accountId: number): HbOrder[] {
    return [...this.orders.values()].filter(
      (o) => o.accountId === accountId && (o.status === "PLACED" || o.status === "PARTIALLY_FILLED"),
    );
  }

  absorb(events: readonly VenueEvent[]): void {
    for (const e of events) this.#record(e);
    for (const e of events) for (const l of this.listeners) l(e);
  }

  #record(e: VenueEvent): void {
    if (e.type === "fill") {
      const o = this.orders.get(e.fill.clientOrderId);
      if (o === undefined) return;
      o.filledLots += e.fill.sizeLots;
      o.status = e.remainingLots === 0 ? "FILLED" : "PARTIALLY_FILLED";
      const inst = this.instruments.get(o.contract.symbol)!;
      this.trades.push({
        id: this.nextTrade++,
        accountId: o.accountId,
        order: o,
        price: inst.priceText(e.fill.priceTicks),
        quantity: inst.sizeText(e.fill.sizeLots),
        fee: moneyText(e.fill.fee),
        realizedPnl: moneyText(e.fill.realisedPnl),
        ts: e.ts,
      });
    } else if (e.type === "funding") {
      const inst = this.instruments.get(e.symbol)!;
      const pos = this.exchange.state.positionsByAccount
        .get(e.account)
        ?.values()
        .find((p) => p.symbol === e.symbol);
      const lots = pos?.sizeLots ?? 0;
      this.settlements.push({
        accountId: Number(e.account),
        symbol: e.symbol,
        direction: lots >= 0 ? "Long" : "Short",
        quantity: inst.sizeText(Math.abs(lots)),
        indexPrice: String(this.exchange.markOf(e.symbol)),
        settledAmount: moneyText(e.amount),
        ts: e.ts,
      });
    } else if (e.type === "canceled") {
      const o = this.orders.get(e.clientOrderId);
      if (o !== undefined) o.status = "CANCELLED";
    }
  }
}
