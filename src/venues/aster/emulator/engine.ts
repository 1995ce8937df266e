/**
 * The Aster emulator's exchange: Binance-futures order records and stream events on top of the
 * simulated exchange core (`../../sim/exchange.ts`: matching against the market book, margin,
 * funding, liquidation). Accounts are the main wallets' addresses (lower case). The core knows
 * each order by the venue's numeric order id; the client's `clientOrderId` lives in the record
 * here. Every change is queued as an EngineEvent for the sockets (drain()).
 */
import type { Clock } from "../../../core/clock.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { moneyText } from "../../../core/money.ts";
import type { OrderRequest } from "../../../core/types.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";

export const VENUE_ID = "aster-emulator";

/** One perpetual of the emulated venue, as exchangeInfo and fundingInfo list it. */
export interface MarketSpec {
  readonly symbol: string;
  readonly base: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly minNotional: number;
  readonly maxLeverage: number;
  /** 1, 4 or 8: the venue publishes it per symbol (fundingInfo) */
  readonly fundingIntervalHours: number;
  readonly markPx: number;
}

/** BTC settles every 8 h, ETH every 4 h, SOL every hour: the three intervals the venue uses. */
export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  {
    symbol: "BTCUSDT",
    base: "BTC",
    tickSize: "0.1",
    stepSize: "0.001",
    minQty: "0.001",
    minNotional: 5,
    maxLeverage: 50,
    fundingIntervalHours: 8,
    markPx: 60_000,
  },
  {
    symbol: "ETHUSDT",
    base: "ETH",
    tickSize: "0.01",
    stepSize: "0.001",
    minQty: "0.001",
    minNotional: 5,
    maxLeverage: 50,
    fundingIntervalHours: 4,
    markPx: 3_000,
  },
  {
    symbol: "SOLUSDT",
    base: "SOL",
    tickSize: "0.01",
    stepSize: "0.01",
    minQty: "0.01",
    minNotional: 5,
    maxLeverage: 20,
    fundingIntervalHours: 1,
    markPx: 150,
  },
];

export type AsStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "EXPIRED";

export interface AsOrderRecord {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly type: "LIMIT" | "MARKET";
  readonly timeInForce: "GTC" | "IOC" | "GTX";
  readonly reduceOnly: boolean;
  readonly priceTicks: number;
  readonly lots: number;
  filledLots: number;
  filledQuote: number;
  status: AsStatus;
  readonly time: number;
  updateTime: number;
}

export interface AsFillRecord {
  readonly id: number;
  readonly order: AsOrderRecord;
  readonly priceTicks: number;
  readonly lots: number;
  readonly commission: string;
  readonly realizedPnl: string;
  readonly maker: boolean;
  readonly time: number;
}

export interface AsIncomeRecord {
  readonly tranId: number;
  readonly symbol: string;
  readonly income: string;
  readonly time: number;
}

export interface OrderSnapshot {
  readonly filledLots: number;
  readonly filledQuote: number;
  readonly status: AsStatus;
}

export type EngineEvent =
  /** `x`: the execution type (NEW, TRADE, CANCELED, EXPIRED); `at`: the order right after it */
  | {
      kind: "order";
      account: string;
      x: string;
      order: AsOrderRecord;
      at: OrderSnapshot;
      fill?: AsFillRecord;
    }
  | { kind: "account"; account: string; reason: string }
  | { kind: "trade"; symbol: string; fill: AsFillRecord }
  | { kind: "book"; symbol: string; full?: boolean }
  | { kind: "mark"; symbol: string };

export class AsEngine extends SimCoreEngine<MarketSpec> {
  readonly orders = new Map<number, AsOrderRecord>();
  readonly fills = new Map<string, AsFillRecord[]>();
  readonly income = new Map<string, AsIncomeRecord[]>();
  /** funding rate per hour in force, per symbol */
  readonly fundingRate = new Map<string, number>();
  /** "account|symbol" → leverage set by POST leverage */
  readonly leverage = new Map<string, number>();
  nextOrderId = 2_000_000_001;
  nextTrade = 1;
  nextTran = 9_000_000_001;
  #pending: EngineEvent[] = [];

  constructor(markets: readonly MarketSpec[], clock: Clock) {
    super(
      VENUE_ID,
      clock,
      markets,
      (m) => ({
        base: m.base,
        quote: "USDT",
        tickSize: m.tickSize,
        lotSize: m.stepSize,
        minNotionalUsd: m.minNotional,
        maxLeverage: m.maxLeverage,
        fundingIntervalHours: m.fundingIntervalHours,
        makerFeeBps: 1,
        takerFeeBps: 3.5,
      }),
      // Binance's default initial leverage is 20 (capped by the symbol's maximum)
      (inst) => Math.min(20, inst.spec.maxLeverage),
    );
    // 0.01% an interval, the venue's usual floor rate
    this.seed((m) => 0.0001 / m.fundingIntervalHours);
    this.drain();
  }

  inst(symbol: string): Instrument | undefined {
    return this.instruments.get(symbol);
  }

  market(e: MarketEvent): void {
    if (e.type === "funding") this.fundingRate.set(e.symbol, e.ratePerHour);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    if (e.type === "book" || e.type === "bbo")
      this.emit({ kind: "book", symbol: e.symbol, full: e.type === "book" && e.snapshot });
    else this.emit({ kind: "mark", symbol: e.symbol });
  }

