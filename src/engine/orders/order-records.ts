import type { Instrument } from "../../core/instrument.ts";
import type { Money } from "../../core/money.ts";
import type { Fill, OrderRequest, OrderType, Side, TimeInForce } from "../../core/types.ts";
import type { EngineOrderRow } from "../../store/journal/rows.ts";
import type { FillRecord } from "../../store/records.ts";
import type { OrderEvent } from "./order-state.ts";
import { TrackedOrder } from "./order-tracker.ts";

/**
 * The engine's orders as values: the in-memory EngineOrder (a TrackedOrder plus its place in an
 * intent), and its conversions to and from the journal's rows. The OrderGateway owns the live
 * ones.
 */

/** "single": a strategy's single-order intent (single-orders.ts); the rest are group and sweep orders */
export type OrderPurpose = "entry" | "unwind" | "trim" | "close" | "orphan" | "flatten" | "single";

export interface EngineOrder {
  readonly tracked: TrackedOrder;
  readonly venue: string;
  readonly inst: Instrument;
  readonly groupId: string | null;
  readonly legIndex: number;
  readonly intentId: string;
  readonly attempt: number;
  readonly purpose: OrderPurpose;
  /** the strategy that placed it ("" on rows journaled before migration 0005) */
  readonly strategy: string;
  /** a single order's group label (never a leg of that group); null otherwise */
  readonly groupRef: string | null;
  readonly createdAt: number;
  /** when the request was (last) sent: the start of its send-expiry window */
  sentAt: number;
  /** when its state last changed: the journal row's updated_at */
  updatedAt: number;
  realisedPnl: Money;
  /** the submit's answer is still outstanding: an in_flight status is not yet a mystery */
  awaitingAnswer: boolean;
  /** operations waiting on this order; the reconciler leaves such orders alone */
  watchers: number;
  /** the venue's reason of the last reject or cancel */
  lastReason: string | undefined;
}

export interface PlaceSpec {
  readonly venue: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly sizeLots: number;
  readonly priceTicks: number;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  /** "market": an IOC the venue may not price beyond `priceTicks` (default "limit") */
  readonly type?: OrderType;
  readonly purpose: OrderPurpose;
  readonly groupId: string | null;
  readonly legIndex: number;
  readonly intentId: string;
  readonly strategy: string;
  readonly groupRef?: string | null;
  /** the client order id to use instead of the (intent, leg, attempt) one (single orders) */
  readonly clientOrderId?: string;
  /**
   * An IOC on a venue whose capabilities have none goes as a GTC limit at the same price and is
   * cancelled this long after it was sent (default `engine.ioc_emulation_ms`); see order-place.ts.
   */
  readonly iocEmulationMs?: number;
}

export type PlaceResult =
  | { readonly sent: true; readonly order: EngineOrder }
  | { readonly sent: false; readonly reason: string; readonly detail: string };

/** Lots an order has filled as far as anyone knows: our fills, or the venue's count if ahead. */
export function effectiveFilled(o: EngineOrder): number {
  return o.tracked.filledLots + o.tracked.missingFillLots;
}

export function posKey(venue: string, account: string, symbol: string): string {
  const ak = accountKey(venue, account);
  let bySymbol = posKeys.get(ak);
  if (bySymbol === undefined) {
    bySymbol = new Map();
    posKeys.set(ak, bySymbol);
  }
  let key = bySymbol.get(symbol);
  if (key === undefined) {
    key = `${ak}\u0000${symbol}`;
    bySymbol.set(symbol, key);
  }
  return key;
}

/**
 * Every posKey made, by accountKey then symbol: the same string each time, so the maps it keys
 * hash it once (the reconciler builds one per position and pass). As many as positions the
 * process ever looked at: configured accounts times listed symbols at most.
 */
const posKeys = new Map<string, Map<string, string>>();

/** The key of one (venue, account) in the engine's maps. */
export function accountKey(venue: string, account: string): string {
  let byAccount = accountKeys.get(venue);
  if (byAccount === undefined) {
    byAccount = new Map();
    accountKeys.set(venue, byAccount);
  }
  let key = byAccount.get(account);
  if (key === undefined) {
    key = `${venue}\u0000${account}`;
    byAccount.set(account, key);
  }
  return key;
}

/** Every accountKey made, by venue then account: one string each, hashed once (as posKey). */
const accountKeys = new Map<string, Map<string, string>>();

/** The order as the journal stores it, as of now. */
export function orderRow(o: EngineOrder, updatedAt: number): EngineOrderRow {
  const r = o.tracked.request;
  return {
    clientOrderId: r.clientOrderId,
    venue: o.venue,
    account: r.account,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    tif: r.tif,
    priceTicks: r.priceTicks,
    sizeLots: r.sizeLots,
    reduceOnly: r.reduceOnly,
    priceText: o.inst.priceText(r.priceTicks),
    sizeText: o.inst.sizeText(r.sizeLots),
    filledText: o.inst.sizeText(effectiveFilled(o)),
    filledLots: effectiveFilled(o),
    status: o.tracked.status,
    venueOrderId: o.tracked.venueOrderId ?? null,
    groupId: o.groupId,
    intentId: o.intentId,
    legIndex: o.legIndex,
    purpose: o.purpose,
    attempt: o.attempt,
    reason: null,
    createdAt: o.createdAt,
    updatedAt,
    strategy: o.strategy,
    groupRef: o.groupRef,
  };
}

/** A venue fill of the order as the store's fills table keeps it (exact decimal text). */
export function fillRecord(o: EngineOrder, f: Fill): FillRecord {
  return venueFillRecord(o.venue, o.inst, f);
}

/** A fill reported by `venue` on instrument `inst`, as the store's fills table keeps it. */
export function venueFillRecord(venue: string, inst: Instrument, f: Fill): FillRecord {
  return {
    venue,
    account: f.account,
    symbol: f.symbol,
    fillId: f.fillId,
    clientOrderId: f.clientOrderId,
    venueOrderId: f.venueOrderId,
    side: f.side,
    price: inst.priceText(f.priceTicks),
    size: inst.sizeText(f.sizeLots),
    fee: f.fee,
    realisedPnl: f.realisedPnl,
    liquidity: f.liquidity,
    ts: f.ts,
  };
}

/** An order rebuilt from its journal row by replaying its events through the state machine. */
export function restoredOrder(
  row: EngineOrderRow,
  events: readonly OrderEvent[],
  inst: Instrument,
): EngineOrder {
  const tracked = new TrackedOrder(requestOf(row));
  let sentAt = row.createdAt;
  let realisedPnl = 0n;
  for (const e of events) {
    tracked.apply(e);
    if (e.kind === "submit_sent") sentAt = e.ts;
    if (e.kind === "fill") realisedPnl += e.fill.realisedPnl;
  }
  const o: EngineOrder = {
    tracked,
    venue: row.venue,
    inst,
    groupId: row.groupId,
    legIndex: row.legIndex,
    intentId: row.intentId,
    attempt: row.attempt,
    purpose: row.purpose as OrderPurpose,
    strategy: row.strategy ?? "",
    groupRef: row.groupRef ?? null,
    createdAt: row.createdAt,
    sentAt,
    updatedAt: row.updatedAt,
    realisedPnl,
    awaitingAnswer: false,
    watchers: 0,
    lastReason: undefined,
  };
  return o;
}

function requestOf(row: EngineOrderRow): OrderRequest {
  return {
    clientOrderId: row.clientOrderId,
    account: row.account,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    priceTicks: row.priceTicks,
    sizeLots: row.sizeLots,
    tif: row.tif,
    reduceOnly: row.reduceOnly,
  };
}
