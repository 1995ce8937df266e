/**
 * The Extended emulator's exchange: the venue's order records on top of the simulated exchange
 * core (../../kit/sim-core.ts over ../../sim/exchange.ts: matching against the market book,
 * margin, funding, liquidation). Accounts are API keys; each has a collateral position (vault) and a Stark key.
 * The core knows an order by the venue's numeric id; the client's `id` (externalId) lives in the
 * record. Every change is queued as an EngineEvent for the sockets (drain()).
 */
import type { Clock } from "../../../core/clock.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { moneyText } from "../../../core/money.ts";
import type { OrderRequest } from "../../../core/types.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";

export const VENUE_ID = "extended-emulator";

/** One market as /info/markets lists it. */
export interface MarketSpec {
  /** the market's name ("BTC-USD") */
  readonly symbol: string;
  readonly asset: string;
  readonly minPriceChange: string;
  readonly minOrderSizeChange: string;
  readonly minOrderSize: string;
  readonly maxLeverage: number;
  readonly markPx: number;
  readonly syntheticId: string;
  readonly syntheticResolution: number;
}

export const COLLATERAL_ID = "0x1";
export const COLLATERAL_RESOLUTION = 1_000_000;

export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  {
    symbol: "BTC-USD",
    asset: "BTC",
    minPriceChange: "1",
    minOrderSizeChange: "0.00001",
    minOrderSize: "0.0001",
    maxLeverage: 50,
    markPx: 60_000,
    syntheticId: "0x4254432d3600000000000000000000",
    syntheticResolution: 1_000_000,
  },
  {
    symbol: "ETH-USD",
    asset: "ETH",
    minPriceChange: "0.1",
    minOrderSizeChange: "0.001",
    minOrderSize: "0.01",
    maxLeverage: 50,
    markPx: 3_000,
    syntheticId: "0x4554482d3400000000000000000000",
    syntheticResolution: 10_000,
  },
];

export type OrderStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELLED" | "EXPIRED" | "REJECTED";

export interface ExOrderRecord {
  readonly id: string;
  readonly externalId: string;
  readonly account: string;
  readonly market: string;
  readonly side: "BUY" | "SELL";
  readonly type: "LIMIT" | "MARKET";
  readonly timeInForce: "GTT" | "IOC";
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly priceTicks: number;
  readonly lots: number;
  readonly expiryEpochMillis: number;
  filledLots: number;
  filledQuote: number;
  paidFee: number;
  status: OrderStatus;
  readonly createdTime: number;
  updatedTime: number;
}

export interface ExFillRecord {
  readonly tradeId: number;
  readonly order: ExOrderRecord;
  readonly priceTicks: number;
  readonly lots: number;
  readonly fee: string;
  readonly isTaker: boolean;
  readonly ts: number;
}

export interface ExFundingRecord {
  readonly market: string;
  readonly side: "LONG" | "SHORT";
  readonly size: string;
  readonly markPrice: string;
  readonly fundingFee: string;
  readonly fundingRate: string;
  readonly paidTime: number;
}

export type EngineEvent =
  | { kind: "order"; account: string; order: ExOrderRecord; status: OrderStatus; filledLots: number }
  | { kind: "trade"; account: string; fill: ExFillRecord }
  | { kind: "position"; account: string; market: string }
  | { kind: "book"; market: string; full: boolean }
  | { kind: "mark"; market: string }
  | { kind: "funding"; market: string };

export class ExEngine extends SimCoreEngine<MarketSpec> {
  readonly orders = new Map<string, ExOrderRecord>();
  readonly fills = new Map<string, ExFillRecord[]>();
  readonly funding = new Map<string, ExFundingRecord[]>();
  readonly fundingRate = new Map<string, number>();
  /** `/user/rewards/earned` seasons a driver set per API key (else the volume rule, payloads.ts) */
  readonly rewards = new Map<string, readonly unknown[]>();
  nextId = 1_800_000_000_000;
  nextTrade = 1;
  #pending: EngineEvent[] = [];

  constructor(markets: readonly MarketSpec[], clock: Clock) {
    super(
      VENUE_ID,
      clock,
      markets,
      (m) => ({
        base: m.asset,
        quote: "USD",
        tickSize: m.minPriceChange,
        lotSize: m.minOrderSizeChange,
        minNotionalUsd: 0,
        maxLeverage: m.maxLeverage,
        fundingIntervalHours: 1,
        makerFeeBps: 0,
        takerFeeBps: 2.5,
      }),
      (inst) => Math.min(10, inst.spec.maxLeverage),
    );
    this.seed(() => 0.0000125);
    this.drain();
  }

  inst(market: string): Instrument | undefined {
    return this.instruments.get(market);
  }

  spec(market: string): MarketSpec | undefined {
    return this.markets.find((m) => m.symbol === market);
  }

  market(e: MarketEvent): void {
    if (e.type === "funding") this.fundingRate.set(e.symbol, e.ratePerHour);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    if (e.type === "book" || e.type === "bbo")
      this.emit({ kind: "book", market: e.symbol, full: e.type === "book" && e.snapshot });
    else if (e.type === "funding") this.emit({ kind: "funding", market: e.symbol });
    else this.emit({ kind: "mark", market: e.symbol });
  }

