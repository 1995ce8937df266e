import type { Instrument } from "../../core/instrument.ts";
import type { AccountReport, Fill, OrderReport, PositionReport, VenueOrderStatus } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import { moneyOf } from "../kit/money-text.ts";
import { type AsterHttp, AsterRejectError, type RequestSpec } from "./http.ts";
import {
  AccountSchema,
  type AsterOrder,
  IncomeSchema,
  OrderSchema,
  OrdersSchema,
  parseAs,
  UserTradesSchema,
} from "./parse.ts";

/** The account reads of the Aster connector, each a signed V3 request. */
export interface ReadContext {
  readonly http: AsterHttp;
  known(symbol: string): Instrument | undefined;
  instruments(): readonly Instrument[];
  authOf(account: string): NonNullable<RequestSpec["auth"]>;
  /** the symbol an order was sent on, when this process sent it */
  symbolOf(account: string, clientOrderId: string): string | undefined;
  /** client order ids by venue order id ("account|orderId"), learnt from answers and lookups */
  readonly clientIds: Map<string, string>;
  fundingRatePerHour(symbol: string): number;
  markPrice(symbol: string): number;
}

export function orderStatusOf(o: AsterOrder): VenueOrderStatus {
  switch (o.status) {
    case "NEW":
      return "open";
    case "PARTIALLY_FILLED":
      return "partially_filled";
    case "FILLED":
      return "filled";
    case "CANCELED":
      return "canceled";
    case "EXPIRED":
    case "EXPIRED_IN_MATCH":
      return "expired";
    case "REJECTED":
      return "rejected";
    default:
      return "open";
  }
}

export function orderReport(account: string, o: AsterOrder, inst: Instrument): OrderReport {
  const side = o.side === "BUY" ? "buy" : "sell";
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.orderId,
    account,
    symbol: o.symbol,
    side,
    priceTicks: inst.roundPrice(Number(o.price), side, "nearest"),
    sizeLots: inst.roundSize(Number(o.origQty), "nearest"),
    filledLots: inst.roundSize(Number(o.executedQty), "nearest"),
    status: orderStatusOf(o),
    tif: o.timeInForce === "GTX" ? "post_only" : o.timeInForce === "IOC" ? "ioc" : "gtc",
    reduceOnly: o.reduceOnly === true,
  };
}

/**
 * An order by client id: GET order?symbol&origClientOrderId on the symbol it was sent on, else on
 * every symbol (the venue needs one). -2013 "Order does not exist" is undefined: the caller
 * treats it as final only once the send window passed (a request may still be queued).
 */
export async function orderStatus(
  ctx: ReadContext,
  account: string,
  clientOrderId: string,
): Promise<OrderReport | undefined> {
  const auth = ctx.authOf(account);
  const known = ctx.symbolOf(account, clientOrderId);
  const symbols = known !== undefined ? [known] : ctx.instruments().map((i) => i.symbol);
  for (const symbol of symbols) {
    const inst = ctx.known(symbol);
    if (inst === undefined) continue;
    try {
      const raw = await ctx.http.request({
        method: "GET",
        endpoint: "order",
        params: [
          ["symbol", symbol],
          ["origClientOrderId", clientOrderId],
        ],
        auth,
      });
      return orderReport(
        account,
        parseAs(OrderSchema, raw, `order ${clientOrderId} of wallet ${account}`),
        inst,
      );
    } catch (e) {
      if (e instanceof AsterRejectError && e.code === -2013) continue;
      throw e;
    }
  }
  return undefined;
}

export async function openOrders(ctx: ReadContext, account: string): Promise<OrderReport[]> {
  const raw = await ctx.http.request({ method: "GET", endpoint: "openOrders", auth: ctx.authOf(account) });
  const out: OrderReport[] = [];
  for (const o of parseAs(OrdersSchema, raw, `open orders of wallet ${account}`)) {
    const inst = ctx.known(o.symbol);
    if (inst !== undefined) out.push(orderReport(account, o, inst));
  }
  return out;
}

async function accountOf(ctx: ReadContext, account: string) {
  const raw = await ctx.http.request({ method: "GET", endpoint: "account", auth: ctx.authOf(account) });
  return parseAs(AccountSchema, raw, `account of wallet ${account}`);
}

/** Positions from GET account (its positions carry initial and maintenance margin). */
export async function positions(ctx: ReadContext, account: string): Promise<PositionReport[]> {
  const a = await accountOf(ctx, account);
  const out: PositionReport[] = [];
  for (const p of a.positions) {
    const inst = ctx.known(p.symbol);
    const amt = Number(p.positionAmt);
    if (inst === undefined || amt === 0) continue;
    const extra = p as Record<string, unknown>;
    const notional = Number(extra.notional ?? 0);
    out.push({
      account,
      symbol: p.symbol,
      // the venue's positionAmt is signed (short < 0); lots are counted on its magnitude
      sizeLots: Math.sign(amt) * inst.roundSize(Math.abs(amt), "nearest"),
      entryPrice: Number(extra.entryPrice ?? 0),
      markPrice: notional !== 0 ? notional / amt : ctx.markPrice(p.symbol),
      unrealisedPnlUsd: Number(extra.unrealizedProfit ?? 0),
      leverage: Number(extra.leverage ?? 1),
      marginMode: "cross",
      marginUsd: Number(p.initialMargin),
      maintenanceMarginUsd: Number(p.maintMargin),
      liquidationPrice: null,
      fundingPaid: 0n,
    });
  }
  return out;
}

