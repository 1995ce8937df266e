import type { Clock } from "../../core/clock.ts";
import type { Instrument } from "../../core/instrument.ts";
import type { AccountReport, Fill, OrderReport, OrderRequest, PositionReport } from "../../core/types.ts";
import {
  type AmendChange,
  type AmendResult,
  type FundingPaymentReport,
  type VenueEvent,
  VenueRejectError,
} from "../../core/venue.ts";
import type { HibachiClient } from "./client.ts";
import type { OrderJournal } from "./order-journal.ts";
import { flagOf, reportOf, type Tracked, trackedOf } from "./orders.ts";

import {
  accountReportOf,
  fillOf,
  paymentOf,
  positionReports,
  type Settlement,
  type Trade,
} from "./reports.ts";

/** a reconciliation that failed is tried again after this long (ms) */
const RETRY_MS = 300;

/**
 * One bound Hibachi account: its REST client, the orders perpbot sent, and the reconciliation
 * that turns the venue's trade and settlement lists into events. Hibachi's account stream says
 * only that a balance or position changed (`balance_update`, `position_update`): each such
 * message, each answer to an order or cancel, and a poll while orders are live run `reconcile`,
 * which reads what is new. Reconciliations of one account run one after another.
 */
export class HbAccount {
  readonly account: string;
  readonly client: HibachiClient;
  readonly #clock: Clock;
  readonly #inst: (symbol: string) => Instrument | undefined;
  readonly #emit: (events: VenueEvent[]) => void;
  readonly #problem: (e: Error) => void;
  readonly #maxFees: string;
  readonly #journal: OrderJournal;
  readonly byClient = new Map<string, Tracked>();
  readonly #byOrderId = new Map<string, Tracked>();
  readonly #seenTrades = new Set<number>();
  readonly #seenSettlements = new Set<string>();
  #chain: Promise<void> = Promise.resolve();
  #wantFunding = false;
  #queued = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: {
    account: string;
    client: HibachiClient;
    clock: Clock;
    instrument: (symbol: string) => Instrument | undefined;
    emit: (events: VenueEvent[]) => void;
    problem: (e: Error) => void;
    maxFeesPercent: string;
    journal: OrderJournal;
  }) {
    this.account = opts.account;
    this.client = opts.client;
    this.#clock = opts.clock;
    this.#inst = opts.instrument;
    this.#emit = opts.emit;
    this.#problem = opts.problem;
    this.#maxFees = opts.maxFeesPercent;
    this.#journal = opts.journal;
  }

  /**
   * History before the binding is not news: remember it without events. Orders a previous run
   * sent come back from the journal, findable by their nonce (and reporting nothing new).
   */
  async seed(): Promise<void> {
    for (const e of this.#journal.entries(this.account)) {
      const t = trackedOf({ ...e, account: this.account, type: "limit" }, BigInt(e.nonce));
      t.ended = true;
      this.byClient.set(e.clientOrderId, t);
    }
    // a journaled order still resting is live again: its fills from now on are events
    if (this.byClient.size > 0)
      for (const o of await this.client.pendingOrders()) {
        const t = [...this.byClient.values()].find((x) => String(x.nonce) === o.nonce);
        const inst = this.#inst(o.symbol);
        if (t === undefined || inst === undefined) continue;
        t.orderId = o.orderId;
        t.ended = false;
        t.filledLots = reportOf(o, inst, this.account, t).filledLots;
        this.#byOrderId.set(o.orderId, t);
      }
    for (const t of await this.client.trades()) this.#seenTrades.add(t.id);
    for (const s of await this.client.settlements()) this.#seenSettlements.add(settlementKey(s));
  }

  get hasLive(): boolean {
    for (const t of this.byClient.values()) if (!t.ended) return true;
    return false;
  }

  /** Run one reconciliation after those already queued (`funding`: read settlements too). */
  reconcile(funding = false): Promise<void> {
    this.#wantFunding ||= funding;
    if (this.#queued) return this.#chain;
    this.#queued = true;
    this.#chain = this.#chain.then(async () => {
      this.#queued = false;
      const f = this.#wantFunding;
      this.#wantFunding = false;
      try {
        await this.#reconcile(f);
      } catch (e) {
        this.#problem(e as Error);
        // e.g. the venue's 429 after a burst: read again soon rather than at the next poll
        this.#wantFunding ||= f;
        this.#retry ??= setTimeout(() => {
          this.#retry = undefined;
          void this.reconcile();
        }, RETRY_MS);
        this.#retry.unref?.();
      }
    });
    return this.#chain;
  }

  /** Stop a pending retry (the venue is closing). */
  stop(): void {
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  async submit(order: OrderRequest, inst: Instrument): Promise<{ venueOrderId: string }> {
    const nonce = this.client.nonces.next();
    const t = trackedOf(order, nonce);
    try {
      this.#journal.append({
        account: order.account,
        clientOrderId: order.clientOrderId,
        nonce: String(nonce),
        symbol: order.symbol,
        side: order.side,
        priceTicks: order.priceTicks,
        sizeLots: order.sizeLots,
        tif: order.tif,
        reduceOnly: order.reduceOnly,
        ts: this.#clock.now(),
      });
    } catch (e) {
      // nothing was sent: an order perpbot could not find again after a restart is not sent
      throw new VenueRejectError(
        "journal_write_failed",
        `hibachi account ${this.account}: order ${order.clientOrderId} not sent: the order journal ${this.#journal.path} refused it (${(e as Error).message})`,
      );
    }
    this.byClient.set(order.clientOrderId, t);
    let orderId: string;
    try {
      // a market order goes as an IOC limit at its protection price: it never fills beyond it
      ({ orderId } = await this.client.place(
        {
          symbol: inst.symbol,
          side: order.side === "buy" ? "BID" : "ASK",
          quantity: inst.sizeText(order.sizeLots),
          price: inst.priceText(order.priceTicks),
          maxFeesPercent: this.#maxFees,
          orderFlags: flagOf(order.type === "market" ? { ...order, tif: "ioc" } : order),
        },
        nonce,
      ));
    } catch (e) {
      if (e instanceof VenueRejectError) {
        this.byClient.delete(order.clientOrderId);
        this.#emit([this.#ev({ type: "reject", clientOrderId: order.clientOrderId, reason: e.reason })]);
      }
      throw e;
    }
    t.orderId = orderId;
    this.#byOrderId.set(orderId, t);
    this.#emit([this.#ev({ type: "ack", clientOrderId: order.clientOrderId, venueOrderId: orderId })]);
    const iocByHand = order.reduceOnly && (order.tif === "ioc" || order.type === "market");
    this.reconcile().then(
      () => (iocByHand && !t.ended ? this.#cancelRest(t) : undefined),
      () => undefined,
    );
    return { venueOrderId: orderId };
  }

  /** A reduce-only IOC's remainder: Hibachi takes one flag, so the IOC part is this cancel. */
  async #cancelRest(t: Tracked): Promise<void> {
    try {
      await this.client.cancel({ orderId: t.orderId! });
    } catch {
      // already filled or canceled by the venue: the next reconciliation reports which
    }
    await this.reconcile();
  }

  async cancel(clientOrderId: string): Promise<void> {
    const t = this.byClient.get(clientOrderId);
    try {
      if (t === undefined)
        throw new VenueRejectError(
          "unknown_order",
          `hibachi account ${this.account}: no order with client id ${clientOrderId} was sent by this process`,
        );
      t.cancelSent = true;
      await this.client.cancel(t.orderId === undefined ? { nonce: t.nonce } : { orderId: t.orderId });
    } catch (e) {
      if (e instanceof VenueRejectError) {
        // refused: the order, if it rests, was not canceled by this request
        if (t !== undefined) t.cancelSent = false;
        this.#emit([this.#ev({ type: "cancel_reject", clientOrderId, reason: e.reason })]);
      }
      throw e;
    }
    // fills before the cancel come first
    await this.reconcile();
    if (t.ended) return;
    t.ended = true;
    this.#emit([
      this.#ev({ type: "canceled", clientOrderId, venueOrderId: t.orderId ?? "", reason: "user" }),
    ]);
  }

  /**
   * PUT /trade/order (client.ts `update`): the resting order's price and total size in place,
   * signed as a new order of its side with a fresh nonce; the venue keeps its order id.
   */
  async amend(clientOrderId: string, inst: Instrument, change: AmendChange): Promise<AmendResult> {
    const t = this.byClient.get(clientOrderId);
    const priceTicks = change.priceTicks ?? t?.priceTicks ?? 0;
    const sizeLots = change.sizeLots ?? t?.sizeLots ?? 0;
    try {
      if (t === undefined || t.orderId === undefined || t.ended)
        throw new VenueRejectError(
          "order_not_open",
          `hibachi account ${this.account}: order ${clientOrderId} is not a resting order of this process`,
        );
      await this.client.update({
        orderId: t.orderId,
        symbol: inst.symbol,
        side: t.side === "buy" ? "BID" : "ASK",
        quantity: inst.sizeText(sizeLots),
        price: inst.priceText(priceTicks),
        maxFeesPercent: this.#maxFees,
      });
      t.priceTicks = priceTicks;
      t.sizeLots = sizeLots;
    } catch (e) {
      if (e instanceof VenueRejectError)
        this.#emit([this.#ev({ type: "replace_reject", clientOrderId, reason: e.reason })]);
      throw e;
    }
    const venueOrderId = t.orderId;
    this.#emit([this.#ev({ type: "replaced", clientOrderId, venueOrderId, priceTicks, sizeLots })]);
    // a price moved through the book trades at once
    void this.reconcile();
    return { venueOrderId, priceTicks, sizeLots };
  }

  async orderStatus(clientOrderId: string): Promise<OrderReport | undefined> {
    const t = this.byClient.get(clientOrderId);
    if (t === undefined) return undefined;
    const o = await this.client.order(t.orderId === undefined ? { nonce: t.nonce } : { orderId: t.orderId });
    if (o === undefined) return undefined;
    if (t.orderId === undefined) {
      // the answer was lost: the nonce found it; its fills are news from now on
      t.orderId = o.orderId;
      this.#byOrderId.set(o.orderId, t);
      await this.reconcile();
    }
    const inst = this.#inst(o.symbol);
    return inst === undefined ? undefined : reportOf(o, inst, this.account, t);
  }

  async openOrders(): Promise<OrderReport[]> {
    const out: OrderReport[] = [];
    for (const o of await this.client.pendingOrders()) {
      const inst = this.#inst(o.symbol);
      if (inst !== undefined) out.push(reportOf(o, inst, this.account, this.#byOrderId.get(o.orderId)));
    }
    return out;
  }

  async positions(): Promise<PositionReport[]> {
    return positionReports(this.account, await this.client.accountInfo(), this.#inst, (s) =>
      this.client.contract(s),
    );
  }

  async accountState(): Promise<AccountReport> {
    return accountReportOf(this.account, await this.client.accountInfo(), (s) =>
      this.client.contracts.get(s),
    );
  }

  async fills(sinceTs: number): Promise<Fill[]> {
    const out: Fill[] = [];
    for (const t of await this.client.trades()) {
      const f = this.#fillOf(t);
      if (f !== undefined && f.ts >= sinceTs) out.push(f);
    }
    return out.sort((a, b) => a.ts - b.ts || Number(a.fillId) - Number(b.fillId));
  }

  async fundingPayments(sinceTs: number): Promise<FundingPaymentReport[]> {
    return (await this.client.settlements())
      .map((s) => this.#paymentOf(s))
      .filter((p): p is FundingPaymentReport => p !== undefined && p.ts >= sinceTs)
      .sort((a, b) => a.ts - b.ts);
  }

  async #reconcile(funding: boolean): Promise<void> {
    const events: VenueEvent[] = [];
    for (const trade of await this.client.trades()) {
      if (this.#seenTrades.has(trade.id)) continue;
      const t = this.#byOrderId.get(trade.side === "BID" ? trade.bidOrderId : trade.askOrderId);
      // a trade of an order whose answer is still on its way is taken on the next pass
      if (t === undefined) continue;
      const fill = this.#fillOf(trade);
      if (fill === undefined) continue;
      this.#seenTrades.add(trade.id);
      t.filledLots += fill.sizeLots;
      if (t.filledLots >= t.sizeLots) t.ended = true;
      events.push({ type: "fill", ts: fill.ts, fill, remainingLots: Math.max(0, t.sizeLots - t.filledLots) });
    }
    const live = [...this.#byOrderId.values()].filter((t) => !t.ended);
    if (live.length > 0) {
      const pending = new Set((await this.client.pendingOrders()).map((o) => o.orderId));
      for (const t of live) {
        if (pending.has(t.orderId!)) continue;
        const o = await this.client.order({ orderId: t.orderId! });
        if (o === undefined || (o.status !== "CANCELLED" && o.status !== "REJECTED")) continue;
        t.ended = true;
        const reason = t.cancelSent
          ? "user"
          : t.tif === "ioc"
            ? "ioc_remainder"
            : t.reduceOnly
              ? "reduce_only"
              : "venue";
        events.push(
          this.#ev({ type: "canceled", clientOrderId: t.clientOrderId, venueOrderId: o.orderId, reason }),
        );
      }
    }
    if (funding)
      for (const s of await this.client.settlements()) {
        const key = settlementKey(s);
        if (this.#seenSettlements.has(key)) continue;
        this.#seenSettlements.add(key);
        const p = this.#paymentOf(s);
        if (p !== undefined)
          events.push({
            type: "funding",
            ts: p.ts,
            account: this.account,
            symbol: p.symbol,
            amount: p.amount,
            ratePerHour: p.ratePerHour,
            hours: p.hours,
          });
      }
    this.#emit(events);
  }

  #fillOf(trade: Trade): Fill | undefined {
    const inst = this.#inst(trade.symbol);
    const orderId = trade.side === "BID" ? trade.bidOrderId : trade.askOrderId;
    return inst === undefined ? undefined : fillOf(this.account, trade, inst, this.#byOrderId.get(orderId));
  }

  #paymentOf(s: Settlement): FundingPaymentReport | undefined {
    const inst = this.#inst(s.symbol);
    return inst === undefined ? undefined : paymentOf(this.account, s, inst);
  }

  #ev<T extends Record<string, unknown>>(e: T): T & { ts: number; account: string } & VenueEvent {
    return { ...e, ts: this.#clock.now(), account: this.account } as unknown as T & {
      ts: number;
      account: string;
    } & VenueEvent;
  }
}

function settlementKey(s: Settlement): string {
  return `${s.timestamp}|${s.symbol}|${s.direction}|${s.quantity}|${s.settledAmount}`;
}
