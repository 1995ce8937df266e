import type { Instrument } from "../../core/instrument.ts";
import type { VenueOrderStatus } from "../../core/types.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import type { LtOrder, LtTrade } from "./parse.ts";

/**
 * What the connector knows of each order it sent (VENUES.md §2.6): sendTx only queues, so an
 * order is acknowledged when an order record with its client order index shows up (account
 * stream or lookup), which also gives its order index; it is refused when that record ends in a
 * refusal status without trading. Order records and trades may arrive from the stream and from
 * REST lookups, in either order: each ack, fill (per trade id) and end is emitted once.
 */
export interface TrackedOrder {
  readonly account: string;
  readonly accountIndex: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly tif: "gtc" | "ioc" | "post_only";
  readonly isAsk: boolean;
  lots: number;
  orderIndex: number | undefined;
  txHash: string | undefined;
  nonce: number | undefined;
  acked: boolean;
  rejected: string | undefined;
  ended: string | undefined;
  filledLots: number;
  readonly trades: Set<number>;
}

/** Statuses that mean the sequencer refused the order (Lighter's order status names, LO `Order.status`). */
const REFUSED = new Set([
  "canceled-post-only",
  "canceled-reduce-only",
  "canceled-position-not-allowed",
  "canceled-margin-not-allowed",
  "canceled-invalid-balance",
  "canceled-self-trade",
]);

export function statusOf(o: LtOrder, inst: Instrument): VenueOrderStatus {
  const filled = inst.roundSize(Number(o.filled_base_amount), "nearest");
  if (o.status === "open" || o.status === "pending" || o.status === "in-progress")
    return filled > 0 ? "partially_filled" : "open";
  if (o.status === "filled") return "filled";
  if (REFUSED.has(o.status) && filled === 0) return "rejected";
  if (o.status === "canceled-expired") return "expired";
  return "canceled";
}

export class LtOrderTracker {
  readonly #byCid = new Map<string, TrackedOrder>();
  readonly #byIndex = new Map<number, TrackedOrder>();
  /** trades of order indexes not yet seen in an order record */
  readonly #early = new Map<number, LtTrade[]>();
  readonly #waiters = new Set<() => void>();

  get(account: string, cid: string): TrackedOrder | undefined {
    return this.#byCid.get(`${account}|${cid}`);
  }

  byIndex(orderIndex: number): TrackedOrder | undefined {
    return this.#byIndex.get(orderIndex);
  }

  track(
    o: Omit<
      TrackedOrder,
      "orderIndex" | "txHash" | "nonce" | "acked" | "rejected" | "ended" | "filledLots" | "trades"
    >,
  ): TrackedOrder {
    const key = `${o.account}|${o.clientOrderId}`;
    let t = this.#byCid.get(key);
    if (t === undefined) {
      t = {
        ...o,
        orderIndex: undefined,
        txHash: undefined,
        nonce: undefined,
        acked: false,
        rejected: undefined,
        ended: undefined,
        filledLots: 0,
        trades: new Set(),
      };
      this.#byCid.set(key, t);
    }
    return t;
  }

  /** Resolves when `done(t)` holds or after `ms` (false). */
  wait(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve(false);
      }, ms);
      this.#waiters.add(check);
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Events for one order record of a tracked order (records of orders we never sent are ignored). */
  onOrder(account: string, o: LtOrder, inst: Instrument, ts: number): VenueEvent[] {
    const t = this.#byCid.get(`${account}|${o.client_order_index}`);
    if (t === undefined) return [];
    const out: VenueEvent[] = [];
    const venueOrderId = String(o.order_index);
    if (t.orderIndex === undefined) {
      t.orderIndex = o.order_index;
      this.#byIndex.set(o.order_index, t);
    }
    t.lots = inst.roundSize(Number(o.initial_base_amount), "nearest");
    const status = statusOf(o, inst);
    if (status === "rejected") {
      if (t.rejected === undefined && !t.acked) {
        t.rejected = o.status;
        out.push({
          type: "reject",
          ts,
          account,
          clientOrderId: t.clientOrderId,
          reason: o.status.replace(/-/g, "_"),
        });
      }
    } else {
      if (!t.acked) {
        t.acked = true;
        out.push({ type: "ack", ts, account, clientOrderId: t.clientOrderId, venueOrderId });
      }
      for (const trade of this.#early.get(o.order_index) ?? []) out.push(...this.#fill(t, trade, inst));
      this.#early.delete(o.order_index);
      if ((status === "canceled" || status === "expired") && t.ended === undefined) {
        t.ended = status;
        const reason =
          status === "expired"
            ? "expired"
            : t.tif === "ioc"
              ? "ioc_remainder"
              : o.status === "canceled"
                ? "user"
                : o.status.replace(/-/g, "_");
        out.push({ type: "canceled", ts, account, clientOrderId: t.clientOrderId, venueOrderId, reason });
      }
      if (status === "filled") t.ended ??= "filled";
    }
    this.#wake();
    return out;
  }

  /** Events for one trade of the account `accountIndex` (a fill of one of its orders). */
  onTrade(trade: LtTrade, accountIndex: number, inst: Instrument): VenueEvent[] {
    const mine =
      trade.bid_account_id === accountIndex
        ? trade.bid_id
        : trade.ask_account_id === accountIndex
          ? trade.ask_id
          : undefined;
    if (mine === undefined) return [];
    const t = this.#byIndex.get(mine);
    if (t === undefined) {
      const list = this.#early.get(mine) ?? [];
      if (!list.some((x) => x.trade_id === trade.trade_id)) list.push(trade);
      this.#early.set(mine, list);
      return [];
    }
    const out = this.#fill(t, trade, inst);
    this.#wake();
    return out;
  }

  #fill(t: TrackedOrder, trade: LtTrade, inst: Instrument): VenueEvent[] {
    if (t.trades.has(trade.trade_id)) return [];
    t.trades.add(trade.trade_id);
    const out: VenueEvent[] = [];
    if (!t.acked) {
      t.acked = true;
      out.push({
        type: "ack",
        ts: trade.timestamp,
        account: t.account,
        clientOrderId: t.clientOrderId,
        venueOrderId: String(t.orderIndex),
      });
    }
    const lots = inst.roundSize(Number(trade.size), "nearest");
    t.filledLots += lots;
    const side = t.isAsk ? "sell" : "buy";
    const maker = trade.is_maker_ask === t.isAsk;
    // the trade's fee fields are amounts in USDC (0 on standard accounts); unverified on premium
    const feeText = (maker ? trade.maker_fee : trade.taker_fee) ?? "0";
    out.push({
      type: "fill",
      ts: trade.timestamp,
      remainingLots: Math.max(0, t.lots - t.filledLots),
      fill: {
        fillId: String(trade.trade_id),
        clientOrderId: t.clientOrderId,
        venueOrderId: String(t.orderIndex),
        account: t.account,
        symbol: t.symbol,
        side,
        priceTicks: inst.roundPrice(Number(trade.price), side, "nearest"),
        sizeLots: lots,
        fee: moneyOf(feeText, `lighter trade ${trade.trade_id} fee`),
        liquidity: maker ? "maker" : "taker",
        realisedPnl: 0n,
        ts: trade.timestamp,
      },
    });
    if (t.filledLots >= t.lots) t.ended ??= "filled";
    return out;
  }
}
