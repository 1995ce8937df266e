import { InvalidValueError } from "../../core/errors.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { MarketEvent, MutableBook } from "../../core/market.ts";
import type { OrderRequest } from "../../core/types.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { applyFill, type FillParams } from "./fills.ts";
import type { LiquidationContext } from "./liquidation.ts";
import { applyMarketEvent, type MarketSlot } from "./market-input.ts";
import { preTradeCheck } from "./pre-trade.ts";
import { type FillModel, QueuePositions } from "./queue.ts";
import { validate } from "./requests.ts";
import { RestingOrders } from "./resting.ts";
import type { LeverageSetting, OrderState, SimState } from "./state.ts";

export interface ExchangeConfig {
  readonly venueId: string;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly books: ReadonlyMap<string, MutableBook>;
  readonly defaultSetting: (inst: Instrument) => LeverageSetting;
  readonly liquidationFeeBps: number;
  /** looks an order up in durable history when this process has not seen it */
  readonly findStoredOrder: (account: string, clientOrderId: string) => OrderState | undefined;
  /** how resting orders fill (queue.ts); default "cross" */
  readonly fillModel?: FillModel;
}

/** What one submit did: the venue order id when accepted, the reason when refused. */
export interface SubmitOutcome {
  readonly events: VenueEvent[];
  readonly venueOrderId?: string;
  readonly rejectReason?: string;
  readonly rejectMessage?: string;
}

/**
 * The synchronous matching and ledger core of the simulated venue: no clock, no I/O, no promises.
 * SimVenue wraps it with latency, faults and persistence.
 *
 * Fill model (also in docs/simulator.md):
 * - A taker order walks the venue's current market book level by level up to its limit (the
 *   protection price of a market order) and consumes what it takes, until the feed next
 *   rewrites those levels.
 * - A resting order has no queue position: it fills in full at its own price as soon as the
 *   market book trades through it (best opposite price at or through the order's price), and
 *   up to the printed size when a trade prints at or through its price on its side.
 * - The simulated accounts' orders never match each other; each fill's other side is the
 *   market counterparty sink.
 * - With fillModel "queue" a resting order fills by trades only after the market size ahead of
 *   it at its price has traded (queue.ts has the rules); trading through still fills it in full.
 */
export class SimExchange implements LiquidationContext {
  readonly config: ExchangeConfig;
  readonly state: SimState;
  readonly resting = new Map<string, RestingOrders>();
  /** symbols whose mark comes from MarkPriceUpdate events rather than the book's mid */
  readonly markFromFeed = new Set<string>();
  /** queue positions of the resting orders (fillModel "queue"), else undefined */
  readonly queue: QueuePositions | undefined;
  /** per symbol: its instrument, market book and resting orders, for the market feed (one lookup) */
  private readonly markets = new Map<string, MarketSlot>();
  /** config.defaultSetting per symbol, computed once (settings are replaced, never mutated) */
  private readonly defaultSettings = new Map<string, LeverageSetting>();
  /** take()'s levels of the book, reused by every order (take never runs inside take) */
  private readonly legTicks: number[] = [];
  private readonly legLots: number[] = [];
  private readonly legSizes: number[] = [];
  /** recordFill's arguments to applyFill, reused (applyFill copies what it keeps) */
  private readonly fillParams: { -readonly [K in keyof FillParams]: FillParams[K] } = {
    account: "",
    side: "buy",
    priceTicks: 0,
    sizeLots: 0,
    liquidity: "taker",
    feeBps: 0,
    feeSink: "fees",
    clientOrderId: "",
    venueOrderId: "",
    ts: 0,
    setting: { leverage: 1, mode: "cross" },
  };

  constructor(config: ExchangeConfig, state: SimState) {
    this.config = config;
    this.state = state;
    this.queue = config.fillModel?.kind === "queue" ? new QueuePositions(config.books) : undefined;
    for (const symbol of config.instruments.keys()) this.resting.set(symbol, new RestingOrders());
    for (const o of state.openOrders.values()) this.resting.get(o.symbol)?.add(o);
  }

  instrumentOf(symbol: string): Instrument {
    const inst = this.config.instruments.get(symbol);
    if (inst === undefined) {
      throw new InvalidValueError(`venue ${this.config.venueId}: unknown symbol "${symbol}"`);
    }
    return inst;
  }

  /** The instrument, market book and resting orders of a listed symbol (throws for another). */
  marketOf(symbol: string): MarketSlot {
    let m = this.markets.get(symbol);
    if (m === undefined) {
      m = {
        inst: this.instrumentOf(symbol),
        book: this.config.books.get(symbol)!,
        resting: this.resting.get(symbol)!,
        markFromFeed: this.markFromFeed.has(symbol),
        midOf: [Number.NaN, Number.NaN],
        clearAtVersion: -1,
      };
      this.markets.set(symbol, m);
    }
    return m;
  }

  /** Mark price: the feed's mark when it sends one, else the book's mid, else NaN. */
  markOf(symbol: string): number {
    return this.state.marks.get(symbol) ?? Number.NaN;
  }

