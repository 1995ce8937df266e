/**
 * The Paradex emulator's exchange: Paradex's order, fill and funding-payment records on top of the
 * simulated exchange core (`../../sim/exchange.ts`: matching against the market book, margin,
 * funding, liquidation). The core knows each order by the venue's order id; the client's
 * `client_id` lives in the record. Paradex is asynchronous: `POST /orders` answers with the order
 * as received (`NEW`); it then reaches the book (`OPEN`) or is closed with a `cancel_reason` (a
 * refusal such as `NOT_ENOUGH_MARGIN` or `POST_ONLY_WOULD_CROSS` is a close, not an HTTP error:
 * ccxt@4.5.84 `paradex.js` parseOrder reads cancel_reason NOT_ENOUGH_MARGIN as "rejected").
 *
 * Funding accrues continuously: the core's instrument settles every `accrualMs` (a short step),
 * at the per-hour rate `funding_rate / funding_period_hours`, so each step pays its pro-rata
 * share, and a cumulative per-market `funding_index` (USD per unit of size) grows with it.
 */
import type { Clock } from "../../../core/clock.ts";
import type { MarketEvent } from "../../../core/market.ts";
import { moneyText } from "../../../core/money.ts";
import type { OrderRequest } from "../../../core/types.ts";
import type { VenueEvent } from "../../../core/venue.ts";
import { SimCoreEngine } from "../../kit/sim-core.ts";
import type { PdxFill, PdxFundingPayment, PdxMarket, PdxMarketSeed, PdxOrder } from "./state.ts";

export const VENUE_ID = "paradex-emulator";
/** default funding accrual step of the emulator (ms) */
export const DEFAULT_ACCRUAL_MS = 10_000;
/** fees the emulator charges, bps (Paradex API takers pay, makers do not) */
export const MAKER_FEE_BPS = 0;
export const TAKER_FEE_BPS = 2;

/** the core's refusal names → Paradex's cancel reasons */
const CLOSE_REASON: Readonly<Record<string, string>> = {
  post_only_would_cross: "POST_ONLY_WOULD_CROSS",
  reduce_only_would_increase: "REDUCE_ONLY_WILL_INCREASE",
  insufficient_margin: "NOT_ENOUGH_MARGIN",
  min_notional: "ORDER_SIZE_BELOW_MIN_NOTIONAL",
  user: "USER_CANCELED",
  ioc_remainder: "IOC_CANCEL",
  market_remainder: "IOC_CANCEL",
  reduce_only: "REDUCE_ONLY_WILL_INCREASE",
  liquidation: "IN_LIQUIDATION",
  self_trade: "SELF_TRADE",
};

export type EngineEvent =
  | { kind: "order"; order: PdxOrder }
  | { kind: "fill"; fill: PdxFill }
  | { kind: "payment"; payment: PdxFundingPayment }
  | { kind: "book"; market: string }
  | { kind: "mark"; market: string }
  | { kind: "funding"; market: string };

export class PdxEngine extends SimCoreEngine<PdxMarket & PdxMarketSeed> {
  readonly accrualMs: number;
  readonly orders = new Map<string, PdxOrder>();
  readonly fills = new Map<string, PdxFill[]>();
  readonly payments = new Map<string, PdxFundingPayment[]>();
  /** funding rate per funding period, by market */
  readonly fundingRate = new Map<string, number>();
  /** cumulative funding per unit of size (USD), by market */
  readonly fundingIndex = new Map<string, number>();
  #nextOrder = 1_700_000_000_000_000_000n;
  #nextFill = 1;
  #seq = 1;
  #pending: EngineEvent[] = [];

