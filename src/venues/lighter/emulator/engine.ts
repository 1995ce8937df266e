/**
 * The Lighter emulator's exchange: accounts (index, L1 address, API keys with their registered
 * public key and next nonce), order and trade records, and the transactions the sequencer
 * queued, over the simulated exchange core (`../../sim/exchange.ts`). The core knows an account
 * by its index as text and an order by its order index; client order indexes live here.
 */
import type { Clock } from "../../../core/clock.ts";
import type { Instrument } from "../../../core/instrument.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { moneyText } from "../../../core/money.ts";
import type { OrderRequest } from "../../../core/types.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";

export const VENUE_ID = "lighter-emulator";

/** One perp market as orderBookDetails lists it. */
export interface MarketSpec {
  readonly marketId: number;
  readonly symbol: string;
  readonly sizeDecimals: number;
  readonly priceDecimals: number;
  readonly minBase: string;
  /** ×1e-4: 500 = 5 % (20x) */
  readonly imf: number;
  readonly mmf: number;
  readonly markPx: number;
}

export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  {
    marketId: 0,
    symbol: "ETH",
    sizeDecimals: 4,
    priceDecimals: 2,
    minBase: "0.0050",
    imf: 500,
    mmf: 120,
    markPx: 3000,
  },
  {
    marketId: 1,
    symbol: "BTC",
    sizeDecimals: 5,
    priceDecimals: 1,
    minBase: "0.00020",
    imf: 500,
    mmf: 120,
    markPx: 60_000,
  },
];

export interface ApiKeyRecord {
  publicKey: string;
  nextNonce: number;
}

export interface AccountRecord {
  readonly index: number;
  readonly l1Address: string;
  readonly keys: Map<number, ApiKeyRecord>;
  /** notional traded (USD), what the emulator's points follow */
  volumeUsd: number;
}

export type OrderStatus =
  | "open"
  | "filled"
  | "canceled"
  | "canceled-post-only"
  | "canceled-reduce-only"
  | "canceled-margin-not-allowed"
  | "canceled-expired";

export interface LtOrderRecord {
  readonly orderIndex: number;
  readonly clientOrderIndex: number;
  readonly account: number;
  readonly market: MarketSpec;
  readonly isAsk: boolean;
  /** "immediate-or-cancel" | "good-till-time" | "post-only" */
  readonly timeInForce: string;
  readonly reduceOnly: boolean;
  readonly priceTicks: number;
  readonly lots: number;
  readonly nonce: number;
  readonly orderExpiry: number;
  filledLots: number;
  filledQuote: number;
  status: OrderStatus;
  readonly timestamp: number;
}

export interface LtTradeRecord {
  readonly tradeId: number;
  readonly market: MarketSpec;
  readonly order: LtOrderRecord;
  readonly priceTicks: number;
  readonly lots: number;
  readonly isMaker: boolean;
  readonly timestamp: number;
}

export interface LtFundingRecord {
  readonly timestamp: number;
  readonly market: MarketSpec;
  readonly change: string;
  /** percent of the interval (an hour) */
  readonly ratePercent: string;
  readonly positionSize: string;
  readonly side: "long" | "short";
}

export interface TxRecord {
  readonly hash: string;
  readonly type: number;
  readonly info: string;
  readonly account: number;
  readonly apiKeyIndex: number;
  readonly nonce: number;
  /** 1 pending (queued), 2 executed, 3 failed */
  status: 1 | 2 | 3;
  error?: string;
  readonly queuedAt: number;
}

export type EngineEvent =
  /** `at`: the order as it stood at this event (several can queue before a flush) */
  | {
      kind: "order";
      account: number;
      order: LtOrderRecord;
      at: Pick<LtOrderRecord, "status" | "filledLots" | "filledQuote">;
    }
  | { kind: "trade"; trade: LtTradeRecord }
  | { kind: "position"; account: number; marketId: number }
  /** full: the book was replaced (every level is re-sent), else only the changed levels */
  | { kind: "book"; marketId: number; full?: boolean }
  | { kind: "stats"; marketId: number };

const FIRST_ORDER_INDEX = 2 ** 48;

export class LtEngine extends SimCoreEngine<MarketSpec> {
  readonly byId = new Map<number, MarketSpec>();
  readonly accounts = new Map<number, AccountRecord>();
  readonly orders = new Map<number, LtOrderRecord>();
  readonly trades: LtTradeRecord[] = [];
  readonly funding = new Map<number, LtFundingRecord[]>();
  readonly txs = new Map<string, TxRecord>();
  readonly fundingRate = new Map<number, number>();
  nextOrderIndex = FIRST_ORDER_INDEX;
  nextAccountIndex = 100;
  nextTradeId = 1;
  #pending: EngineEvent[] = [];

  constructor(markets: readonly MarketSpec[], clock: Clock) {
    super(
      VENUE_ID,
      clock,
      markets,
      (m) => ({
        base: m.symbol,
        quote: "USDC",
        tickSize: (10 ** -m.priceDecimals).toFixed(m.priceDecimals),
        lotSize: (10 ** -m.sizeDecimals).toFixed(m.sizeDecimals),
        minNotionalUsd: 0,
        maxLeverage: Math.floor(10_000 / m.imf),
        fundingIntervalHours: 1,
        // standard accounts trade without fees (Ld "account types")
        makerFeeBps: 0,
        takerFeeBps: 0,
      }),
      (inst) => inst.spec.maxLeverage,
    );
    for (const m of markets) this.byId.set(m.marketId, m);
    this.seed(() => 0.0000125);
    this.drain();
  }