  leverageOf(account: string, symbol: string): number {
    return this.settingOf(account, symbol).leverage;
  }

  settingOf(account: string, symbol: string): LeverageSetting {
    let fallback = this.defaultSettings.get(symbol);
    if (fallback === undefined) {
      fallback = this.config.defaultSetting(this.instrumentOf(symbol));
      this.defaultSettings.set(symbol, fallback);
    }
    return this.state.setting(account, symbol, fallback);
  }

  submit(req: OrderRequest, ts: number, partialFraction: number | undefined): SubmitOutcome {
    const inst = this.config.instruments.get(req.symbol);
    const invalid = validate(req, inst);
    if (invalid !== undefined) return refuse(req, ts, "invalid_order", invalid);
    if (
      this.state.orderByClient(req.account, req.clientOrderId) !== undefined ||
      this.config.findStoredOrder(req.account, req.clientOrderId)
    ) {
      return refuse(
        req,
        ts,
        "duplicate_client_order_id",
        `client order id ${req.clientOrderId} already used`,
      );
    }
    const s = this.state;
    s.orderSeq += 1;
    s.changes.meta = true;
    const order: OrderState = {
      venueOrderId: `${this.config.venueId}-${s.orderSeq}`,
      clientOrderId: req.clientOrderId,
      account: req.account,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      priceTicks: req.priceTicks,
      sizeLots: req.sizeLots,
      tif: req.type === "market" ? "ioc" : req.tif,
      reduceOnly: req.reduceOnly,
      seq: s.orderSeq,
      createdTs: ts,
      filledLots: 0,
      status: "open",
      reason: "",
    };
    s.rememberOrder(order);
    s.touchOrder(order);
    const why = preTradeCheck(this, order, inst!);
    if (why !== undefined) {
      order.status = "rejected";
      order.reason = why[0];
      return { ...refuse(req, ts, why[0], why[1]), venueOrderId: order.venueOrderId };
    }
    const events: VenueEvent[] = [
      {
        type: "ack",
        ts,
        account: req.account,
        clientOrderId: req.clientOrderId,
        venueOrderId: order.venueOrderId,
      },
    ];
    this.take(order, inst!, ts, partialFraction, events);
    const remaining = order.sizeLots - order.filledLots;
    if (remaining > 0 && order.tif === "ioc") {
      this.close(order, order.filledLots > 0 ? "canceled" : "expired", "ioc_remainder", ts, events);
    } else if (remaining > 0 && order.reduceOnly && this.reducibleLots(order) === 0) {
      this.close(order, "canceled", "reduce_only", ts, events);
    } else if (remaining > 0) {
      order.status = order.filledLots > 0 ? "partially_filled" : "open";
      s.addOpenOrder(order);
      this.resting.get(order.symbol)!.add(order);
      this.queue?.join(order, ts);
    }
    return { events, venueOrderId: order.venueOrderId };
  }

  cancel(account: string, symbol: string, clientOrderId: string, ts: number): VenueEvent[] {
    const order = this.state.orderByClient(account, clientOrderId);
    if (order === undefined || order.symbol !== symbol || !this.state.openOrders.has(order.venueOrderId)) {
      const reason = order === undefined ? "unknown_order" : "order_not_open";
      return [{ type: "cancel_reject", ts, account, clientOrderId, reason }];
    }
    const events: VenueEvent[] = [];
    this.close(order, "canceled", "user", ts, events);
    return events;
  }

  /** Apply one market-data event (market-input.ts); returns the venue events it caused. */
  onMarket(e: MarketEvent, ts: number): VenueEvent[] {
    return applyMarketEvent(this, e, ts);
  }

  /** Cancel or finish an order and take it off the resting book. */
  close(
    order: OrderState,
    status: "canceled" | "expired" | "filled",
    reason: string,
    ts: number,
    out: VenueEvent[],
  ) {
    order.status = status;
    order.reason = reason;
    this.state.touchOrder(order);
    // (size first: an IOC never rested, and hashing its fresh id string is not free)
    if (this.state.openOrders.size > 0 && this.state.openOrders.has(order.venueOrderId)) {
      this.state.removeOpenOrder(order);
      this.resting.get(order.symbol)!.remove(order);
      this.queue?.leave(order);
    }
    if (status !== "filled") {
      out.push({
        type: "canceled",
        ts,
        account: order.account,
        clientOrderId: order.clientOrderId,
        venueOrderId: order.venueOrderId,
        reason,
      });
    }
  }

  /** Lots a reduce-only order may still fill: up to the opposite position, 0 if none. */
  reducibleLots(order: OrderState): number {
    const pos = this.state.position(order.account, order.symbol)?.sizeLots ?? 0;
    const closes = order.side === "buy" ? pos < 0 : pos > 0;
    return closes ? Math.min(Math.abs(pos), order.sizeLots - order.filledLots) : 0;
  }

