/**
 * The GRVT emulator's exchange: the venue's order records (order ids, client order ids, state
 * with book/traded sizes) on top of the kit's simulated exchange core (`../../kit/sim-core.ts`:
 * matching against the market book, margin, funding, liquidation). Accounts are trading
 * sub-account ids; the core knows each order by the venue's order id. Every change is queued as
 * an EngineEvent for the sockets (drain()).
 */
import type { Clock } from "../../../core/clock.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { moneyText } from "../../../core/money.ts";
import type { OrderRequest } from "../../../core/types.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";

export const VENUE_ID = "grvt-emulator";

/** One perpetual of the emulated venue, as all_instruments lists it. */
export interface GrvtMarketSpec {
  /** the instrument name, e.g. "BTC_USDT_Perp" */
  readonly symbol: string;
  readonly hash: string;
  readonly base: string;
  readonly baseDecimals: number;
  readonly tickSize: string;
  readonly minSize: string;
  readonly minNotional: string;
  readonly fundingIntervalHours: number;
  readonly maxLeverage: number;
  readonly markPx: number;
}

// BTC's hash and decimals as GRVT lists them (ccxt js/src/grvt.js fetchMarkets sample, grvt-pysdk
// tests); ETH's hash is this emulator's own (any distinct value works: it is only signed over)
export const DEFAULT_MARKETS: readonly GrvtMarketSpec[] = [
  {
    symbol: "BTC_USDT_Perp",
    hash: "0x030501",
    base: "BTC",
    baseDecimals: 9,
    tickSize: "0.1",
    minSize: "0.001",
    minNotional: "10.0",
    fundingIntervalHours: 8,
    maxLeverage: 50,
    markPx: 90_000,
  },
  {
    symbol: "ETH_USDT_Perp",
    hash: "0x030401",
    base: "ETH",
    baseDecimals: 9,
    tickSize: "0.01",
    minSize: "0.01",
    minNotional: "10.0",
    fundingIntervalHours: 8,
    maxLeverage: 50,
    markPx: 3_000,
  },
];

export type GrvtStatus = "PENDING" | "OPEN" | "FILLED" | "REJECTED" | "CANCELLED";

export interface GrvtOrderRecord {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly subAccountId: string;
  readonly instrument: string;
  readonly isBuy: boolean;
  readonly isMarket: boolean;
  readonly timeInForce: string;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  /** the wire leg as sent (size and price text) */
  readonly size: string;
  readonly limitPrice: string | null;
  readonly lots: number;
  readonly priceTicks: number;
  readonly signature: Readonly<Record<string, unknown>>;
  filledLots: number;
  filledQuote: number;
  status: GrvtStatus;
  readonly createdAt: number;
  updatedAt: number;
}

export interface GrvtFillRecord {
  readonly tradeId: string;
  readonly order: GrvtOrderRecord;
  readonly priceTicks: number;
  readonly lots: number;
  readonly fee: string;
  readonly isTaker: boolean;
  readonly ts: number;
}

export interface GrvtFundingRecord {
  readonly instrument: string;
  readonly amount: string;
  readonly ts: number;
}

export type EngineEvent =
  | { kind: "order"; order: GrvtOrderRecord; snapshot: Record<string, unknown> }
  | { kind: "fill"; fill: GrvtFillRecord }
  | { kind: "position"; subAccountId: string; instrument: string }
  | { kind: "book"; instrument: string }
  /** mark or funding rate changed */
  | { kind: "ticker"; instrument: string };

export class GrvtEngine extends SimCoreEngine<GrvtMarketSpec> {
  readonly orders = new Map<string, GrvtOrderRecord>();
  readonly fills = new Map<string, GrvtFillRecord[]>();
  readonly funding = new Map<string, GrvtFundingRecord[]>();
  readonly fundingRate = new Map<string, number>();
  /** render an order as the venue shows it (payloads.ts), captured when the event is queued */
  render: (o: GrvtOrderRecord) => Record<string, unknown> = () => ({});
  #nextId = 0x0101010503e69341n << 64n;
  #nextTrade = 65_424_692;
  #pending: EngineEvent[] = [];

  constructor(markets: readonly GrvtMarketSpec[], clock: Clock) {
    super(
      VENUE_ID,
      clock,
      markets,
      (m) => ({
        base: m.base,
        quote: "USDT",
        tickSize: m.tickSize,
        lotSize: m.minSize,
        minNotionalUsd: Number(m.minNotional),
        maxLeverage: m.maxLeverage,
        fundingIntervalHours: m.fundingIntervalHours,
        makerFeeBps: -1,
        takerFeeBps: 5.5,
      }),
      (inst) => Math.min(10, inst.spec.maxLeverage),
    );
    // 0.01 % per 8 h interval
    this.seed((m) => 0.0001 / m.fundingIntervalHours);
    this.drain();
  }