  /** Place an order; a refusal is the core's reason and message. */
  place(
    o: Omit<AsOrderRecord, "orderId" | "filledLots" | "filledQuote" | "status" | "time" | "updateTime">,
  ): { order: AsOrderRecord } | { reason: string; message: string } {
    const now = this.clock.now();
    const rec: AsOrderRecord = {
      ...o,
      orderId: this.nextOrderId++,
      filledLots: 0,
      filledQuote: 0,
      status: "NEW",
      time: now,
      updateTime: now,
    };
    const req: OrderRequest = {
      clientOrderId: String(rec.orderId),
      account: o.account,
      symbol: o.symbol,
      side: o.side === "BUY" ? "buy" : "sell",
      type: "limit",
      priceTicks: o.priceTicks,
      sizeLots: o.lots,
      tif: o.timeInForce === "GTX" ? "post_only" : o.timeInForce === "IOC" ? "ioc" : "gtc",
      reduceOnly: o.reduceOnly,
    };
    this.orders.set(rec.orderId, rec);
    const out = this.exchange.submit(req, now, undefined);
    if (out.rejectReason !== undefined) {
      this.orders.delete(rec.orderId);
      return { reason: out.rejectReason, message: out.rejectMessage ?? out.rejectReason };
    }
    this.absorb(out.events);
    this.emit({ kind: "book", symbol: o.symbol });
    return { order: rec };
  }

  cancel(rec: AsOrderRecord): boolean {
    if (!isOpen(rec)) return false;
    this.absorb(this.exchange.cancel(rec.account, rec.symbol, String(rec.orderId), this.clock.now()));
    return true;
  }

  openOrders(account: string): AsOrderRecord[] {
    return [...this.orders.values()].filter((o) => o.account === account && isOpen(o));
  }

  /** The newest order of the account with this client id (open orders' ids are unique). */
  byClientId(account: string, symbol: string, clientOrderId: string): AsOrderRecord | undefined {
    let found: AsOrderRecord | undefined;
    for (const o of this.orders.values())
      if (o.account === account && o.symbol === symbol && o.clientOrderId === clientOrderId) found = o;
    return found;
  }

  emit(e: EngineEvent): void {
    this.#pending.push(e);
  }

  drain(): EngineEvent[] {
    const out = this.#pending;
    this.#pending = [];
    return out;
  }

  /** The core's events as the venue's records and stream events. */
  absorb(events: readonly VenueEvent[]): void {
    const now = this.clock.now();
    for (const e of events) {
      switch (e.type) {
        case "ack": {
          const o = this.orders.get(Number(e.clientOrderId));
          if (o) this.emit({ kind: "order", account: o.account, x: "NEW", order: o, at: snap(o) });
          break;
        }
        case "fill": {
          const f = e.fill;
          const o = this.orders.get(Number(f.clientOrderId));
          if (!o) break;
          const inst = this.instruments.get(f.symbol)!;
          o.filledLots += f.sizeLots;
          o.filledQuote += inst.sizeValue(f.sizeLots) * inst.priceValue(f.priceTicks);
          o.status = e.remainingLots === 0 ? "FILLED" : "PARTIALLY_FILLED";
          o.updateTime = e.ts;
          const rec: AsFillRecord = {
            id: this.nextTrade++,
            order: o,
            priceTicks: f.priceTicks,
            lots: f.sizeLots,
            commission: moneyText(f.fee),
            realizedPnl: moneyText(f.realisedPnl),
            maker: f.liquidity === "maker",
            time: e.ts,
          };
          const list = this.fills.get(o.account) ?? [];
          this.fills.set(o.account, list);
          list.push(rec);
          this.emit({ kind: "order", account: o.account, x: "TRADE", order: o, at: snap(o), fill: rec });
          this.emit({ kind: "trade", symbol: f.symbol, fill: rec });
          this.emit({ kind: "account", account: o.account, reason: "ORDER" });
          break;
        }
        case "canceled": {
          const o = this.orders.get(Number(e.clientOrderId));
          if (!o) break;
          const expired = e.reason === "ioc_remainder";
          o.status = expired ? "EXPIRED" : "CANCELED";
          o.updateTime = now;
          this.emit({ kind: "order", account: o.account, x: o.status, order: o, at: snap(o) });
          break;
        }
        case "funding": {
          const list = this.income.get(e.account) ?? [];
          this.income.set(e.account, list);
          list.push({ tranId: this.nextTran++, symbol: e.symbol, income: moneyText(e.amount), time: e.ts });
          this.emit({ kind: "account", account: e.account, reason: "FUNDING_FEE" });
          break;
        }
        case "liquidation":
          this.emit({ kind: "account", account: e.account, reason: "ORDER" });
          break;
        default:
          break;
      }
    }
  }
}

export function isOpen(o: AsOrderRecord): boolean {
  return o.status === "NEW" || o.status === "PARTIALLY_FILLED";
}

const snap = (o: AsOrderRecord): OrderSnapshot => ({
  filledLots: o.filledLots,
  filledQuote: o.filledQuote,
  status: o.status,
});
