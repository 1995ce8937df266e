/**
 * What the connector knows of each order it sent, turning the account socket's `orders.ALL` and
 * `fills.ALL` messages into the contract's events exactly once. Paradex is asynchronous:
 * `POST /orders` answers with the order as received (`NEW`), and only the socket says whether it
 * reached the book (`OPEN`), traded, or was closed as refused (`cancel_reason` NOT_ENOUGH_MARGIN,
 * POST_ONLY_WOULD_CROSS, …, parse.ts `REFUSAL_REASONS`). Until that decision the order's other
 * events are held, so the engine sees ack → fills → end in that order, or one reject; the socket
 * and the REST answer may arrive in either order.
 */
import type { Instrument } from "../../core/instrument.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import { type PdxFillAnswer, type PdxOrderAnswer, REFUSAL_REASONS } from "./parse.ts";

/** Paradex cancel reasons → the contract's canceled reasons */
const END_REASON: Readonly<Record<string, string>> = {
  USER_CANCELED: "user",
  IOC_CANCEL: "ioc_remainder",
  SELF_TRADE: "self_trade",
  IN_LIQUIDATION: "liquidation",
  DELEVERAGE: "liquidation",
  REDUCE_ONLY_WILL_INCREASE: "reduce_only",
};

/** how long a closed order's record is kept for late messages (ms) */
export const FORGET_AFTER_MS = 60_000;

export type Decision = { readonly kind: "accepted" } | { readonly kind: "refused"; readonly reason: string };

interface Tracked {
  readonly account: string;
  readonly clientOrderId: string;
  venueOrderId: string;
  /** "pending": no decision yet, events held; "live": acked; "done": refused or forgotten */
  state: "pending" | "live" | "done";
  held: VenueEvent[];
  readonly fills: Set<string>;
  ended: boolean;
  decision: Decision | undefined;
  waiters: ((d: Decision) => void)[];
  closeWaiters: ((o: PdxOrderAnswer) => void)[];
}

export class OrderTracker {
  readonly #orders = new Map<string, Tracked>();
  readonly #emit: (events: readonly VenueEvent[]) => void;
  readonly #inst: (symbol: string) => Instrument | undefined;
  readonly #now: () => number;

  constructor(
    emit: (events: readonly VenueEvent[]) => void,
    inst: (symbol: string) => Instrument | undefined,
    now: () => number,
  ) {
    this.#emit = emit;
    this.#inst = inst;
    this.#now = now;
  }