  /** Match a new order against the market book as a taker. */
  private take(
    order: OrderState,
    inst: Instrument,
    ts: number,
    partialFraction: number | undefined,
    out: VenueEvent[],
  ): void {
    if (order.tif === "post_only") return;
    const book = this.config.books.get(order.symbol)!;
    let cap = order.sizeLots;
    if (order.reduceOnly) cap = this.reducibleLots(order);
    const side = order.side === "buy" ? "ask" : "bid";
    const legTicks = this.legTicks;
    const legLots = this.legLots;
    const legSizes = this.legSizes;
    let legs = 0;
    let available = 0;
    book.walk(side, (ticks, size) => {
      if (order.side === "buy" ? ticks > order.priceTicks : ticks < order.priceTicks) return false;
      const lots = inst.roundSize(size, "down");
      const take = Math.min(lots, cap - available);
      if (take > 0) {
        legTicks[legs] = ticks;
        legLots[legs] = take;
        legSizes[legs] = size;
        legs++;
      }
      available += take;
      return available < cap;
    });
    // fault: an IOC that fills only part of what the book offered
    let budget = available;
    if (partialFraction !== undefined && order.tif === "ioc" && available > 1) {
      budget = Math.max(1, Math.min(available - 1, Math.floor(available * partialFraction)));
    }
    const setting = this.settingOf(order.account, order.symbol);
    for (let i = 0; i < legs; i++) {
      if (budget === 0) break;
      const ticks = legTicks[i];
      const take = Math.min(legLots[i], budget);
      budget -= take;
      const left = legSizes[i] - inst.sizeValue(take);
      book.setLevel(side, ticks, left > inst.lot.value * 1e-9 ? left : 0);
      this.recordFill(order, inst, ticks, take, "taker", setting, ts, out);
    }
  }

  private recordFill(
    order: OrderState,
    inst: Instrument,
    ticks: number,
    lots: number,
    liquidity: "maker" | "taker",
    setting: LeverageSetting,
    ts: number,
    out: VenueEvent[],
    through = true,
  ): void {
    const f = this.fillParams;
    f.account = order.account;
    f.side = order.side;
    f.priceTicks = ticks;
    f.sizeLots = lots;
    f.liquidity = liquidity;
    f.feeBps = liquidity === "maker" ? inst.spec.makerFeeBps : inst.spec.takerFeeBps;
    f.clientOrderId = order.clientOrderId;
    f.venueOrderId = order.venueOrderId;
    f.ts = ts;
    f.setting = setting;
    const fill = applyFill(this.state, inst, this.config.venueId, f);
    order.filledLots += lots;
    if (liquidity === "maker") this.queue?.filled(order, ts, through);
    const remainingLots = order.sizeLots - order.filledLots;
    order.status = remainingLots === 0 ? "filled" : "partially_filled";
    this.state.touchOrder(order);
    out.push({ type: "fill", ts, fill, remainingLots });
    if (remainingLots === 0) this.close(order, "filled", "", ts, out);
  }

  /** Fill the resting orders the market book crosses (also after an amend moved one across it). */
  makerFillsFromBook(
    inst: Instrument,
    book: MutableBook,
    ts: number,
    out: VenueEvent[],
    resting = this.resting.get(inst.symbol)!,
  ): void {
    if (resting.size === 0) return;
    if (this.queue !== undefined) {
      this.queue.capAll(resting.bids, ts);
      this.queue.capAll(resting.asks, ts);
    }
    const ask = book.bestAskTicks();
    const bid = book.bestBidTicks();
    // (the lists are best first: when the best is not crossed, none is, and no copy is made)
    const bids = resting.bids;
    if (ask !== undefined && bids.length > 0 && bids[0].priceTicks >= ask)
      this.fillResting(resting.bidsAtOrAbove(ask), inst, Number.POSITIVE_INFINITY, ts, out);
    const asks = resting.asks;
    if (bid !== undefined && asks.length > 0 && asks[0].priceTicks <= bid)
      this.fillResting(resting.asksAtOrBelow(bid), inst, Number.POSITIVE_INFINITY, ts, out);
  }

  /**
   * Fill resting orders (best first) at their own prices, up to `lotsAvailable` in total;
   * `through`: the price traded through them (queue model statistics only).
   */
  fillResting(
    orders: OrderState[],
    inst: Instrument,
    lotsAvailable: number,
    ts: number,
    out: VenueEvent[],
    through = true,
  ) {
    let left = lotsAvailable;
    for (const o of orders) {
      if (left <= 0) break;
      let lots = Math.min(o.sizeLots - o.filledLots, left);
      if (o.reduceOnly) {
        lots = Math.min(lots, this.reducibleLots(o));
        if (lots === 0) {
          this.close(o, "canceled", "reduce_only", ts, out);
          continue;
        }
      }
      left -= lots;
      const setting = this.settingOf(o.account, o.symbol);
      this.recordFill(o, inst, o.priceTicks, lots, "maker", setting, ts, out, through);
    }
  }
}

function refuse(req: OrderRequest, ts: number, reason: string, message: string): SubmitOutcome {
  return {
    events: [{ type: "reject", ts, account: req.account, clientOrderId: req.clientOrderId, reason }],
    rejectReason: reason,
    rejectMessage: message,
  };
}