  constructor(
    markets: readonly PdxMarket[],
    seeds: Readonly<Record<string, PdxMarketSeed>>,
    clock: Clock,
    accrualMs = DEFAULT_ACCRUAL_MS,
  ) {
    const seeded = markets.map((m) => ({ ...m, ...(seeds[m.symbol] ?? { markPx: 100, fundingRate: 0 }) }));
    super(
      VENUE_ID,
      clock,
      seeded,
      (m) => ({
        base: m.base_currency,
        quote: m.quote_currency,
        tickSize: m.price_tick_size,
        lotSize: m.order_size_increment,
        minNotionalUsd: Number(m.min_notional),
        maxLeverage: Math.max(1, Math.floor(1 / Number(m.delta1_cross_margin_params.imf_base))),
        // the core settles each accrual step; the venue's period is m.funding_period_hours
        fundingIntervalHours: accrualMs / 3_600_000,
        makerFeeBps: MAKER_FEE_BPS,
        takerFeeBps: TAKER_FEE_BPS,
      }),
      (inst) => Math.min(10, inst.spec.maxLeverage),
    );
    this.accrualMs = accrualMs;
    for (const m of markets) this.fundingIndex.set(m.symbol, 0);
    this.seed((m) => m.fundingRate / m.funding_period_hours);
    this.drain();
  }

  marketOf(symbol: string): PdxMarket | undefined {
    return this.markets.find((m) => m.symbol === symbol);
  }

  market(e: MarketEvent): void {
    // the core's rate is per hour, the venue's per funding period
    if (e.type === "funding")
      this.fundingRate.set(e.symbol, e.ratePerHour * this.marketOf(e.symbol)!.funding_period_hours);
    this.absorb(this.exchange.onMarket(e, this.clock.now()));
    if (e.type === "book" || e.type === "bbo") this.emit({ kind: "book", market: e.symbol });
    else if (e.type === "mark") this.emit({ kind: "mark", market: e.symbol });
    else if (e.type === "funding") this.emit({ kind: "funding", market: e.symbol });
  }

  /** One accrual step passed: grow the index (the core's settlement pays the positions). */
  accrued(symbol: string, events: readonly VenueEvent[]): void {
    const m = this.marketOf(symbol)!;
    const mark = this.exchange.markOf(symbol);
    const step =
      (this.fundingRate.get(symbol) ?? 0) * mark * (this.accrualMs / (m.funding_period_hours * 3_600_000));
    this.fundingIndex.set(symbol, (this.fundingIndex.get(symbol) ?? 0) + step);
    this.absorb(events);
    this.emit({ kind: "funding", market: symbol });
  }

