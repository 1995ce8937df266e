import type { Instrument } from "../../core/instrument.ts";
import type { AccountReport, Fill, OrderReport, PositionReport, VenueOrderStatus } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import { type ExtendedHttp, ExtendedRejectError } from "./http.ts";
import {
  BalanceSchema,
  type ExOrder,
  type ExTrade,
  FundingPaymentsSchema,
  OneOrderSchema,
  OrdersSchema,
  PositionsSchema,
  parseAs,
  TradesSchema,
} from "./parse.ts";

/** What a read needs of the venue: the transport, the instruments, an account's API key. */
export interface ReadContext {
  readonly http: ExtendedHttp;
  readonly venueId: string;
  known(symbol: string): Instrument | undefined;
  apiKeyOf(account: string): string;
  /** the client order id of a venue order id, when the connector saw it */
  clientIdOf(account: string, venueOrderId: string): string | undefined;
}

const STATUS: Readonly<Record<ExOrder["status"], VenueOrderStatus>> = {
  UNKNOWN: "open",
  NEW: "open",
  UNTRIGGERED: "open",
  PARTIALLY_FILLED: "partially_filled",
  FILLED: "filled",
  CANCELLED: "canceled",
  EXPIRED: "expired",
  REJECTED: "rejected",
};

export function orderReportOf(account: string, inst: Instrument, o: ExOrder): OrderReport {
  const side = o.side === "BUY" ? "buy" : "sell";
  const tif = o.postOnly
    ? "post_only"
    : (o as { timeInForce?: string }).timeInForce === "IOC"
      ? "ioc"
      : "gtc";
  return {
    clientOrderId: o.externalId,
    venueOrderId: o.id,
    account,
    symbol: o.market,
    side,
    priceTicks: inst.roundPrice(Number(o.price), side, "nearest"),
    sizeLots: inst.roundSize(Number(o.qty), "nearest"),
    filledLots: inst.roundSize(Number(o.filledQty ?? "0"), "nearest"),
    status: STATUS[o.status],
    tif,
    reduceOnly: o.reduceOnly,
  };
}

export async function orderStatus(
  c: ReadContext,
  account: string,
  clientOrderId: string,
): Promise<OrderReport | undefined> {
  let raw: unknown;
  try {
    raw = await c.http.request({
      method: "GET",
      path: `/user/orders/external/${encodeURIComponent(clientOrderId)}`,
      apiKey: c.apiKeyOf(account),
    });
  } catch (e) {
    // the venue answered that it has no such order: it was never placed
    if (e instanceof ExtendedRejectError && (e.status === 404 || e.code === "1142")) return undefined;
    throw e;
  }
  const r = OneOrderSchema.safeParse(raw);
  const list = r.success
    ? [r.data.data]
    : parseAs(OrdersSchema, raw, `order ${clientOrderId} of ${account}`).data;
  const o = list.find((x) => x.externalId === clientOrderId);
  const inst = o === undefined ? undefined : c.known(o.market);
  return o === undefined || inst === undefined ? undefined : orderReportOf(account, inst, o);
}

export async function openOrders(c: ReadContext, account: string): Promise<readonly OrderReport[]> {
  const raw = await c.http.request({ method: "GET", path: "/user/orders", apiKey: c.apiKeyOf(account) });
  const out: OrderReport[] = [];
  for (const o of parseAs(OrdersSchema, raw, `open orders of ${account}`).data) {
    const inst = c.known(o.market);
    if (inst !== undefined) out.push(orderReportOf(account, inst, o));
  }
  return out;
}