  inst(instrument: string): Instrument | undefined {
    return this.instruments.get(instrument);
  }

  market(e: MarketEvent): void {
    if (e.type === "funding") this.fundingRate.set(e.symbol, e.ratePerHour);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    if (e.type === "book" || e.type === "bbo") this.emit({ kind: "book", instrument: e.symbol });
    else this.emit({ kind: "ticker", instrument: e.symbol });
  }

  /** Place an order; a refusal is the core's reason and message. */
  place(
    o: Omit<GrvtOrderRecord, "orderId" | "filledLots" | "filledQuote" | "status" | "createdAt" | "updatedAt">,
  ): { order: GrvtOrderRecord } | { reason: string; message: string } {
    const orderId = `0x${(this.#nextId++).toString(16).padStart(32, "0")}`;
    const now = this.clock.now();
    const rec: GrvtOrderRecord = {
      ...o,
      orderId,
      filledLots: 0,
      filledQuote: 0,
      status: "PENDING",
      createdAt: now,
      updatedAt: now,
    };
    const req: OrderRequest = {
      clientOrderId: orderId,
      account: o.subAccountId,
      symbol: o.instrument,
      side: o.isBuy ? "buy" : "sell",
      type: o.isMarket ? "market" : "limit",
      priceTicks: o.priceTicks,
      sizeLots: o.lots,
      tif: o.postOnly ? "post_only" : o.timeInForce === "GOOD_TILL_TIME" ? "gtc" : "ioc",
      reduceOnly: o.reduceOnly,
    };
    this.orders.set(orderId, rec);
    const out = this.exchange.submit(req, now, undefined);
    if (out.rejectReason !== undefined) {
      this.orders.delete(orderId);
      return { reason: out.rejectReason, message: out.rejectMessage ?? out.rejectReason };
    }
    this.absorb(out.events);
    this.emit({ kind: "book", instrument: o.instrument });
    return { order: rec };
  }

  cancel(rec: GrvtOrderRecord): boolean {
    if (rec.status !== "OPEN" && rec.status !== "PENDING") return false;
    this.absorb(this.exchange.cancel(rec.subAccountId, rec.instrument, rec.orderId, this.clock.now()));
    return true;
  }

  openOrders(subAccountId: string): GrvtOrderRecord[] {
    return [...this.orders.values()].filter(
      (o) => o.subAccountId === subAccountId && (o.status === "OPEN" || o.status === "PENDING"),
    );
  }

  byClientId(subAccountId: string, clientOrderId: string): GrvtOrderRecord | undefined {
    let found: GrvtOrderRecord | undefined;
    for (const o of this.orders.values())
      if (o.subAccountId === subAccountId && o.clientOrderId === clientOrderId) found = o;
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

  #orderEvent(o: GrvtOrderRecord): void {
    o.updatedAt = this.clock.now();
    this.emit({ kind: "order", order: o, snapshot: this.render(o) });
  }

  /** The core's events as the venue's records and stream events. */
  absorb(events: readonly VenueEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case "ack": {
          const o = this.orders.get(e.clientOrderId);
          if (o === undefined) break;
          o.status = "OPEN";
          this.#orderEvent(o);
          break;
        }
        case "fill": {
          const f = e.fill;
          const o = this.orders.get(f.clientOrderId);
          if (o === undefined) break;
          const inst = this.instruments.get(f.symbol) as Instrument;
          o.filledLots += f.sizeLots;
          o.filledQuote += inst.sizeValue(f.sizeLots) * inst.priceValue(f.priceTicks);
          if (e.remainingLots === 0) o.status = "FILLED";
          const rec: GrvtFillRecord = {
            tradeId: `${this.#nextTrade++}-1`,
            order: o,
            priceTicks: f.priceTicks,
            lots: f.sizeLots,
            fee: moneyText(f.fee),
            isTaker: f.liquidity !== "maker",
            ts: e.ts,
          };
          const list = this.fills.get(o.subAccountId) ?? [];
          this.fills.set(o.subAccountId, list);
          list.push(rec);
          this.#orderEvent(o);
          this.emit({ kind: "fill", fill: rec });
          this.emit({ kind: "position", subAccountId: o.subAccountId, instrument: f.symbol });
          break;
        }
        case "canceled": {
          const o = this.orders.get(e.clientOrderId);
          if (o === undefined) break;
          o.status = "CANCELLED";
          this.#orderEvent(o);
          break;
        }
        case "funding": {
          const list = this.funding.get(e.account) ?? [];
          this.funding.set(e.account, list);
          list.push({ instrument: e.symbol, amount: moneyText(e.amount), ts: e.ts });
          this.emit({ kind: "position", subAccountId: e.account, instrument: e.symbol });
          break;
        }
        case "liquidation":
          this.emit({ kind: "position", subAccountId: e.account, instrument: e.symbol });
          break;
        default:
          break;
      }
    }
  }
}