  /** Take an order as received; the core then books, fills or closes it. */
  place(o: {
    account: string;
    client_id: string;
    market: string;
    side: "BUY" | "SELL";
    type: "LIMIT" | "MARKET";
    instruction: "GTC" | "IOC" | "POST_ONLY";
    flags: string[];
    size: string;
    price: string;
  }): { received: PdxOrder; order: PdxOrder } {
    const now = this.clock.now();
    const inst = this.instruments.get(o.market)!;
    const rec: PdxOrder = {
      ...o,
      id: String(this.#nextOrder++),
      remaining_size: o.size,
      status: "NEW",
      cancel_reason: "",
      avg_fill_price: "",
      created_at: now,
      received_at: now,
      last_updated_at: now,
      timestamp: now,
      seq_no: this.#seq++,
    };
    this.orders.set(rec.id, rec);
    const received = { ...rec, flags: [...rec.flags] };
    const buy = o.side === "BUY";
    // a market order takes what the book has within the market's price band of the mark
    const band = 1 + (buy ? 1 : -1) * Number(this.marketOf(o.market)!.price_bands_width);
    const priceTicks =
      o.type === "MARKET"
        ? inst.roundPrice(this.exchange.markOf(o.market) * band, buy ? "sell" : "buy", "nearest")
        : inst.roundPrice(Number(o.price), "buy", "nearest");
    const req: OrderRequest = {
      clientOrderId: rec.id,
      account: o.account,
      symbol: o.market,
      side: buy ? "buy" : "sell",
      type: "limit",
      priceTicks,
      sizeLots: inst.roundSize(Number(o.size), "nearest"),
      tif:
        o.instruction === "POST_ONLY"
          ? "post_only"
          : o.instruction === "IOC" || o.type === "MARKET"
            ? "ioc"
            : "gtc",
      reduceOnly: o.flags.includes("REDUCE_ONLY"),
    };
    const out = this.exchange.submit(req, now, undefined);
    if (out.rejectReason !== undefined)
      this.close(rec, CLOSE_REASON[out.rejectReason] ?? "UNEXPECTED_FAILURE");
    else this.absorb(out.events);
    this.emit({ kind: "book", market: o.market });
    return { received, order: rec };
  }

  /** Queue a cancel (DELETE answers 204, the close follows); false when it is no longer open. */
  cancel(rec: PdxOrder): boolean {
    if (rec.status === "CLOSED") return false;
    this.absorb(this.exchange.cancel(rec.account, rec.market, rec.id, this.clock.now()));
    return true;
  }

  openOrders(account: string, market?: string): PdxOrder[] {
    return [...this.orders.values()].filter(
      (o) => o.account === account && o.status !== "CLOSED" && (market === undefined || o.market === market),
    );
  }

  byClientId(account: string, clientId: string): PdxOrder | undefined {
    let found: PdxOrder | undefined;
    for (const o of this.orders.values()) if (o.account === account && o.client_id === clientId) found = o;
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

  #touch(o: PdxOrder): void {
    o.last_updated_at = this.clock.now();
    o.seq_no = this.#seq++;
    this.emit({ kind: "order", order: { ...o, flags: [...o.flags] } });
  }

  close(o: PdxOrder, reason: string): void {
    o.status = "CLOSED";
    o.cancel_reason = reason;
    this.#touch(o);
  }

  /** The core's events as Paradex's records and stream events. */
  absorb(events: readonly VenueEvent[]): void {
    for (const e of events) {
      if (e.type === "ack") {
        const o = this.orders.get(e.clientOrderId);
        if (o !== undefined && o.status === "NEW") {
          o.status = "OPEN";
          this.#touch(o);
        }
      } else if (e.type === "fill") this.#fill(e.fill, e.remainingLots, e.ts);
      else if (e.type === "canceled") {
        const o = this.orders.get(e.clientOrderId);
        if (o !== undefined) this.close(o, CLOSE_REASON[e.reason] ?? "UNEXPECTED_FAILURE");
      } else if (e.type === "funding") this.#payment(e.account, e.symbol, e.amount, e.ts);
    }
  }

  #fill(f: Extract<VenueEvent, { type: "fill" }>["fill"], remainingLots: number, ts: number): void {
    const o = this.orders.get(f.clientOrderId);
    if (o === undefined) return;
    const inst = this.instruments.get(f.symbol)!;
    const size = inst.sizeValue(f.sizeLots);
    const price = inst.priceValue(f.priceTicks);
    const before = Number(o.size) - Number(o.remaining_size);
    const avg = o.avg_fill_price === "" ? 0 : Number(o.avg_fill_price);
    o.avg_fill_price = String((avg * before + price * size) / (before + size));
    o.remaining_size = inst.sizeText(remainingLots);
    if (o.status === "NEW") o.status = "OPEN";
    const fill: PdxFill = {
      id: `${ts}${String(this.#nextFill++).padStart(12, "0")}`,
      account: o.account,
      side: o.side,
      liquidity: f.liquidity === "maker" ? "MAKER" : "TAKER",
      market: o.market,
      order_id: o.id,
      price: inst.priceText(f.priceTicks),
      size: inst.sizeText(f.sizeLots),
      fee: moneyText(f.fee),
      fee_currency: "USDC",
      created_at: ts,
      remaining_size: o.remaining_size,
      client_id: o.client_id,
      fill_type: "FILL",
      realized_pnl: moneyText(f.realisedPnl),
    };
    const list = this.fills.get(o.account) ?? [];
    this.fills.set(o.account, list);
    list.push(fill);
    this.emit({ kind: "fill", fill });
    if (remainingLots === 0) this.close(o, "");
    else this.#touch(o);
  }

  #payment(account: string, market: string, amount: bigint, ts: number): void {
    const list = this.payments.get(account) ?? [];
    this.payments.set(account, list);
    const lastFill = (this.fills.get(account) ?? []).filter((f) => f.market === market).at(-1);
    const payment: PdxFundingPayment = {
      id: `${ts}${String(list.length + 1).padStart(8, "0")}`,
      account,
      market,
      payment: moneyText(amount),
      index: String(this.fundingIndex.get(market) ?? 0),
      fill_id: lastFill?.id ?? "",
      created_at: ts,
    };
    list.push(payment);
    this.emit({ kind: "payment", payment });
  }
}
