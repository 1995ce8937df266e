import type { z } from "zod";
import type { Instrument } from "../../core/instrument.ts";
import type { Fill } from "../../core/types.ts";
import type { VenueEvent } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import type { OrderTracker } from "../kit/order-tracker.ts";
import {
  type EdgexFill,
  type EdgexOrder,
  FillSchema,
  OrderSchema,
  PositionTransactionSchema,
  parseAs,
  type TradeEventSchema,
} from "./parse.ts";

/** How the connector finds a contract's instrument and an order's client id. */
export interface StreamContext {
  readonly instrumentOf: (contractId: string) => Instrument | undefined;
  /** venue order id → client order id, learnt from acks and order messages */
  readonly clientIds: Map<string, string>;
  readonly tracker: OrderTracker;
  /** lots filled so far per (account|clientOrderId), for each fill's remaining size */
  readonly filled: Map<string, number>;
  /** each order's size in lots per (account|clientOrderId), from submit or an order message */
  readonly orderLots: Map<string, number>;
}

const endReason = (o: EdgexOrder): string =>
  o.cancelReason === "CANCELED_BY_IOC" || o.timeInForce === "IMMEDIATE_OR_CANCEL"
    ? "ioc_remainder"
    : o.cancelReason === "USER_CANCELED" || o.cancelReason === undefined
      ? "user"
      : o.cancelReason.toLowerCase();

/** The contract's Fill of one fill record (fee positive = paid; realizePnl as the venue gives it). */
export function fillOf(f: EdgexFill, inst: Instrument, account: string, clientOrderId: string): Fill {
  const side = f.orderSide === "BUY" ? "buy" : "sell";
  return {
    fillId: f.id,
    clientOrderId,
    venueOrderId: f.orderId,
    account,
    symbol: inst.symbol,
    side,
    priceTicks: inst.roundPrice(Number(f.fillPrice), side, "nearest"),
    sizeLots: inst.roundSize(Number(f.fillSize), "nearest"),
    fee: moneyOf(f.fillFee, `edgex fill ${f.id} fillFee`),
    liquidity: f.direction === "MAKER" ? "maker" : "taker",
    realisedPnl: moneyOf(f.realizePnl, `edgex fill ${f.id} realizePnl`),
    ts: f.matchTime,
  };
}

/**
 * The contract's events for one `trade-event` message of an account: acks for orders first seen,
 * one fill per fill id (remaining = order size − lots filled so far), then ends (CANCELED), then
 * funding settlements (positionTransaction of type SETTLE_FUNDING_FEE). Each event once, whether
 * the REST answer or the stream came first (the tracker).
 */
export function tradeEvents(
  ctx: StreamContext,
  account: string,
  msg: z.output<typeof TradeEventSchema>,
  now: number,
): VenueEvent[] {
  const data = msg.content.data;
  const orders = (data.order ?? []).map((o, i) => parseAs(OrderSchema, o, `trade-event order[${i}]`));
  const fills = (data.orderFillTransaction ?? []).map((f, i) =>
    parseAs(FillSchema, f, `trade-event orderFillTransaction[${i}]`),
  );
  const out: VenueEvent[] = [];
  // the Snapshot sent on (re)connect lists what is open: it teaches ids, it is no new event
  if (msg.content.event === "Snapshot") {
    for (const o of orders) ctx.clientIds.set(o.id, o.clientOrderId);
    return out;
  }
  for (const o of orders) {
    const inst = ctx.instrumentOf(o.contractId);
    if (inst === undefined || o.clientOrderId === "") continue;
    ctx.clientIds.set(o.id, o.clientOrderId);
    ctx.orderLots.set(`${account}|${o.clientOrderId}`, inst.roundSize(Number(o.size), "nearest"));
    ctx.tracker.track(account, o.clientOrderId, inst.symbol);
    out.push(...ctx.tracker.ack(account, o.clientOrderId, inst.symbol, o.id, o.createdTime ?? now));
  }
  for (const f of fills) {
    const inst = ctx.instrumentOf(f.contractId);
    const cid = ctx.clientIds.get(f.orderId);
    if (inst === undefined || cid === undefined) continue;
    const t = ctx.tracker.track(account, cid, inst.symbol);
    if (t.trades.has(f.id)) continue;
    t.trades.add(f.id);
    const fill = fillOf(f, inst, account, cid);
    const key = `${account}|${cid}`;
    const done = (ctx.filled.get(key) ?? 0) + fill.sizeLots;
    ctx.filled.set(key, done);
    const total = ctx.orderLots.get(key) ?? done;
    out.push({ type: "fill", ts: fill.ts, fill, remainingLots: Math.max(0, total - done) });
  }
  for (const o of orders) {
    const inst = ctx.instrumentOf(o.contractId);
    if (inst === undefined || o.status !== "CANCELED") continue;
    out.push(
      ...ctx.tracker.end(account, o.clientOrderId, inst.symbol, o.id, endReason(o), o.updatedTime ?? now),
    );
  }
  for (const [i, raw] of (data.positionTransaction ?? []).entries()) {
    const p = parseAs(PositionTransactionSchema, raw, `trade-event positionTransaction[${i}]`);
    const inst = ctx.instrumentOf(p.contractId);
    if (inst === undefined || p.type !== "SETTLE_FUNDING_FEE") continue;
    const hours = inst.spec.fundingIntervalHours;
    out.push({
      type: "funding",
      ts: p.fundingTime,
      account,
      symbol: inst.symbol,
      amount: moneyOf(p.deltaFundingFee, `edgex funding ${p.id} deltaFundingFee`),
      ratePerHour: Number(p.fundingRate) / hours,
      hours,
    });
  }
  return out;
}
