/**
 * The Backpack emulator's exchange: the venue's order records and streams on top of the simulated
 * exchange core (`../../sim/exchange.ts`: matching against the market book, margin, funding,
 * liquidation). Accounts are API keys (base64 ed25519 public keys). The core knows each order by
 * the venue's order id; the client's `clientId` lives in the record here. Every change is queued
 * as an EngineEvent for the sockets (drain()).
 */
import type { Clock } from "../../../core/clock.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { moneyText } from "../../../core/money.ts";
import type { OrderRequest } from "../../../core/types.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";

export const VENUE_ID = "backpack-emulator";

/** One market of the emulated venue, as /api/v1/markets lists it. */
export interface MarketSpec {
  readonly symbol: string;
  readonly base: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQuantity: string;
  /** base initial margin fraction (1 / max leverage) */
  readonly imf: string;
  readonly fundingIntervalMs: number;
  readonly markPx: number;
  readonly fundingRate?: number;
}

export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  {
    symbol: "BTC_USDC_PERP",
    base: "BTC",
    tickSize: "0.1",
    stepSize: "0.00001",
    minQuantity: "0.00001",
    imf: "0.02",
    fundingIntervalMs: 3_600_000,
    markPx: 60_000,
  },
  {
    symbol: "ETH_USDC_PERP",
    base: "ETH",
    tickSize: "0.01",
    stepSize: "0.0001",
    minQuantity: "0.0001",
    imf: "0.02",
    fundingIntervalMs: 3_600_000,
    markPx: 3_000,
  },
  {
    symbol: "SOL_USDC_PERP",
    base: "SOL",
    tickSize: "0.01",
    stepSize: "0.01",
    minQuantity: "0.01",
    imf: "0.05",
    fundingIntervalMs: 3_600_000,
    markPx: 150,
  },
];

export interface BpOrderRecord {
  readonly id: string;
  readonly clientId: number | undefined;
  readonly account: string;
  readonly symbol: string;
  readonly side: "Bid" | "Ask";
  readonly timeInForce: "GTC" | "IOC";
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly priceTicks: number;
  readonly lots: number;
  filledLots: number;
  filledQuote: number;
  status: "New" | "PartiallyFilled" | "Filled" | "Cancelled" | "Expired";
  readonly createdAt: number;
}

export interface BpFillRecord {
  readonly tradeId: number;
  readonly order: BpOrderRecord;
  readonly priceTicks: number;
  readonly lots: number;
  readonly fee: string;
  readonly isMaker: boolean;
  readonly ts: number;
}

export interface BpFundingRecord {
  readonly symbol: string;
  readonly quantity: string;
  readonly fundingRate: string;
  readonly ts: number;
}

export interface OrderSnapshot {
  readonly filledLots: number;
  readonly filledQuote: number;
  readonly status: BpOrderRecord["status"];
}

const snap = (o: BpOrderRecord): OrderSnapshot => ({
  filledLots: o.filledLots,
  filledQuote: o.filledQuote,
  status: o.status,
});

export type EngineEvent =
  /** `at`: the order as it stood right after this event (several can queue before a flush) */
  | {
      kind: "order";
      account: string;
      e: string;
      order: BpOrderRecord;
      at: OrderSnapshot;
      fill?: BpFillRecord;
    }
  | { kind: "position"; account: string; symbol: string }
  | { kind: "trade"; symbol: string; fill: BpFillRecord }
  /** full: the book was replaced (every level is re-sent), else only the changed levels */
  | { kind: "book"; symbol: string; full?: boolean }
  | { kind: "mark"; symbol: string };

export class BpEngine extends SimCoreEngine<MarketSpec> {
  readonly orders = new Map<string, BpOrderRecord>();
  readonly fills = new Map<string, BpFillRecord[]>();
  readonly funding = new Map<string, BpFundingRecord[]>();
  readonly fundingRate = new Map<string, number>();
  readonly leverage = new Map<string, number>();
  nextId = 111_000_000_000_000_000n;
  nextTrade = 1;
  #pending: EngineEvent[] = [];

