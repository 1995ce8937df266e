import type { Instrument } from "../../core/instrument.ts";
import { toUsd } from "../../core/money.ts";
import type { AccountReport, Fill, OrderReport, PositionReport, VenueOrderStatus } from "../../core/types.ts";
import type { FundingPaymentReport } from "../../core/venue.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { moneyOf } from "../kit/money-text.ts";
import { type GrvtHttp, GrvtRejectError } from "./http.ts";
import {
  AccountSummaryAnswer,
  FillsAnswer,
  FundingPaymentsAnswer,
  type GrvtFill,
  type GrvtOrder,
  msOfNanos,
  OrderAnswer,
  OrdersAnswer,
  PositionsAnswer,
  parseAs,
} from "./parse.ts";

/** The account reads of the GRVT connector: one private POST each (sub-account in the body). */
export interface ReadContext {
  readonly http: GrvtHttp;
  /** the instrument of a venue name, undefined for one perpbot does not trade */
  known(instrument: string): Instrument | undefined;
  boundOf(account: string): { readonly signer: AccountSigner; readonly subAccountId: string };
}

export function orderStatusOf(o: GrvtOrder): VenueOrderStatus {
  const traded = Number(o.state.traded_size[0] ?? "0");
  switch (o.state.status) {
    case "PENDING":
    case "OPEN":
      return traded > 0 ? "partially_filled" : "open";
    case "FILLED":
      return "filled";
    case "REJECTED":
      return "rejected";
    case "CANCELLED":
      // an IOC remainder the venue cancels: expired when nothing traded, as the engine counts it
      return o.time_in_force !== "GOOD_TILL_TIME" && traded === 0 ? "expired" : "canceled";
  }
}

export function orderReport(account: string, o: GrvtOrder, inst: Instrument): OrderReport {
  const leg = o.legs[0];
  const price = leg.limit_price == null ? 0 : Number(leg.limit_price);
  return {
    clientOrderId: o.metadata.client_order_id,
    venueOrderId: o.order_id,
    account,
    symbol: leg.instrument,
    side: leg.is_buying_asset ? "buy" : "sell",
    priceTicks: price > 0 ? inst.roundPrice(price, "buy", "nearest") : 0,
    sizeLots: inst.roundSize(Number(leg.size), "nearest"),
    filledLots: inst.roundSize(Number(o.state.traded_size[0] ?? "0"), "nearest"),
    status: orderStatusOf(o),
    tif: o.post_only ? "post_only" : o.time_in_force === "GOOD_TILL_TIME" ? "gtc" : "ioc",
    reduceOnly: o.reduce_only === true,
  };
}

const call = (ctx: ReadContext, account: string, path: string, extra: Record<string, unknown> = {}) => {
  const b = ctx.boundOf(account);
  return ctx.http.privateCall(b.signer, path, { sub_account_id: b.subAccountId, ...extra });
};

export async function openOrders(ctx: ReadContext, account: string): Promise<OrderReport[]> {
  const raw = await call(ctx, account, "/full/v1/open_orders", { kind: ["PERPETUAL"] });
  const out: OrderReport[] = [];
  for (const o of parseAs(OrdersAnswer, raw, "open_orders").result) {
    const inst = ctx.known(o.legs[0].instrument);
    if (inst !== undefined) out.push(orderReport(account, o, inst));
  }
  return out;
}

/** The order by client order id; undefined when the venue has none (its 1004 "Data Not Found"). */
export async function orderStatus(ctx: ReadContext, account: string, clientOrderId: string) {
  let raw: unknown;
  try {
    raw = await call(ctx, account, "/full/v1/order", { client_order_id: clientOrderId });
  } catch (e) {
    if (e instanceof GrvtRejectError && e.code === 1004) return undefined;
    throw e;
  }
  const o = parseAs(OrderAnswer, raw, "order").result;
  const inst = ctx.known(o.legs[0].instrument);
  return inst === undefined ? undefined : orderReport(account, o, inst);
}