  inst(m: MarketSpec): Instrument {
    return this.instruments.get(m.symbol)!;
  }

  marketOf(symbol: string): MarketSpec | undefined {
    return this.markets.find((m) => m.symbol === symbol);
  }

  createAccount(l1Address: string): AccountRecord {
    const a: AccountRecord = { index: this.nextAccountIndex++, l1Address, keys: new Map(), volumeUsd: 0 };
    this.accounts.set(a.index, a);
    return a;
  }

  market(e: MarketEvent): void {
    const m = this.marketOf(e.symbol);
    if (m === undefined) return;
    if (e.type === "funding") this.fundingRate.set(m.marketId, e.ratePerHour);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    if (e.type === "book" || e.type === "bbo")
      this.emit({ kind: "book", marketId: m.marketId, full: e.type === "book" && e.snapshot });
    else this.emit({ kind: "stats", marketId: m.marketId });
  }

  /** Execute a CreateOrder the sequencer took; a refusal by the core ends the order canceled-<why>. */
  place(
    o: Omit<LtOrderRecord, "orderIndex" | "filledLots" | "filledQuote" | "status" | "timestamp">,
  ): LtOrderRecord {
    const rec: LtOrderRecord = {
      ...o,
      orderIndex: this.nextOrderIndex++,
      filledLots: 0,
      filledQuote: 0,
      status: "open",
      timestamp: this.clock.now(),
    };
    this.orders.set(rec.orderIndex, rec);
    const req: OrderRequest = {
      clientOrderId: String(rec.orderIndex),
      account: String(o.account),
      symbol: o.market.symbol,
      side: o.isAsk ? "sell" : "buy",
      type: "limit",
      priceTicks: o.priceTicks,
      sizeLots: o.lots,
      tif:
        o.timeInForce === "post-only" ? "post_only" : o.timeInForce === "immediate-or-cancel" ? "ioc" : "gtc",
      reduceOnly: o.reduceOnly,
    };
    const out = this.exchange.submit(req, this.clock.now(), undefined);
    if (out.rejectReason !== undefined) {
      rec.status =
        out.rejectReason === "post_only_would_cross"
          ? "canceled-post-only"
          : out.rejectReason === "reduce_only_would_increase"
            ? "canceled-reduce-only"
            : "canceled-margin-not-allowed";
      this.#orderChanged(rec);
      return rec;
    }
    this.#orderChanged(rec);
    this.absorb(out.events);
    this.emit({ kind: "book", marketId: o.market.marketId });
    return rec;
  }

  cancel(rec: LtOrderRecord): boolean {
    if (rec.status !== "open") return false;
    this.absorb(
      this.exchange.cancel(String(rec.account), rec.market.symbol, String(rec.orderIndex), this.clock.now()),
    );
    return true;
  }

  openOrders(account: number): LtOrderRecord[] {
    return [...this.orders.values()].filter((o) => o.account === account && o.status === "open");
  }

  emit(e: EngineEvent): void {
    this.#pending.push(e);
  }

  #orderChanged(o: LtOrderRecord): void {
    this.emit({
      kind: "order",
      account: o.account,
      order: o,
      at: { status: o.status, filledLots: o.filledLots, filledQuote: o.filledQuote },
    });
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
        case "fill": {
          const f = e.fill;
          const o = this.orders.get(Number(f.clientOrderId));
          if (!o) break;
          const inst = this.inst(o.market);
          o.filledLots += f.sizeLots;
          const quote = inst.sizeValue(f.sizeLots) * inst.priceValue(f.priceTicks);
          o.filledQuote += quote;
          if (e.remainingLots === 0) o.status = "filled";
          const acct = this.accounts.get(o.account);
          if (acct) acct.volumeUsd += quote;
          const t: LtTradeRecord = {
            tradeId: this.nextTradeId++,
            market: o.market,
            order: o,
            priceTicks: f.priceTicks,
            lots: f.sizeLots,
            isMaker: f.liquidity === "maker",
            timestamp: e.ts,
          };
          this.trades.push(t);
          this.#orderChanged(o);
          this.emit({ kind: "trade", trade: t });
          this.emit({ kind: "position", account: o.account, marketId: o.market.marketId });
          break;
        }
        case "canceled": {
          const o = this.orders.get(Number(e.clientOrderId));
          if (!o) break;
          o.status = "canceled";
          this.#orderChanged(o);
          break;
        }
        case "funding": {
          const m = this.marketOf(e.symbol);
          if (m === undefined) break;
          const account = Number(e.account);
          const pos = this.exchange.state.position(e.account, e.symbol);
          const lots = pos?.sizeLots ?? 0;
          const list = this.funding.get(account) ?? [];
          this.funding.set(account, list);
          list.push({
            timestamp: e.ts,
            market: m,
            change: moneyText(e.amount),
            ratePercent: String(e.ratePerHour * 100),
            positionSize: this.inst(m).sizeText(Math.abs(lots)),
            side: lots < 0 ? "short" : "long",
          });
          this.emit({ kind: "position", account, marketId: m.marketId });
          break;
        }
        case "liquidation": {
          const m = this.marketOf(e.symbol);
          if (m) this.emit({ kind: "position", account: Number(e.account), marketId: m.marketId });
          break;
        }
        default:
          break;
      }
    }
  }
}