  constructor(markets: readonly MarketSpec[], clock: Clock) {
    super(
      VENUE_ID,
      clock,
      markets,
      (m) => ({
        base: m.base,
        quote: "USDC",
        tickSize: m.tickSize,
        lotSize: m.stepSize,
        minNotionalUsd: 0,
        maxLeverage: Math.floor(1 / Number(m.imf)),
        fundingIntervalHours: m.fundingIntervalMs / 3_600_000,
        makerFeeBps: 2,
        takerFeeBps: 5,
      }),
      // an account's leverage limit (PATCH /api/v1/account) applies to every market; default 10
      (inst) => Math.min(10, inst.spec.maxLeverage),
    );
    this.seed((m) => (m.fundingRate ?? 0.0000125) / (m.fundingIntervalMs / 3_600_000));
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

  /** Place an order; a refusal is [reason, message] (the core's reason names). */
  place(
    o: Omit<BpOrderRecord, "id" | "filledLots" | "filledQuote" | "status" | "createdAt">,
  ): { order: BpOrderRecord } | { reason: string; message: string } {
    const id = String(this.nextId++);
    const rec: BpOrderRecord = {
      ...o,
      id,
      filledLots: 0,
      filledQuote: 0,
      status: "New",
      createdAt: this.clock.now(),
    };
    const req: OrderRequest = {
      clientOrderId: id,
      account: o.account,
      symbol: o.symbol,
      side: o.side === "Bid" ? "buy" : "sell",
      type: "limit",
      priceTicks: o.priceTicks,
      sizeLots: o.lots,
      tif: o.postOnly ? "post_only" : o.timeInForce === "IOC" ? "ioc" : "gtc",
      reduceOnly: o.reduceOnly,
    };
    this.orders.set(id, rec);
    const out = this.exchange.submit(req, this.clock.now(), undefined);
    if (out.rejectReason !== undefined) {
      this.orders.delete(id);
      return { reason: out.rejectReason, message: out.rejectMessage ?? out.rejectReason };
    }
    this.absorb(out.events);
    this.emit({ kind: "book", symbol: o.symbol });
    return { order: rec };
  }

  cancel(rec: BpOrderRecord): boolean {
    if (rec.status !== "New" && rec.status !== "PartiallyFilled") return false;
    this.absorb(this.exchange.cancel(rec.account, rec.symbol, rec.id, this.clock.now()));
    return true;
  }

  openOrders(account: string): BpOrderRecord[] {
    return [...this.orders.values()].filter(
      (o) => o.account === account && (o.status === "New" || o.status === "PartiallyFilled"),
    );
  }

  byClientId(account: string, clientId: number): BpOrderRecord | undefined {
    let found: BpOrderRecord | undefined;
    for (const o of this.orders.values()) if (o.account === account && o.clientId === clientId) found = o;
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
    for (const e of events) {
      switch (e.type) {
        case "ack": {
          const o = this.orders.get(e.clientOrderId);
          if (o) this.emit({ kind: "order", account: o.account, e: "orderAccepted", order: o, at: snap(o) });
          break;
        }
        case "fill": {
          const f = e.fill;
          const o = this.orders.get(f.clientOrderId);
          if (!o) break;
          const inst = this.instruments.get(f.symbol)!;
          o.filledLots += f.sizeLots;
          o.filledQuote += inst.sizeValue(f.sizeLots) * inst.priceValue(f.priceTicks);
          o.status = e.remainingLots === 0 ? "Filled" : "PartiallyFilled";
          const rec: BpFillRecord = {
            tradeId: this.nextTrade++,
            order: o,
            priceTicks: f.priceTicks,
            lots: f.sizeLots,
            fee: moneyText(f.fee),
            isMaker: f.liquidity === "maker",
            ts: e.ts,
          };
          const list = this.fills.get(o.account) ?? [];
          this.fills.set(o.account, list);
          list.push(rec);
          this.emit({ kind: "order", account: o.account, e: "orderFill", order: o, at: snap(o), fill: rec });
          this.emit({ kind: "trade", symbol: f.symbol, fill: rec });
          this.emit({ kind: "position", account: o.account, symbol: f.symbol });
          break;
        }
        case "canceled": {
          const o = this.orders.get(e.clientOrderId);
          if (!o) break;
          const expired = e.reason === "ioc_remainder";
          o.status = expired ? "Expired" : "Cancelled";
          this.emit({
            kind: "order",
            account: o.account,
            e: expired ? "orderExpired" : "orderCancelled",
            order: o,
            at: snap(o),
          });
          break;
        }
        case "funding": {
          const inst = this.instruments.get(e.symbol)!;
          const list = this.funding.get(e.account) ?? [];
          this.funding.set(e.account, list);
          // the venue's rate is the interval's, not the hour's
          list.push({
            symbol: e.symbol,
            quantity: moneyText(e.amount),
            fundingRate: String(e.ratePerHour * inst.spec.fundingIntervalHours),
            ts: e.ts,
          });
          this.emit({ kind: "position", account: e.account, symbol: e.symbol });
          break;
        }
        case "liquidation":
          this.emit({ kind: "position", account: e.account, symbol: e.symbol });
          break;
        default:
          break;
      }
    }
  }
}