  #get(account: string, cid: string, create: boolean): Tracked | undefined {
    const key = `${account}|${cid}`;
    let t = this.#orders.get(key);
    if (t === undefined && create) {
      t = {
        account,
        clientOrderId: cid,
        venueOrderId: "",
        // an order this process never sent (an earlier run's) is reported as it is, without an ack
        state: "live",
        held: [],
        fills: new Set(),
        ended: false,
        decision: undefined,
        waiters: [],
        closeWaiters: [],
      };
      this.#orders.set(key, t);
    }
    return t;
  }

  /** An order about to be sent: its events are held until `accept` or `refuse`. */
  track(account: string, cid: string): void {
    const t = this.#get(account, cid, true)!;
    t.state = "pending";
    t.decision = undefined;
  }

  /** The venue's decision on the order, once the socket (or a read) gave it; undefined after `ms`. */
  decision(account: string, cid: string, ms: number): Promise<Decision | undefined> {
    const t = this.#get(account, cid, true)!;
    if (t.decision !== undefined) return Promise.resolve(t.decision);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      t.waiters.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });
  }

  /** The order's close as the socket reports it; undefined after `ms`. */
  closed(account: string, cid: string, ms: number): Promise<PdxOrderAnswer | undefined> {
    const t = this.#get(account, cid, true)!;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      t.closeWaiters.push((o) => {
        clearTimeout(timer);
        resolve(o);
      });
    });
  }

  /** The order is live: ack, then whatever was held. */
  accept(account: string, cid: string, venueOrderId: string): void {
    const t = this.#get(account, cid, true)!;
    if (venueOrderId !== "") t.venueOrderId = venueOrderId;
    if (t.state !== "pending") return;
    t.state = "live";
    const held = t.held;
    t.held = [];
    this.#emit([
      { type: "ack", ts: this.#now(), account, clientOrderId: cid, venueOrderId: t.venueOrderId },
      ...held,
    ]);
  }

  /** The order was refused: one reject, nothing held is told. */
  refuse(account: string, cid: string, reason: string): void {
    const t = this.#get(account, cid, true)!;
    if (t.state !== "pending") return;
    t.state = "done";
    t.held = [];
    this.#emit([{ type: "reject", ts: this.#now(), account, clientOrderId: cid, reason }]);
  }

  /** A closed order is forgotten a while after (its late messages are reported as they come). */
  #forgetLater(account: string, cid: string): void {
    const key = `${account}|${cid}`;
    const t = this.#orders.get(key);
    setTimeout(() => {
      if (this.#orders.get(key) === t && t?.state !== "pending") this.#orders.delete(key);
    }, FORGET_AFTER_MS).unref?.();
  }

  /** orders tracked now (tests) */
  get size(): number {
    return this.#orders.size;
  }

  #decide(t: Tracked, d: Decision): void {
    if (t.decision !== undefined) return;
    t.decision = d;
    for (const w of t.waiters.splice(0)) w(d);
  }

  #out(t: Tracked, events: VenueEvent[]): void {
    if (t.state === "pending") t.held.push(...events);
    else if (t.state === "live") this.#emit(events);
  }

  /** One `orders.*` message of an account. */
  onOrder(account: string, o: PdxOrderAnswer): void {
    const t = this.#get(account, o.client_id, true)!;
    if (t.venueOrderId === "") t.venueOrderId = o.id;
    const filled = Number(o.size) - Number(o.remaining_size) > 0;
    if (o.status === "OPEN" || filled) this.#decide(t, { kind: "accepted" });
    if (o.status !== "CLOSED") return;
    for (const w of t.closeWaiters.splice(0)) w(o);
    this.#forgetLater(account, o.client_id);
    const reason = o.cancel_reason ?? "";
    if (!filled && REFUSAL_REASONS.has(reason)) {
      this.#decide(t, { kind: "refused", reason: reason.toLowerCase() });
      return;
    }
    this.#decide(t, { kind: "accepted" });
    if (Number(o.remaining_size) === 0 || t.ended) return;
    t.ended = true;
    this.#out(t, [
      {
        type: "canceled",
        ts: o.last_updated_at ?? this.#now(),
        account,
        clientOrderId: o.client_id,
        venueOrderId: o.id,
        reason: END_REASON[reason] ?? (reason.toLowerCase() || "canceled"),
      },
    ]);
  }

  /** One `fills.*` message of an account. */
  onFill(account: string, f: PdxFillAnswer): void {
    const inst = this.#inst(f.market);
    if (inst === undefined) return;
    const t = this.#get(account, f.client_id, true)!;
    if (t.fills.has(f.id)) return;
    t.fills.add(f.id);
    if (t.venueOrderId === "") t.venueOrderId = f.order_id;
    this.#decide(t, { kind: "accepted" });
    this.#out(t, [fillEvent(account, f, inst)]);
  }
}

export function fillEvent(account: string, f: PdxFillAnswer, inst: Instrument): VenueEvent {
  const side = f.side === "BUY" ? "buy" : "sell";
  return {
    type: "fill",
    ts: f.created_at,
    remainingLots: inst.roundSize(Number(f.remaining_size), "nearest"),
    fill: {
      fillId: f.id,
      clientOrderId: f.client_id,
      venueOrderId: f.order_id,
      account,
      symbol: f.market,
      side,
      priceTicks: inst.roundPrice(Number(f.price), side, "nearest"),
      sizeLots: inst.roundSize(Number(f.size), "nearest"),
      fee: moneyOf(f.fee, `paradex fill ${f.id} fee`),
      liquidity: f.liquidity === "MAKER" ? "maker" : "taker",
      realisedPnl: f.realized_pnl ? moneyOf(f.realized_pnl, `paradex fill ${f.id} realized_pnl`) : 0n,
      ts: f.created_at,
    },
  };
}