  byExternalId(account: string, externalId: string): ExOrderRecord | undefined {
    for (const o of this.orders.values()) if (o.account === account && o.externalId === externalId) return o;
    return undefined;
  }

  /** Place an order; a refusal is the core's reason and message. */
  place(
    o: Omit<
      ExOrderRecord,
      "id" | "filledLots" | "filledQuote" | "paidFee" | "status" | "createdTime" | "updatedTime"
    >,
  ): { order: ExOrderRecord } | { reason: string; message: string } {
    const id = String(this.nextId++);
    const now = this.clock.now();
    const rec: ExOrderRecord = {
      ...o,
      id,
      filledLots: 0,
      filledQuote: 0,
      paidFee: 0,
      status: "NEW",
      createdTime: now,
      updatedTime: now,
    };
    const req: OrderRequest = {
      clientOrderId: id,
      account: o.account,
      symbol: o.market,
      side: o.side === "BUY" ? "buy" : "sell",
      type: "limit",
      priceTicks: o.priceTicks,
      sizeLots: o.lots,
      tif: o.postOnly ? "post_only" : o.timeInForce === "IOC" ? "ioc" : "gtc",
      reduceOnly: o.reduceOnly,
    };
    this.orders.set(id, rec);
    const out = this.exchange.submit(req, now, undefined);
    if (out.rejectReason !== undefined) {
      this.orders.delete(id);
      return { reason: out.rejectReason, message: out.rejectMessage ?? out.rejectReason };
    }
    this.absorb(out.events);
    this.emit({ kind: "book", market: o.market, full: false });
    return { order: rec };
  }

  cancel(rec: ExOrderRecord): boolean {
    if (!isOpen(rec)) return false;
    this.absorb(this.exchange.cancel(rec.account, rec.market, rec.id, this.clock.now()));
    return true;
  }

  openOrders(account: string): ExOrderRecord[] {
    return [...this.orders.values()].filter((o) => o.account === account && isOpen(o));
  }

  emit(e: EngineEvent): void {
    this.#pending.push(e);
  }

  drain(): EngineEvent[] {
    const out = this.#pending;
    this.#pending = [];
    return out;
  }

  #orderEvent(o: ExOrderRecord): void {
    o.updatedTime = this.clock.now();
    this.emit({ kind: "order", account: o.account, order: o, status: o.status, filledLots: o.filledLots });
  }

  /** The core's events as the venue's records and stream events. */
  absorb(events: readonly VenueEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case "ack": {
          const o = this.orders.get(e.clientOrderId);
          if (o) this.#orderEvent(o);
          break;
        }
        case "fill": {
          const f = e.fill;
          const o = this.orders.get(f.clientOrderId);
          if (!o) break;
          const inst = this.instruments.get(f.symbol)!;
          o.filledLots += f.sizeLots;
          o.filledQuote += inst.sizeValue(f.sizeLots) * inst.priceValue(f.priceTicks);
          o.status = e.remainingLots === 0 ? "FILLED" : "PARTIALLY_FILLED";
          const rec: ExFillRecord = {
            tradeId: this.nextTrade++,
            order: o,
            priceTicks: f.priceTicks,
            lots: f.sizeLots,
            fee: moneyText(f.fee),
            isTaker: f.liquidity !== "maker",
            ts: e.ts,
          };
          o.paidFee += Number(rec.fee);
          const list = this.fills.get(o.account) ?? [];
          this.fills.set(o.account, list);
          list.push(rec);
          // the venue streams the trade before the order's new state (both on /account)
          this.emit({ kind: "trade", account: o.account, fill: rec });
          this.#orderEvent(o);
          this.emit({ kind: "position", account: o.account, market: f.symbol });
          break;
        }
        case "canceled": {
          const o = this.orders.get(e.clientOrderId);
          if (!o) break;
          o.status = e.reason === "ioc_remainder" ? "EXPIRED" : "CANCELLED";
          this.#orderEvent(o);
          break;
        }
        case "funding": {
          const pos = this.exchange.state.position(e.account, e.symbol);
          const inst = this.instruments.get(e.symbol)!;
          const list = this.funding.get(e.account) ?? [];
          this.funding.set(e.account, list);
          const lots = pos?.sizeLots ?? 0;
          list.push({
            market: e.symbol,
            side: lots >= 0 ? "LONG" : "SHORT",
            size: inst.sizeText(Math.abs(lots)),
            markPrice: String(this.exchange.markOf(e.symbol)),
            fundingFee: moneyText(e.amount),
            fundingRate: String(e.ratePerHour * e.hours),
            paidTime: e.ts,
          });
          this.emit({ kind: "position", account: e.account, market: e.symbol });
          break;
        }
        case "liquidation":
          this.emit({ kind: "position", account: e.account, market: e.symbol });
          break;
        default:
          break;
      }
    }
  }
}

export function isOpen(o: ExOrderRecord): boolean {
  return o.status === "NEW" || o.status === "PARTIALLY_FILLED";
}