export async function positions(ctx: ReadContext, account: string): Promise<PositionReport[]> {
  const raw = await call(ctx, account, "/full/v1/positions", { kind: ["PERPETUAL"] });
  const out: PositionReport[] = [];
  for (const p of parseAs(PositionsAnswer, raw, "positions").result) {
    const inst = ctx.known(p.instrument);
    const size = Number(p.size);
    if (inst === undefined || size === 0) continue;
    const liq = Number(p.est_liquidation_price ?? "0");
    const lev = Number(p.leverage ?? "0");
    const notional = Math.abs(size) * Number(p.mark_price);
    out.push({
      account,
      symbol: p.instrument,
      sizeLots: Math.sign(size) * inst.roundSize(Math.abs(size), "nearest"),
      entryPrice: Number(p.entry_price),
      markPrice: Number(p.mark_price),
      unrealisedPnlUsd: Number(p.unrealized_pnl),
      leverage: lev > 0 ? lev : 1,
      marginMode: "cross",
      marginUsd: lev > 0 ? notional / lev : notional,
      maintenanceMarginUsd: inst.maintenanceMargin(notional),
      liquidationPrice: liq > 0 ? liq : null,
      // the venue reports funding received as positive; the contract's fundingPaid is paid
      fundingPaid: -moneyOf(
        p.cumulative_realized_funding_payment ?? "0",
        `grvt position ${p.instrument} funding`,
      ),
    });
  }
  return out;
}

export async function accountState(ctx: ReadContext, account: string): Promise<AccountReport> {
  const a = parseAs(
    AccountSummaryAnswer,
    await call(ctx, account, "/full/v1/account_summary"),
    "account_summary",
  ).result;
  const equity = moneyOf(a.total_equity, `grvt account ${a.sub_account_id} total_equity`);
  const upnl = moneyOf(a.unrealized_pnl, `grvt account ${a.sub_account_id} unrealized_pnl`);
  return {
    account,
    cash: equity - upnl,
    equityUsd: toUsd(equity),
    initialMarginUsd: Number(a.initial_margin),
    maintenanceMarginUsd: Number(a.maintenance_margin),
    availableUsd: Number(a.available_balance),
  };
}

/** One fill of the venue (fill_history, the v1.fill feed) as the contract's Fill. */
export function fillOf(account: string, f: GrvtFill, inst: Instrument): Fill {
  return {
    fillId: f.trade_id,
    clientOrderId: f.client_order_id,
    venueOrderId: f.order_id,
    account,
    symbol: f.instrument,
    side: f.is_buyer ? "buy" : "sell",
    priceTicks: inst.roundPrice(Number(f.price), "buy", "nearest"),
    sizeLots: inst.roundSize(Number(f.size), "nearest"),
    fee: moneyOf(f.fee, `grvt fill ${f.trade_id} fee`),
    liquidity: f.is_taker ? "taker" : "maker",
    realisedPnl: 0n,
    ts: msOfNanos(f.event_time),
  };
}

export async function fills(ctx: ReadContext, account: string, sinceTs: number): Promise<Fill[]> {
  const raw = await call(ctx, account, "/full/v1/fill_history", {
    start_time: `${Math.max(0, Math.floor(sinceTs))}000000`,
    limit: 1000,
  });
  const out: Fill[] = [];
  for (const f of parseAs(FillsAnswer, raw, "fill_history").result) {
    const inst = ctx.known(f.instrument);
    const ts = msOfNanos(f.event_time);
    if (inst === undefined || ts < sinceTs) continue;
    out.push(fillOf(account, f, inst));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/**
 * The venue's funding payments carry the amount only. The size the payment was computed on is
 * rebuilt from the account's fill history (the signed sum of its fills of that instrument up to
 * the payment; one page, 1000 fills); rate and mark are not in the record (0 here); `hours` is
 * the instrument's interval.
 */
export async function fundingPayments(
  ctx: ReadContext,
  account: string,
  sinceTs: number,
): Promise<FundingPaymentReport[]> {
  const raw = await call(ctx, account, "/full/v1/funding_payment_history", {
    start_time: `${Math.max(0, Math.floor(sinceTs))}000000`,
  });
  const out: FundingPaymentReport[] = [];
  const payments = parseAs(FundingPaymentsAnswer, raw, "funding_payment_history").result;
  const history = payments.length === 0 ? [] : await fills(ctx, account, 0);
  const sizeAt = (symbol: string, ts: number) =>
    history
      .filter((f) => f.symbol === symbol && f.ts <= ts)
      .reduce((n, f) => n + (f.side === "buy" ? f.sizeLots : -f.sizeLots), 0);
  for (const p of payments) {
    const inst = ctx.known(p.instrument);
    const ts = msOfNanos(p.event_time);
    if (inst === undefined || ts < sinceTs) continue;
    out.push({
      account,
      symbol: p.instrument,
      ts,
      amount: moneyOf(p.amount, `grvt funding ${p.instrument}`),
      ratePerHour: 0,
      hours: inst.spec.fundingIntervalHours,
      markPrice: 0,
      sizeLots: sizeAt(p.instrument, ts),
    });
  }
  return out.sort((a, b) => a.ts - b.ts);
}