export async function positions(c: ReadContext, account: string): Promise<readonly PositionReport[]> {
  const raw = await c.http.request({ method: "GET", path: "/user/positions", apiKey: c.apiKeyOf(account) });
  const out: PositionReport[] = [];
  for (const p of parseAs(PositionsSchema, raw, `positions of ${account}`).data) {
    const inst = c.known(p.market);
    if (inst === undefined) continue;
    const lots = inst.roundSize(Number(p.size), "nearest");
    if (lots === 0) continue;
    const mark = Number(p.markPrice);
    const liq = p.liquidationPrice == null ? null : Number(p.liquidationPrice);
    out.push({
      account,
      symbol: p.market,
      sizeLots: p.side === "LONG" ? lots : -lots,
      entryPrice: Number(p.openPrice),
      markPrice: mark,
      unrealisedPnlUsd: Number(p.unrealisedPnl),
      leverage: Number(p.leverage),
      marginMode: "cross",
      marginUsd: Number(p.margin ?? "0"),
      maintenanceMarginUsd: inst.maintenanceMargin(Math.abs(inst.sizeValue(lots) * mark)),
      liquidationPrice: liq === null || liq <= 0 ? null : liq,
      fundingPaid: 0n,
    });
  }
  return out;
}

export async function accountState(c: ReadContext, account: string): Promise<AccountReport> {
  const b = parseAs(
    BalanceSchema,
    await c.http.request({ method: "GET", path: "/user/balance", apiKey: c.apiKeyOf(account) }),
    `balance of ${account}`,
  ).data;
  const equity = Number(b.equity);
  return {
    account,
    cash: moneyOf(b.balance, `extended balance of ${account}`),
    equityUsd: equity,
    initialMarginUsd: Number(b.initialMargin),
    maintenanceMarginUsd: Number(
      (b as { maintenanceMargin?: string }).maintenanceMargin ?? Number(b.initialMargin) / 2,
    ),
    availableUsd: Number(b.availableForTrade),
  };
}

export function fillOf(c: ReadContext, account: string, inst: Instrument, t: ExTrade): Fill {
  const side = t.side === "BUY" ? "buy" : "sell";
  return {
    fillId: t.id,
    clientOrderId: t.externalOrderId ?? c.clientIdOf(account, t.orderId) ?? "",
    venueOrderId: t.orderId,
    account,
    symbol: t.market,
    side,
    priceTicks: inst.roundPrice(Number(t.price), side, "nearest"),
    sizeLots: inst.roundSize(Number(t.qty), "nearest"),
    fee: moneyOf(t.fee, `extended trade ${t.id} fee`),
    liquidity: t.isTaker ? "taker" : "maker",
    realisedPnl: 0n,
    ts: t.createdTime,
  };
}

export async function fills(c: ReadContext, account: string, sinceTs: number): Promise<readonly Fill[]> {
  const raw = await c.http.request({
    method: "GET",
    path: "/user/trades",
    query: { startTime: sinceTs },
    apiKey: c.apiKeyOf(account),
  });
  const out: Fill[] = [];
  for (const t of parseAs(TradesSchema, raw, `trades of ${account}`).data) {
    const inst = c.known(t.market);
    if (inst !== undefined && t.createdTime >= sinceTs) out.push(fillOf(c, account, inst, t));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

export async function fundingPayments(
  c: ReadContext,
  account: string,
  sinceTs: number,
): Promise<readonly FundingPaymentReport[]> {
  const raw = await c.http.request({
    method: "GET",
    path: "/user/funding/history",
    query: { startTime: sinceTs },
    apiKey: c.apiKeyOf(account),
  });
  const out: FundingPaymentReport[] = [];
  for (const f of parseAs(FundingPaymentsSchema, raw, `funding history of ${account}`).data) {
    const inst = c.known(f.market);
    if (inst === undefined || f.paidTime < sinceTs) continue;
    const lots = inst.roundSize(Number(f.size), "nearest");
    out.push({
      account,
      symbol: f.market,
      ts: f.paidTime,
      amount: moneyOf(f.fundingFee, `extended funding of ${f.market} at ${f.paidTime}`),
      ratePerHour: Number(f.fundingRate),
      hours: 1,
      markPrice: Number(f.markPrice),
      sizeLots: f.side === "LONG" ? lots : -lots,
    });
  }
  return out.sort((a, b) => a.ts - b.ts);
}