export async function accountState(ctx: ReadContext, account: string): Promise<AccountReport> {
  const a = await accountOf(ctx, account);
  return {
    account,
    cash: moneyOf(a.totalWalletBalance, `aster wallet ${account} totalWalletBalance`),
    equityUsd: Number(a.totalMarginBalance),
    initialMarginUsd: Number(a.totalInitialMargin),
    maintenanceMarginUsd: Number(a.totalMaintMargin),
    availableUsd: Number(a.availableBalance),
  };
}

/** The client order id of a venue order: known from this process, else GET order?orderId (cached). */
async function clientIdOf(
  ctx: ReadContext,
  account: string,
  symbol: string,
  orderId: string,
): Promise<string> {
  const key = `${account}|${orderId}`;
  const known = ctx.clientIds.get(key);
  if (known !== undefined) return known;
  const raw = await ctx.http.request({
    method: "GET",
    endpoint: "order",
    params: [
      ["symbol", symbol],
      ["orderId", orderId],
    ],
    auth: ctx.authOf(account),
  });
  const o = parseAs(OrderSchema, raw, `order ${orderId} of wallet ${account}`);
  ctx.clientIds.set(key, o.clientOrderId);
  return o.clientOrderId;
}

/**
 * userTrades of every instrument (the venue needs a symbol), from sinceTs, oldest first. A trade
 * names its order id only; the client order id comes from what this process learnt, else a lookup.
 */
export async function fills(ctx: ReadContext, account: string, sinceTs: number): Promise<Fill[]> {
  const auth = ctx.authOf(account);
  const out: Fill[] = [];
  for (const inst of ctx.instruments()) {
    const raw = await ctx.http.request({
      method: "GET",
      endpoint: "userTrades",
      params: [
        ["symbol", inst.symbol],
        ["startTime", sinceTs],
        ["limit", 1000],
      ],
      auth,
    });
    for (const t of parseAs(UserTradesSchema, raw, `userTrades of wallet ${account}`)) {
      if (t.time < sinceTs) continue;
      const side = t.side === "BUY" ? "buy" : "sell";
      out.push({
        fillId: t.id,
        clientOrderId: await clientIdOf(ctx, account, t.symbol, t.orderId),
        venueOrderId: t.orderId,
        account,
        symbol: t.symbol,
        side,
        priceTicks: inst.roundPrice(Number(t.price), side, "nearest"),
        sizeLots: inst.roundSize(Number(t.qty), "nearest"),
        fee: moneyOf(t.commission, `aster wallet ${account} trade ${t.id} commission`),
        liquidity: t.maker ? "maker" : "taker",
        realisedPnl: moneyOf(t.realizedPnl, `aster wallet ${account} trade ${t.id} realizedPnl`),
        ts: t.time,
      });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/**
 * FUNDING_FEE rows of GET income from sinceTs, oldest first. The venue gives the amount only: the
 * position it was paid on is rebuilt from the fill history up to the settlement, the rate is the
 * one in force and the hours the symbol's interval.
 */
export async function fundingPayments(
  ctx: ReadContext,
  account: string,
  sinceTs: number,
): Promise<FundingPaymentReport[]> {
  const raw = await ctx.http.request({
    method: "GET",
    endpoint: "income",
    params: [
      ["incomeType", "FUNDING_FEE"],
      ["startTime", sinceTs],
      ["limit", 1000],
    ],
    auth: ctx.authOf(account),
  });
  const rows = parseAs(IncomeSchema, raw, `income of wallet ${account}`).filter(
    (r) => r.time >= sinceTs && r.incomeType === "FUNDING_FEE" && ctx.known(r.symbol) !== undefined,
  );
  if (rows.length === 0) return [];
  const history = await fills(ctx, account, 0);
  return rows
    .map((r) => {
      const inst = ctx.known(r.symbol)!;
      const sizeLots = history
        .filter((f) => f.symbol === r.symbol && f.ts <= r.time)
        .reduce((n, f) => n + (f.side === "buy" ? f.sizeLots : -f.sizeLots), 0);
      return {
        account,
        symbol: r.symbol,
        ts: r.time,
        amount: moneyOf(r.income, `aster wallet ${account} income ${r.tranId}`),
        ratePerHour: ctx.fundingRatePerHour(r.symbol),
        hours: inst.spec.fundingIntervalHours,
        markPrice: ctx.markPrice(r.symbol),
        sizeLots,
      };
    })
    .sort((a, b) => a.ts - b.ts);
}
